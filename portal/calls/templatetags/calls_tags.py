from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portal.calls.services import format_hms, has_recording
from portal.rowhtml import esc as _e

register = template.Library()


@register.filter
def hms(ms) -> str:
    """Milliseconds as 00:04:51, as the call log shows durations."""
    return format_hms(int(ms or 0))


@register.simple_tag
def call_rows(calls) -> str:
    """A call log section's rows, built in Python: through the template engine the row loop
    was most of the page's time. Same markup as the template gave; every value escaped (`_e`,
    what Django's escape does, without its per-call check for lazy strings). Each call carries
    its links (views.add_row_urls)."""
    if not calls:
        empty = _e(_("No call in this section for these criteria."))
        return mark_safe(f'<tr><td colspan="10" class="muted">{empty}</td></tr>\n')
    select, download = _("Select call %(id)s"), _("Download the audio of call %(id)s")
    details, voice = _e(_("Details")), _e(_("Voice"))
    download_title = _e(_("Download the audio file"))
    play = _("Play the call of %(time)s")
    # Column names on each cell: on a phone the rows stack as cards (portal.css, .stack-sm).
    columns = (_("Call Info"), _("Start"), _("Duration"), _("Client Name"), _("Client"),
               _("Agent"), _("Station"), _("Caller ID"), _("Call ID"))  # fmt: skip
    lbl = [_e(c) for c in columns]
    out = []
    for c in calls:
        urls = c.urls
        account = c.account
        started = c.started_at.astimezone(account.tz).strftime("%Y-%m-%d %H:%M")
        when = started
        if c.kind == "transaction":
            link = _e(urls["call_details"])
            info = (
                f'<a class="button small" href="{link}" hx-get="{link}" '
                f'hx-target="#call-dialog-body" data-open-dialog>{details}</a>'
            )
        elif has_recording(c):
            link = _e(urls["call_voice"])
            info = (
                f'<a class="button small voice" href="{link}" hx-get="{link}" '
                f'hx-target="#call-dialog-body" data-open-dialog>{voice}</a>\n'
                # No `download` attribute: the file comes as an attachment anyway, and a
                # recording whose file is missing opens the page that says so (410).
                f'          <a class="dl" href="{_e(urls["call_recording"])}?download=1" '
                f'title="{download_title}" aria-label="{_e(download % {"id": c.call_id})}">⬇</a>'
            )
            # The WebPortal's "click the Date/Time to listen": opens the player and plays.
            when = (
                f'<a class="play-link" href="{link}" hx-get="{link}" hx-target="#call-dialog-body" '
                f'data-open-dialog data-autoplay aria-label="{_e(play % {"time": started})}">'
                f'<span class="play-icon" aria-hidden="true">▶</span> {started}</a>'
            )
        else:
            info = ""
        caller_name = f'<div class="muted small">{_e(c.caller_name)}</div>' if c.caller_name else ""
        out.append(
            "      <tr>\n"
            f'        <td><input type="checkbox" name="ids" value="{_e(c.call_id)}" '
            f'form="zip-form" aria-label="{_e(select % {"id": c.call_id})}"></td>\n'
            f'        <td class="nowrap c-info" data-label="{lbl[0]}">{info}</td>\n'
            f'        <td class="nowrap c-start" data-label="{lbl[1]}">{when}</td>\n'
            f'        <td class="num c-dur" data-label="{lbl[2]}">{format_hms(int(c.duration_ms or 0))}</td>\n'
            f'        <td class="c-name" data-label="{lbl[3]}">{_e(account.name)}</td>'
            f'<td class="c-client" data-label="{lbl[4]}">{_e(account.number)}</td>\n'
            f'        <td class="nowrap c-agent" data-label="{lbl[5]}">{_e(c.agent.code if c.agent else "")}</td>'
            f'<td class="c-station" data-label="{lbl[6]}">{_e(c.station)}</td>\n'
            f'        <td class="c-caller" data-label="{lbl[7]}"><span class="cid">{_e(c.caller_id)}</span>{caller_name}</td>\n'
            f'        <td class="c-id" data-label="{lbl[8]}">{_e(c.call_id)}</td>\n'
            "      </tr>\n"
        )
    return mark_safe("".join(out))
