"""The Statistics screen's filters (every one of the French WebPortal's), read into `Filters`."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.accounts.models import Account, AccountGroup
from portal.calls.models import CallRollup
from portal.dates import DateField
from portal.stats.services import Filters

WEEKDAYS = [
    ("", pgettext_lazy("weekday", "All")),
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kw):
        super().__init__(format="%Y-%m-%d", **kw)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kw):
        super().__init__(format="%H:%M", **kw)


class StatsForm(forms.Form):
    start = DateField(label=_("From"), widget=DateInput())
    end = DateField(label=_("To"), widget=DateInput())
    accounts = forms.MultipleChoiceField(
        label=_("Account number"), required=False, widget=forms.CheckboxSelectMultiple
    )
    billing_number = forms.CharField(label=_("Billing number"), required=False, max_length=32)
    groups = forms.TypedMultipleChoiceField(
        label=_("Include account group number(s)"), required=False, coerce=int
    )
    exclude_groups = forms.TypedMultipleChoiceField(
        label=_("Exclude account group number(s)"), required=False, coerce=int
    )
    after = forms.TimeField(label=_("Calls after"), required=False, widget=TimeInput())
    before = forms.TimeField(label=_("Calls before"), required=False, widget=TimeInput())
    weekday = forms.ChoiceField(label=_("Day of week"), choices=WEEKDAYS, required=False)
    agent = forms.CharField(label=_("Agent"), required=False, max_length=32)
    hold_gt = forms.IntegerField(label=_("Hold time >"), required=False, min_value=0)
    delay_gt = forms.IntegerField(label=_("Response delay >"), required=False, min_value=0)
    dgroups = forms.TypedMultipleChoiceField(
        label=_("Include distribution group(s)"), required=False, coerce=int
    )
    exclude_dgroups = forms.TypedMultipleChoiceField(
        label=_("Exclude distribution group(s)"), required=False, coerce=int
    )

    def __init__(self, data, *, allowed: list[Account], today: dt.date, current: Account):
        initial = {
            "start": today.replace(day=1),
            "end": today,
            "accounts": [current.number],
            "after": dt.time(0, 0),
            "before": dt.time(23, 59),
            "hold_gt": 0,
            "delay_gt": 0,
        }
        if data is not None and "start" not in data:
            data = None  # first visit: the defaults, report included
        if data is None:
            merged = {k: v for k, v in initial.items()}
            merged["start"] = initial["start"].isoformat()
            merged["end"] = initial["end"].isoformat()
            merged["after"] = "00:00"
            merged["before"] = "23:59"
            data = _QueryLike(merged)
        super().__init__(data, initial=initial)
        self.allowed = allowed
        self.current = current
        self.fields["accounts"].choices = [(a.number, a.label) for a in allowed]
        groups = AccountGroup.objects.filter(accounts__in=allowed).distinct().order_by("number")
        group_choices = [(g.number, str(g)) for g in groups]
        self.fields["groups"].choices = group_choices
        self.fields["exclude_groups"].choices = group_choices
        # The groups the statistics count calls in, from the rollups (portal/calls/rollups.py):
        # reading every call of a large account for them cost a third of a second.
        dgroups = (
            CallRollup.objects.filter(account__in=allowed)
            .order_by("distribution_group")
            .values_list("distribution_group", flat=True)
            .distinct()
        )
        dgroup_choices = [(n, str(n)) for n in sorted(set(dgroups) | {0})]
        self.fields["dgroups"].choices = dgroup_choices
        self.fields["exclude_dgroups"].choices = dgroup_choices

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date cannot be before the start date."))
        if start and end and (end - start).days > 400:
            self.add_error("end", _("Choose a period of at most 400 days."))
        return data

    def selected_accounts(self) -> list[Account]:
        numbers = set(self.cleaned_data.get("accounts") or [self.current.number])
        chosen = [a for a in self.allowed if a.number in numbers]
        billing = (self.cleaned_data.get("billing_number") or "").strip()
        if billing:
            chosen = [a for a in self.allowed if a.billing_number == billing]
        return chosen

    def filters(self) -> Filters:
        d = self.cleaned_data
        return Filters(
            accounts=self.selected_accounts(),
            start=d["start"],
            end=d["end"],
            after=d.get("after"),
            before=d.get("before"),
            weekdays=[int(d["weekday"])] if d.get("weekday") not in (None, "") else [],
            agent=d.get("agent") or "",
            hold_gt=d.get("hold_gt") or None,
            delay_gt=d.get("delay_gt") or None,
            groups=d.get("groups") or [],
            exclude_groups=d.get("exclude_groups") or [],
            dgroups=d.get("dgroups") or [],
            exclude_dgroups=d.get("exclude_dgroups") or [],
        )


class _QueryLike(dict):
    """A dict that answers getlist() like a QueryDict, for the defaults."""

    def getlist(self, key, default=None):
        value = self.get(key, default)
        if value is None:
            return []
        return list(value) if isinstance(value, list | tuple) else [value]
