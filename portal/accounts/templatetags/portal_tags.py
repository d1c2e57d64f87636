from django import template

from portal.accounts.sections import SECTIONS

register = template.Library()


@register.simple_tag
def sections():
    return SECTIONS
