"""Telephone numbers on pages: on one line, as tel: / sms: links with the digits to dial.

{% load phones %}
{{ contact.phone1|tel_link }}   <a class="phone" href="tel:5142547110">(514) 254-7110</a>
{{ contact.sms|sms_link }}      <a class="phone" href="sms:5142547110">…</a>
{{ PORTAL.SERVICE_PHONE|phone_links }}   several numbers ("… – …"), each a tel: link
{{ PORTAL.SERVICE_EMAIL|mailto }}        <a href="mailto:…">…</a>
"""

import re

from django import template
from django.utils.html import format_html, format_html_join

from portal.directory.services import dial_string

register = template.Library()

NBSP = "\u00a0"
# Between two numbers written on one line: "(514) 736-6767 – (800) 667-6767", "…, …", "… / …".
_BETWEEN = re.compile(r"\s+[–—/]\s+|\s*[,;]\s+")


@register.filter
def nobreak(number: str) -> str:
    """The number with no-break spaces (the .phone class also keeps it on one line)."""
    return (number or "").strip().replace(" ", NBSP)


def _link(number: str, scheme: str):
    if not number:
        return ""
    href = dial_string(number, extension=scheme == "tel")
    if not href:
        return format_html('<span class="phone">{}</span>', nobreak(number))
    return format_html('<a class="phone" href="{}:{}">{}</a>', scheme, href, nobreak(number))


@register.filter
def tel_link(number: str):
    return _link(number, "tel")


@register.filter
def sms_link(number: str):
    return _link(number, "sms")


@register.filter
def phone_links(numbers: str):
    """Each number of a line such as "(514) 736-6767 – (800) 667-6767" as its own tel: link."""
    parts = [p for p in _BETWEEN.split((numbers or "").strip()) if p]
    return format_html_join(" – ", "{}", ((_link(p, "tel"),) for p in parts))


@register.filter
def mailto(address: str):
    if not address:
        return ""
    return format_html('<a href="mailto:{}">{}</a>', address, address)
