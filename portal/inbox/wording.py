"""The Messages page in words: the result count, the span searched (in the account's zone) and
the active criteria on the folded search bar of a phone."""

import datetime as dt

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.accounts.models import Account
from portal.inbox.forms import ALL, BOX_CHOICES, PERIOD_CHOICES, MessageFilterForm
from portal.inbox.services import BOXES, COUNT_CAP, MessageFilter, searched_span

STAMP = "%Y-%m-%d %H:%M"


def count_in_words(total: int) -> str:
    if total > COUNT_CAP:
        return _("More than %(count)s messages") % {
            "count": number_format(COUNT_CAP, force_grouping=True)
        }
    return ngettext("%(count)s message", "%(count)s messages", total) % {"count": total}


def span_in_words(
    account: Account, f: MessageFilter, everywhere: bool, now: dt.datetime | None = None
) -> str:
    """What was searched: "Taken from 2026-11-24 00:00 to 2026-11-30 23:59 (America/Toronto
    time)", or the one Message ID looked for."""
    if f.message_id.strip():
        if everywhere:
            return _("Message ID %(id)s, in all your accounts") % {"id": f.message_id.strip()}
        return _("Message ID %(id)s") % {"id": f.message_id.strip()}
    lo, hi = searched_span(account, f, now)
    tz = account.tz
    # hi is exclusive: the last minute searched is the one before it (a day ends at 23:59).
    last = hi - dt.timedelta(seconds=1)
    return _("Taken from %(start)s to %(end)s (%(zone)s time)") % {
        "start": lo.astimezone(tz).strftime(STAMP),
        "end": max(last, lo).astimezone(tz).strftime(STAMP),
        "zone": account.timezone,
    }


def quoted(text: str) -> str:
    return _("“%(text)s”") % {"text": text}


def labelled(label, value) -> str:
    return _("%(label)s: %(value)s") % {"label": label, "value": value}


def criteria_in_words(form: MessageFilterForm, retention_days: int) -> str:
    """The active criteria, short, for the folded search bar."""
    if not form.is_valid():
        return _("Correct the search criteria.")
    c = form.cleaned_data
    parts = []
    if c.get("message_id", "").strip():
        return labelled(_("Message ID"), c["message_id"].strip())
    if len(form.accounts) > 1:
        number = c.get("account") or form.current.number
        if number == ALL:
            parts.append(_("All my accounts"))
        else:
            parts.append(next((a.label for a in form.accounts if a.number == number), number))
    period, start, end = c.get("period") or "", c.get("start"), c.get("end")
    if period:
        parts.append(str(dict(PERIOD_CHOICES)[period]))
    elif start and end:
        parts.append(_("%(start)s to %(end)s") % {"start": start, "end": end})
    elif start:
        parts.append(_("from %(start)s") % {"start": start})
    elif end:
        parts.append(_("up to %(end)s") % {"end": end})
    else:
        parts.append(
            ngettext("The last day", "The last %(days)s days", retention_days)
            % {"days": retention_days}
        )
    boxes = c.get("options") or []
    if set(boxes) != set(BOXES):
        labels = [str(label) for value, label in BOX_CHOICES if value in boxes]
        parts.append(", ".join(labels) if labels else _("no box ticked"))
    if c.get("q", "").strip():
        parts.append(quoted(c["q"].strip()))
    for name in ("call_id", "agent", "billing_number"):
        if c.get(name, "").strip():
            parts.append(labelled(form.fields[name].label, c[name].strip()))
    return " · ".join(parts)
