"""The back office's shift form: times typed and read in the account's zone (DST-aware).

Staff type a shift's start and end as wall times of the schedule's account (07:30 typed for a
Toronto client is 07:30 in Toronto), read through portal.dates.local_instant like every form
that takes a local time: a time the spring change skips is refused with a message saying so,
and a time the autumn change repeats shows radios asking which of the two is meant. A change
that touches the past asks for the reason, which the history records.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils.translation import gettext_lazy as _

from portal.dates import (
    FIRST,
    SECOND,
    LocalTimeError,
    RepeatedTime,
    is_repeated,
    local_instant,
    repeated,
)
from portal.dates import which_of as _which_of
from portal.oncall import services
from portal.oncall.models import Schedule, Shift
from portal.oncall.services.base import _now


def schedule_label(schedule: Schedule) -> str:
    """A schedule named with its account ("4000-TEST · 01 Horaire"): two accounts' schedules
    often share a name."""
    account = schedule.account
    who = f"{account.number}-{account.name}" if account.name else account.number
    return f"{who} · {schedule.name}"


def zoned(value: dt.datetime | None, tz) -> str:
    """A stored time in the account's zone, with the zone: "2023-05-01 07:30 EDT
    (America/Toronto)"."""
    if value is None:
        return "—"
    local = value.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({tz.key})"


class ScheduleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return schedule_label(obj)


class LocalSplitDateTimeField(forms.SplitDateTimeField):
    """A date and a time as typed (naive): the form reads them in the account's zone."""

    def compress(self, data_list):
        if data_list and data_list[0] is not None and data_list[1] is not None:
            return dt.datetime.combine(*data_list)
        return None


WHICH_CHOICES = [("", ""), (FIRST, FIRST), (SECOND, SECOND)]
REASON_HELP = _(
    "Required when the change touches the past (a shift that has begun, or a time before "
    "now): the history records it."
)
ID_TAKEN = _("This schedule already has a shift with this id.")
# The names of the date and time boxes of a start or end (the admin's widget labels neither).
DATE_PART = _("%(field)s, date")
TIME_PART = _("%(field)s, time")
REASON_REQUIRED = _("This change touches the past: write the reason for correcting it.")


def _which_field():
    return forms.ChoiceField(
        label="", choices=WHICH_CHOICES, required=False, widget=forms.HiddenInput
    )


class ShiftForm(forms.ModelForm):
    schedule = ScheduleChoiceField(queryset=Schedule.objects.none(), label=_("Schedule"))
    start = LocalSplitDateTimeField(label=_("Start"), widget=AdminSplitDateTime)
    start_which = _which_field()
    end = LocalSplitDateTimeField(label=_("End"), widget=AdminSplitDateTime)
    end_which = _which_field()
    past_reason = forms.CharField(
        label=_("Reason for correcting the past"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=REASON_HELP,
    )

    class Meta:
        model = Shift
        fields = ["schedule", "external_id", "start", "end", "rank", "name", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self._meta.exclude or ():  # the admin's read-only fields (declared too)
            self.fields.pop(name, None)
        if "external_id" in self.fields:
            self.fields["external_id"].required = False
            self.fields["external_id"].help_text = _("Left empty: made from the start time.")
        if "schedule" in self.fields:
            self.fields["schedule"].queryset = Schedule.objects.filter(
                removed_at=None
            ).select_related("account")
        for name in ("start", "end"):
            field = self.fields[name]
            date_box, time_box = field.widget.widgets
            date_box.attrs["aria-label"] = DATE_PART % {"field": field.label}
            time_box.attrs["aria-label"] = TIME_PART % {"field": field.label}
        tz = self._zone(self.initial.get("schedule"))
        if self.instance.pk:
            for name in ("start", "end"):
                value = getattr(self.instance, name)
                self.initial[name] = value.astimezone(tz).replace(tzinfo=None)
                self.initial[f"{name}_which"] = _which_of(value, tz)
                self._ask_which(name, value.astimezone(tz).replace(tzinfo=None), tz)
        self._describe_zone(tz)

    # --- the account's zone ---------------------------------------------------------------

    def _schedule(self, chosen=None) -> Schedule | None:
        if isinstance(chosen, Schedule):
            return chosen
        if chosen:
            return Schedule.objects.select_related("account").filter(pk=chosen).first()
        if self.instance.pk:
            return self.instance.schedule
        return None

    def _zone(self, chosen=None):
        schedule = self._schedule(chosen)
        return schedule.account.tz if schedule is not None else None

    def _describe_zone(self, tz) -> None:
        for name in ("start", "end"):
            if tz is None:
                text = _("Typed in the time zone of the schedule's account.")
            elif self.instance.pk:
                text = _("Typed in %(zone)s. Saved: %(when)s.") % {
                    "zone": tz.key,
                    "when": zoned(getattr(self.instance, name), tz),
                }
            else:
                text = _("Typed in %(zone)s.") % {"zone": tz.key}
            self.fields[name].help_text = text
            self[name].help_text = text  # a bound field keeps its own copy

    def _ask_which(self, name: str, naive: dt.datetime | None, tz) -> None:
        """Show the radios of a repeated wall time (the autumn change) for field `name`."""
        if naive is None or tz is None or not is_repeated(naive, tz):
            return
        question = repeated(naive, tz)
        field = self.fields[f"{name}_which"]
        field.widget = forms.RadioSelect()
        field.choices = question.choices
        field.label = f"{self.fields[name].label} · {question.legend}"
        self[f"{name}_which"].label = field.label  # a bound field keeps its own copy

    # --- validation ---------------------------------------------------------------------------

    def clean(self):
        data = super().clean()
        schedule = data.get("schedule") or self._schedule()
        if schedule is None:
            return data
        tz = schedule.account.tz
        self._describe_zone(tz)
        for name in ("start", "end"):
            naive = data.get(name)
            if naive is None:
                continue
            self._ask_which(name, naive, tz)
            try:
                data[name] = local_instant(naive, tz, data.get(f"{name}_which", ""))
            except RepeatedTime as exc:
                self.add_error(f"{name}_which", exc.message)
                # Until the staff say which, the first reading stands in (the form is refused
                # anyway), so that the model's own checks do not call the time missing.
                data[name] = local_instant(naive, tz, FIRST)
            except LocalTimeError as exc:
                self.add_error(name, exc.message)
                data.pop(name, None)
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", services.END_BEFORE_START)
        external_id = (data.get("external_id") or "").strip()
        if (
            not self.instance.pk
            and external_id
            and Shift.objects.filter(schedule=schedule, external_id=external_id).exists()
        ):
            self.add_error("external_id", ID_TAKEN)
        if self.touches_past(data) and not (data.get("past_reason") or "").strip():
            self.add_error("past_reason", REASON_REQUIRED)
        return data

    def touches_past(self, data=None) -> bool:
        """A shift that has begun, or times before now: correcting the past."""
        data = self.cleaned_data if data is None else data
        now = _now()
        times = [data.get("start")]
        if self.instance.pk:
            times.append(self.instance.start)
        return any(t is not None and t < now for t in times)


class CorrectForm(forms.Form):
    """Staff correct who was on call during a shift (the past too), always with a reason."""

    contact = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Who was on call"),
        empty_label=_("Nobody (unassign)"),
    )
    past_reason = forms.CharField(
        label=_("Reason for correcting the past"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The history records it with the change."),
    )

    def __init__(self, *args, shift: Shift, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = shift.schedule.account.contacts.filter(
            removed_at=None
        ).order_by("name")
