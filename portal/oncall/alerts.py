"""Gap alerts: time with nobody on call in the coming days, e-mailed to the account's client
admins, each in their own language, with a link to the On Call page at each gap."""

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.accounts import audit
from portal.accounts.models import Account, Membership
from portal.oncall import page, services
from portal.text import single_line


def gap_lines(account: Account, start: dt.datetime, end: dt.datetime) -> list[str]:
    tz = account.tz
    lines = []
    for g in services.gaps(account, start, end):
        # Time that no shift covers is a gap too (services.gaps); it has no shift to name.
        what = _("no shift") if g.no_shift else f"{g.shift.name} {g.shift.role} ({g.shift.rank})"
        lines.append(
            _("- %(schedule)s · %(what)s: %(start)s – %(end)s")
            % {
                "schedule": g.schedule.name,
                "what": what,
                "start": page.fmt(max(g.start, start), tz, with_year=True),
                "end": page.fmt(min(g.end, end), tz, with_year=True),
            }
        )
        lines.append(f"  {gap_link(account, g, start)}")  # the On Call page at the gap
    return lines


def gap_link(account: Account, gap, start: dt.datetime) -> str:
    """The On Call page at the gap, as an absolute link (settings.PORTAL_BASE_URL): the day
    the gap begins (within the alert's window), its schedule, its shift selected."""
    params = {
        "schedule": gap.schedule.external_id,
        "view": "day",
        "date": max(gap.start, start).astimezone(account.tz).date().isoformat(),
    }
    anchor = ""
    if getattr(gap, "shift", None) is not None:
        params["shift"] = gap.shift.pk
        anchor = f"#shift-{gap.shift.pk}"
    path = reverse("oncall", kwargs={"account_number": account.number})
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{path}?{urlencode(params)}{anchor}"


def _recipients(account: Account) -> list[tuple[str, str]]:
    """(e-mail address, language) of each active client admin with an address: the login's
    own language, else the account's."""
    found = {}
    for m in (
        Membership.objects.filter(account=account, role=Membership.ADMIN, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
    ):
        found.setdefault(m.user.email, m.user.language or account.language)
    return sorted(found.items())


def _message(account: Account, days: int, lines: list[str]) -> tuple[str, str]:
    subject = _("%(account)s: nobody is on call for part of the next %(days)s days") % {
        "account": account.label,
        "days": days,
    }
    body = "\n".join(
        [
            _("Nobody is assigned to these on-call periods (times in %(tz)s):")
            % {"tz": account.timezone},
            "",
            *lines,
            "",
            _("Assign a person on the On Call page so that your calls are handled."),
        ]
    )
    return subject, body


def send_gap_alerts(
    days: int = 7,
    now: dt.datetime | None = None,
    unreached: list[str] | None = None,
    numbers: list[str] | None = None,
) -> list[tuple[str, list[str]]]:
    """For each account with gaps (services.gaps: unassigned shifts, deleted contacts, time
    without any shift) in the next `days` days, one e-mail to each of its client admins, in
    that person's language, each gap with a link to the On Call page at it. Returns
    (account, recipients); accounts with gaps but no client admin with an e-mail address are
    added to `unreached`. `numbers`: only these accounts (the task queue sends one task per
    account, portal.tasks.oncall_gap_alert)."""
    now = now or timezone.now()
    end = now + dt.timedelta(days=days)
    sent = []
    accounts = Account.objects.order_by("number")
    if numbers is not None:
        accounts = accounts.filter(number__in=numbers)
    for account in accounts:
        recipients = _recipients(account)
        if not recipients:
            if unreached is not None and gap_lines(account, now, end):
                unreached.append(account.number)
            continue
        mails = []
        for address, language in recipients:
            with translation.override(language):
                lines = gap_lines(account, now, end)
                if not lines:
                    break
                subject, body = _message(account, days, lines)
            # On one line whatever the account's name holds (a CR/LF would refuse to send).
            mails.append((single_line(subject), body, settings.DEFAULT_FROM_EMAIL, [address]))
        if not mails:
            continue
        send_mass_mail(mails)
        addresses = [address for address, _lang in recipients]
        # The audit trail names who received the account's on-call data (issue 13, item 6).
        audit.record(
            "oncall.gap_alert",
            actor="oncall_gap_alerts",
            account=account,
            to=", ".join(addresses),
            start=now.isoformat(),
            end=end.isoformat(),
            days=days,
        )
        sent.append((account.number, addresses))
    return sent
