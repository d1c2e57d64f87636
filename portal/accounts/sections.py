"""The sections of the portal, in menu order: (URL name, label)."""

from django.utils.translation import pgettext_lazy

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
