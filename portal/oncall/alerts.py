"""Gap alerts: unassigned on-call time in the coming days, e-mailed to the account's client admins."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.accounts.models import Account, Membership
from portal.oncall import page, services


def gap_lines(account: Account, start: dt.datetime, end: dt.datetime) -> list[str]:
    tz = account.tz
    lines = []
    for g in services.gaps(account, start, end):
        # Time that no shift covers is a gap too (services.gaps); it has no shift to name.
        what = _("no shift") if g.no_shift else f"{g.shift.name} {g.shift.role} ({g.shift.rank})"
        lines.append(
            f"- {g.schedule.name} · {what}: "
            f"{page.fmt(max(g.start, start), tz, with_year=True)} – "
            f"{page.fmt(min(g.end, end), tz, with_year=True)}"
        )
    return lines


def send_gap_alerts(
    days: int = 7, now: dt.datetime | None = None, unreached: list[str] | None = None
) -> list[tuple[str, list[str]]]:
    """One e-mail per account with gaps in the next `days` days; returns (account, recipients).
    Accounts with gaps but no client admin with an e-mail address are added to `unreached`."""
    now = now or timezone.now()
    end = now + dt.timedelta(days=days)
    sent = []
    for account in Account.objects.order_by("number"):
        recipients = sorted(
            {
                m.user.email
                for m in Membership.objects.filter(account=account, role=Membership.ADMIN)
                .select_related("user")
                .filter(user__is_active=True)
                if m.user.email
            }
        )
        if not recipients:
            if unreached is not None and gap_lines(account, now, end):
                unreached.append(account.number)
            continue
        with translation.override(account.language):
            lines = gap_lines(account, now, end)
            if not lines:
                continue
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
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        sent.append((account.number, recipients))
    return sent
