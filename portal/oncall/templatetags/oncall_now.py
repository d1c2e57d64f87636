"""The home page's "On call now" block: {% load oncall_now %}{% on_call_now_home %}.

A template tag, so that the accounts app (the home page) needs no import of the on-call app:
the on-call app reads the account from the request and renders its own block, the same data
as the On Call page's (page.on_call_now: services.on_call_at and services.next_on_call)."""

from django import template
from django.utils import timezone

from portal.oncall import page, services

register = template.Library()


@register.inclusion_tag("oncall/_now_home.html", takes_context=True)
def on_call_now_home(context):
    request = context.get("request")
    account = getattr(request, "account", None)
    schedules = list(services.visible_schedules(account)) if account is not None else []
    groups = []
    if schedules:
        groups = page.on_call_now(account, schedules, account.tz, timezone.now())
    return {"account": account, "groups": groups}
