"""The sections of the portal, in menu order: (URL name, label), and the home page's guide."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

SECTIONS = [
    ("home", pgettext_lazy("menu", "Home")),
    ("inbox", pgettext_lazy("menu", "Inbox / Messages")),
    ("directory", pgettext_lazy("menu", "Directory")),
    ("calls", pgettext_lazy("menu", "Call Log")),
    ("oncall", pgettext_lazy("menu", "On Call")),
    ("info_pages", pgettext_lazy("menu", "Information Pages")),
    ("billing", pgettext_lazy("menu", "Billing History")),
    ("billable", pgettext_lazy("menu", "Billable Calls")),
    ("stats", pgettext_lazy("menu", "Statistics")),
    ("settings", pgettext_lazy("menu", "Settings")),
]
SECTION_NAMES = {name for name, _label in SECTIONS}

# What each section is for, in the manuals' words (seed 000 and the WebPortal's "Options").
GUIDE = {
    "inbox": ngettext_lazy(
        "The messages our team took on your account during the last day, "
        "with their dispatch history. Filter them, mark them closed, download them.",
        "The messages our team took on your account during the last %(days)s days, "
        "with their dispatch history. Filter them, mark them closed, download them.",
        "days",
    ),
    "directory": _(
        "The contacts available to our team and their contact information. To change them, "
        "write to %(email)s."
    ),
    "calls": ngettext_lazy(
        "Listen to all incoming and outgoing calls answered on your account during the last day.",
        "Listen to all incoming and outgoing calls answered on your account during the last "
        "%(days)s days.",
        "days",
    ),
    "oncall": _(
        "Your on-call schedules: who is on call for each shift. Assign a person, or make a "
        "temporary change (override) while keeping an accurate history."
    ),
    "info_pages": _(
        "Your client information pages: the instructions our agents use for your account. "
        "Any updates should be sent to us by e-mail at %(email)s."
    ),
    "billing": _("Your billing history and payments."),
    "billable": ngettext_lazy(
        "A complete list of the billable transactions of the last day.",
        "A complete list of the billable transactions of the last %(days)s days.",
        "days",
    ),
    "stats": ngettext_lazy(
        "Your client statistics for the last day.",
        "Your client statistics for the last %(days)s days.",
        "days",
    ),
    "settings": _("Change your password and choose your language."),
}


def guide(account) -> list[dict]:
    """The home page's guide: every section but Home, with what it is for (the texts that
    count days are plurals: `%` picks the form from the "days" value)."""
    values = {
        "days": account.retention_days,
        "email": settings.PORTAL["SERVICE_EMAIL"],
    }
    return [
        {"name": name, "label": label, "text": GUIDE[name] % values}
        for name, label in SECTIONS
        if name in GUIDE
    ]
