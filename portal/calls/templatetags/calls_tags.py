from django import template

from portal.calls.services import format_hms

register = template.Library()


@register.filter
def hms(ms) -> str:
    """Milliseconds as 00:04:51, as the call log shows durations."""
    return format_hms(int(ms or 0))
