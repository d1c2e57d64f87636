"""The Messages page's filters, read from the query string."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.dates import DateField
from portal.inbox.services import BOXES, MessageFilter

PERIOD_CHOICES = [
    ("", _("Dates below")),
    ("today", _("Today")),
    ("yesterday", _("Yesterday")),
    ("week", _("Last Week")),
    ("month", _("Last Month")),
]
BOX_CHOICES = [
    ("open", pgettext_lazy("message", "Open")),
    ("closed", pgettext_lazy("message", "Closed")),
    ("urgent", _("Urgent")),
]
ALL = "all"


class MessageFilterForm(forms.Form):
    account = forms.ChoiceField(label=_("Account"), required=False)
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    start = DateField(
        label=pgettext_lazy("date range", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = DateField(
        label=pgettext_lazy("date range", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    options = forms.MultipleChoiceField(
        label=_("Options"),
        choices=BOX_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    q = forms.CharField(
        label=_("Keyword"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Search messages...")}),
    )
    call_id = forms.CharField(label=_("Call number"), required=False, max_length=64)
    agent = forms.CharField(label=_("Agent"), required=False, max_length=32)
    billing_number = forms.CharField(label=_("Billing number"), required=False, max_length=32)

    def __init__(self, data, *, accounts, current):
        data = data.copy()
        # A first visit has every option checked, as the seed shows; a submitted form says
        # what it wants (the hidden "filtered" field marks it as submitted).
        if "filtered" not in data:
            data.setlist("options", list(BOXES))
        super().__init__(data)
        self.accounts = list(accounts)
        self.current = current
        choices = [(a.number, a.label) for a in self.accounts]
        if len(self.accounts) > 1:
            choices.append((ALL, _("All my accounts")))
        self.fields["account"].choices = choices
        if not data.get("account"):
            self.data["account"] = current.number

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end date must not be before the start date."))
        return cleaned

    def chosen_accounts(self):
        number = self.cleaned_data.get("account") or self.current.number
        if number == ALL:
            return self.accounts
        return [a for a in self.accounts if a.number == number] or [self.current]

    def to_filter(self) -> MessageFilter:
        c = self.cleaned_data
        return MessageFilter(
            period=c.get("period") or "",
            start=c.get("start"),
            end=c.get("end"),
            boxes=set(c.get("options") or []),
            q=c.get("q") or "",
            call_id=c.get("call_id") or "",
            agent=c.get("agent") or "",
            billing_number=c.get("billing_number") or "",
        )
