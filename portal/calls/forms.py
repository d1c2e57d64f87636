"""The Call Log's criteria (miTeam Call Log and WebPortal Agent Recordings)."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.calls.services import CallFilter, preset_range
from portal.dates import DateField
from portal.presets import SHOWN, WHOLE_PERIOD, effective_preset, typed

PRESET_CHOICES = [
    ("hour", _("Previous hour")),
    ("3hours", _("Previous three hours")),
    ("6hours", _("Previous six hours")),
    ("12hours", _("Previous twelve hours")),
    ("midnight", _("Since midnight")),
    ("dates", _("Specific dates/times (choose below)")),
]
ALL = "all"
DEFAULT_PRESET = "hour"
DATES = "dates"
DATE_FIELDS = ("start_date", "start_time", "end_date", "end_time")
SPAN_FORMAT = "%Y-%m-%d %H:%M"


# Typing a date or a time checks "Specific dates/times" (portal.js: data-period-input checks
# the form's data-period-specific radio; the server applies the same rule without it).
CHECKS_DATES = {"data-period-input": True}


class PresetRadios(forms.RadioSelect):
    """The preset radios; the "Specific dates/times" one is marked for portal.js."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value == DATES:
            option["attrs"]["data-period-specific"] = True
        return option


def _date(label):
    return DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date", **CHECKS_DATES}),
    )


def _time(label):
    return forms.TimeField(
        label=label,
        required=False,
        widget=forms.TimeInput(attrs={"type": "time", **CHECKS_DATES}),
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
        widget=PresetRadios,
    )
    # The preset checked when the page was drawn (portal.presets: a changed radio wins).
    preset_shown = forms.CharField(required=False, widget=forms.HiddenInput)
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
        if not data.get("account"):
            data["account"] = current.number
        preset = effective_preset(
            data,
            default=DEFAULT_PRESET,
            dates=DATES,
            typed_dates=typed(data, DATE_FIELDS),
            typed_other=self._other_typed(data, current),
        )
        self.whole_period = preset == WHOLE_PERIOD
        if preset is None:
            # No preset_shown (an old bookmark): specific dates when dates are given (the
            # miTeam form), else the previous hour (the WebPortal's default choice).
            if not data.get("preset"):
                data["preset"] = DATES if data.get("start_date") or data.get("end_date") else "hour"
        else:
            data["preset"] = DEFAULT_PRESET if self.whole_period else preset
        if data["preset"] != DATES:
            # A preset won: the dates typed beside it were not searched. The page draws them
            # empty, or pressing the button again would search them.
            for name in DATE_FIELDS:
                data.pop(name, None)
        data[SHOWN] = data["preset"]
        super().__init__(data)
        self.accounts = list(accounts)
        self.current = current
        choices = [(a.number, a.label) for a in self.accounts]
        if len(self.accounts) > 1:
            choices.append((ALL, _("All my accounts")))
        self.fields["account"].choices = choices

    @classmethod
    def _other_typed(cls, data, current) -> bool:
        """Criteria other than the span: the caller ID or an advanced one (the account
        pre-filled with the viewed account's number does not count)."""
        if typed(data, ("caller_id",)):
            return True
        defaults = {"account": current.number}
        return any(
            typed(data, (k,)) and str(data.get(k)).strip() != defaults.get(k) for k in cls.ADVANCED
        )

    def advanced_fields(self):
        """The advanced options' fields, in ADVANCED's order (for the template)."""
        return [self[name] for name in self.ADVANCED]

    def advanced_used(self) -> bool:
        return self._other_typed({k: self.data.get(k) for k in self.ADVANCED}, self.current)

    def clean(self):
        c = super().clean()
        if (
            not self.whole_period
            and c.get("preset") == DATES
            and not any(c.get(name) for name in DATE_FIELDS)
            and not any(name in self.errors for name in DATE_FIELDS)
        ):
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
        """The time span in the viewed account's zone (None: no bound). A time typed without
        its date is today's."""
        c = c if c is not None else self.cleaned_data
        if self.whole_period:
            return None, None
        tz = self.current.tz
        preset = c.get("preset") or DEFAULT_PRESET
        if preset != DATES:
            return preset_range(preset, tz, timezone.now())
        today = timezone.now().astimezone(tz).date()
        start = end = None
        start_date = c.get("start_date") or (today if c.get("start_time") else None)
        end_date = c.get("end_date") or (today if c.get("end_time") else None)
        if start_date:
            start = dt.datetime.combine(start_date, c.get("start_time") or dt.time.min, tzinfo=tz)
        if end_date:
            end_time = c.get("end_time") or dt.time(23, 59, 59, 999999)
            end = dt.datetime.combine(end_date, end_time, tzinfo=tz)
            if c.get("end_time"):
                end = end.replace(second=59, microsecond=999999)
        return start, end

    def searched_words(self) -> str:
        """ "Calls from … to …": the span the search covered, in the viewed account's zone
        (without a start, from the oldest call kept; without an end, to now)."""
        start, end = self.span()
        now = timezone.now()
        kept = max(a.retention_days for a in self.chosen_accounts())
        oldest = now - dt.timedelta(days=kept)
        start = oldest if start is None or start < oldest else start
        end = now if end is None else end
        tz = self.current.tz
        return _("Calls from %(start)s to %(end)s") % {
            "start": start.astimezone(tz).strftime(SPAN_FORMAT),
            "end": end.astimezone(tz).strftime(SPAN_FORMAT),
        }

    def criteria_words(self) -> str:
        """The active criteria in words (the folded search bar on phones)."""
        if not self.is_valid():
            return _("Correct the search criteria.")
        words = [self.searched_words()]
        names = ("caller_id", *self.ADVANCED)
        for name in names:
            value = self.data.get(name)
            if not self._other_typed({name: value}, self.current):
                continue
            field = self.fields[name]
            if name == "account":
                value = dict(field.choices).get(value, value)
            words.append(_("%(label)s: %(value)s") % {"label": field.label, "value": value})
        return " · ".join(str(w) for w in words)

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
