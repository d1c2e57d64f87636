"""The Call Log's criteria (miTeam Call Log and WebPortal Agent Recordings)."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.calls.services import CallFilter, preset_range
from portal.dates import DateField

PRESET_CHOICES = [
    ("hour", _("Previous hour")),
    ("3hours", _("Previous three hours")),
    ("6hours", _("Previous six hours")),
    ("12hours", _("Previous twelve hours")),
    ("midnight", _("Since midnight")),
    ("dates", _("Specific dates/times (choose below)")),
]
ALL = "all"


def _date(label):
    return DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _time(label):
    return forms.TimeField(
        label=label, required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )


def _minutes(label, **kw):
    return forms.DecimalField(
        label=label, required=False, min_value=0, max_digits=8, decimal_places=2, **kw
    )


class CallFilterForm(forms.Form):
    preset = forms.ChoiceField(
        label=_("Choose a time span"),
        choices=PRESET_CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    start_date = _date(_("Start Date"))
    start_time = _time(_("Start time"))
    end_date = _date(_("End Date"))
    end_time = _time(_("End time"))
    caller_id = forms.CharField(label=_("Caller ID"), required=False, max_length=64)
    account = forms.ChoiceField(label=_("Account Number"), required=False)
    billing_number = forms.CharField(label=_("Billing Number"), required=False, max_length=32)
    call_id = forms.CharField(label=_("Call Number"), required=False, max_length=64)
    agent = forms.CharField(label=_("Agent Initials"), required=False, max_length=32)
    station = forms.CharField(label=_("Station #"), required=False, max_length=32)
    min_duration = _minutes(_("Minimum Duration (mins)"))
    max_duration = _minutes(_("Maximum Duration (mins)"))
    account_name = forms.CharField(
        label=_("Account Name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("(any part)")}),
    )
    min_quality = forms.IntegerField(
        label=_("Minimum quality level"), required=False, min_value=0, max_value=100
    )
    max_quality = forms.IntegerField(
        label=_("Maximum quality level"), required=False, min_value=0, max_value=100
    )

    ADVANCED = (
        "account",
        "billing_number",
        "call_id",
        "agent",
        "station",
        "min_duration",
        "max_duration",
        "account_name",
        "min_quality",
        "max_quality",
    )

    def __init__(self, data, *, accounts, current):
        data = data.copy()
        if not data.get("preset"):
            # Specific dates when dates are given (the miTeam form), else the previous hour
            # (the WebPortal's default choice).
            data["preset"] = "dates" if data.get("start_date") or data.get("end_date") else "hour"
        if not data.get("account"):
            data["account"] = current.number
        super().__init__(data)
        self.accounts = list(accounts)
        self.current = current
        choices = [(a.number, a.label) for a in self.accounts]
        if len(self.accounts) > 1:
            choices.append((ALL, _("All my accounts")))
        self.fields["account"].choices = choices

    def advanced_fields(self):
        """The advanced options' fields, in ADVANCED's order (for the template)."""
        return [self[name] for name in self.ADVANCED]

    def advanced_used(self) -> bool:
        data = self.data
        defaults = {"account": self.current.number}
        return any(data.get(k) and data.get(k) != defaults.get(k) for k in self.ADVANCED)

    def clean(self):
        c = super().clean()
        if c.get("preset") == "dates" and not (c.get("start_date") or c.get("end_date")):
            raise forms.ValidationError(_("Enter a start date or an end date."))
        lo, hi = c.get("min_duration"), c.get("max_duration")
        if lo is not None and hi is not None and hi < lo:
            raise forms.ValidationError(
                _("The maximum duration must not be less than the minimum duration.")
            )
        lo, hi = c.get("min_quality"), c.get("max_quality")
        if lo is not None and hi is not None and hi < lo:
            raise forms.ValidationError(
                _("The maximum quality must not be less than the minimum quality.")
            )
        start, end = self.span(c)
        if start and end and end < start:
            raise forms.ValidationError(_("The end must not be before the start."))
        return c

    def span(self, c=None) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The time span in the viewed account's zone."""
        c = c if c is not None else self.cleaned_data
        tz = self.current.tz
        preset = c.get("preset") or "hour"
        if preset != "dates":
            return preset_range(preset, tz, timezone.now())
        start = end = None
        if c.get("start_date"):
            start = dt.datetime.combine(
                c["start_date"], c.get("start_time") or dt.time.min, tzinfo=tz
            )
        if c.get("end_date"):
            end_time = c.get("end_time") or dt.time(23, 59, 59, 999999)
            end = dt.datetime.combine(c["end_date"], end_time, tzinfo=tz)
            if c.get("end_time"):
                end = end.replace(second=59, microsecond=999999)
        return start, end

    def chosen_accounts(self):
        number = self.cleaned_data.get("account") or self.current.number
        if number == ALL:
            return self.accounts
        return [a for a in self.accounts if a.number == number] or [self.current]

    def to_filter(self) -> CallFilter:
        c = self.cleaned_data
        start, end = self.span()

        def seconds(minutes):
            return None if minutes is None else float(minutes) * 60

        return CallFilter(
            start=start,
            end=end,
            caller_id=c.get("caller_id") or "",
            billing_number=c.get("billing_number") or "",
            call_id=c.get("call_id") or "",
            agent=c.get("agent") or "",
            station=c.get("station") or "",
            min_duration_s=seconds(c.get("min_duration")),
            max_duration_s=seconds(c.get("max_duration")),
            account_name=c.get("account_name") or "",
            min_quality=c.get("min_quality"),
            max_quality=c.get("max_quality"),
        )
