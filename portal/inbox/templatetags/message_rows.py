"""The inbox's rows, built in Python.

Page one shows fifty messages; through the template engine (an include per row) the row loop
was most of the page's time. Same markup as the template gave; the live inbox's new rows
(inbox/_poll.html) and the row a Confirm press swaps in (inbox.views.message_confirm) come
from here too. Every value is escaped (`_e`, what Django's escape does, without its per-call
check for lazy strings).

An urgent row shows "Confirm" (a POST form of its own, with the CSRF token, that htmx sends in
the background to swap the row), or who confirmed it once it is confirmed: the row's message
needs `confirmation` (inbox.services.with_confirmations).
"""

from urllib.parse import urlencode

from django import template
from django.middleware.csrf import get_token
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.links import url_maker
from portal.rowhtml import esc as _e

register = template.Library()


@register.simple_tag(takes_context=True)
def message_rows(context, messages, many_accounts=False, fresh=False, back="") -> str:
    """`back`: the inbox page the rows are on, for the message's "Back to the messages"."""
    return rows_html(messages, many_accounts, fresh, back, csrf_token=get_token(context["request"]))


def rows_html(messages, many_accounts=False, fresh=False, back="", *, csrf_token="") -> str:
    # (Translated outside the f-strings: makemessages does not look inside them.)
    urgent, closed, opened = _("Urgent"), pgettext("message", "Closed"), pgettext("message", "Open")
    urgent_badge = f'<span class="badge urgent-badge">{_e(urgent)}</span>'
    closed = f'<span class="badge closed-badge">{_e(closed)}</span>'
    opened = f'<span class="badge open-badge">{_e(opened)}</span>'
    no_subject = _("(no subject)")
    select = _("Select message %(id)s")
    # Column names on each cell: on a phone the rows stack as cards (portal.css, .stack-sm).
    lbl = {k: _e(v) for k, v in (("taken", _("Taken")), ("account", _("Account")),
                                ("subject", _("Subject")), ("status", _("Status")),
                                ("id", _("Message ID")))}  # fmt: skip
    message_url = url_maker("message_detail", "account_number", "message_id")
    back_query = f"?{urlencode({'back': back})}" if back else ""
    pair = _("%(label)s: %(value)s")  # "Prénom : Luc" in French (no-break space)
    confirm_url = url_maker("message_confirm", "account_number", "message_id")
    confirm_label, confirm_whose = _("Confirm"), _("message %(id)s")
    confirmed_by = _("Confirmed by %(recipient)s")
    hidden = (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{_e(csrf_token)}">'
        f'<input type="hidden" name="back" value="{_e(back)}">'
        '<input type="hidden" name="where" value="list">'
        + ('<input type="hidden" name="many_accounts" value="1">' if many_accounts else "")
    )
    out = []
    for m in messages:
        number = m.account.number
        mid = _e(m.message_id)
        is_closed = m.status == "closed"
        classes = " ".join(
            c for c, on in (("urgent", m.urgent), ("closed", is_closed), ("fresh", fresh)) if on
        )
        preview = " · ".join(
            pair % {"label": _e(label), "value": _e(value)} for label, value in m.fields[:3]
        )
        taken = m.taken_at.astimezone(m.account.tz).strftime("%Y-%m-%d %H:%M")
        account_cell = (
            f'<td data-label="{lbl["account"]}">{_e(number)}</td>' if many_accounts else ""
        )
        url = _e(message_url(number, m.message_id) + back_query)
        confirm = ""
        if m.urgent:
            done = getattr(m, "confirmation", None)
            if done is not None:
                who = _e(confirmed_by % {"recipient": done.recipient or done.get_channel_display()})
                confirm = f'\n    <div class="confirmed-note">{who}</div>'
            else:
                action = _e(confirm_url(number, m.message_id))
                whose = _e(confirm_whose % {"id": m.message_id})
                confirm = (
                    f'\n    <form method="post" action="{action}" class="confirm-form" '
                    f'hx-post="{action}" hx-target="closest tr" hx-swap="outerHTML">{hidden}'
                    f'<button type="submit" class="primary small">{_e(confirm_label)}'
                    f'<span class="sr-only"> {whose}</span></button></form>'
                )
        out.append(
            f'<tr class="{classes}" id="msg-{mid}">\n'
            f'  <td><input type="checkbox" name="ids" value="{mid}" form="export-form" '
            f'aria-label="{_e(select % {"id": m.message_id})}"></td>\n'
            f'  <td class="nowrap" data-label="{lbl["taken"]}">{taken}</td>\n'
            f'  {account_cell}<td data-label="{lbl["subject"]}">'
            f'<a href="{url}">{_e(m.subject or no_subject)}</a>\n'
            f"    {urgent_badge if m.urgent else ''}\n"
            f'    <div class="preview">{preview}</div>\n'
            "  </td>\n"
            f'  <td data-label="{lbl["status"]}">{closed if is_closed else opened}{confirm}</td>\n'
            f'  <td class="nowrap" data-label="{lbl["id"]}">{mid}</td>\n'
            "</tr>\n"
        )
    return mark_safe("".join(out))
