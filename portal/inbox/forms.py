"""The Messages page's filters, read from the query string."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import presets
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
DEFAULT_PERIOD = ""  # "Dates below" with no dates: every message still kept (60 days)


def resolve_period(data) -> str | None:
    """The period the submitted radios and From/To dates mean, by the rule the call log uses
    (portal.presets: a changed radio wins, else typed dates win, else the radio as drawn);
    "" is "Dates below". None for a request without `preset_shown` (an old link)."""
    return presets.effective_preset(
        data,
        default=DEFAULT_PERIOD,
        dates="",
        typed_dates=presets.typed(data, ("start", "end")),
        typed_other=False,  # the default already searches the whole period kept
        field="period",
    )


class MessageFilterForm(forms.Form):
    account = forms.ChoiceField(label=_("Account"), required=False)
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    start = DateField(
        label=pgettext_lazy("date range", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "data-period-input": ""}),
    )
    end = DateField(
        label=pgettext_lazy("date range", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "data-period-input": ""}),
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
    message_id = forms.CharField(label=_("Message ID"), required=False, max_length=64)
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
        # The radios and the dates say one thing on the page drawn from this request: a preset
        # that wins clears the dates, typed dates that win check "Dates below".
        # (Without `preset_shown`, an old link: the period, if any, wins as it always did.)
        chosen = resolve_period(data)
        if chosen is not None:
            self.data["period"] = chosen
        if self.data.get("period"):
            self.data.pop("start", None)
            self.data.pop("end", None)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end date must not be before the start date."))
        return cleaned

    def chosen_accounts(self):
        number = self.cleaned_data.get("account") or self.current.number
        if number == ALL or self.cleaned_data.get("message_id", "").strip():
            # A Message ID is looked for in every account of the login.
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
            message_id=c.get("message_id") or "",
        )
