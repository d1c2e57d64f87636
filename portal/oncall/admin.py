"""The staff back office for schedules and shifts: create, edit, copy to later dates, delete.

Every change goes through portal.oncall.services (history, stored intervals); deleting
removes from use and keeps the history. Clients never reach this (Django admin is staff only).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.http import QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.oncall import services
from portal.oncall.admin_forms import (
    REASON_REQUIRED,
    CorrectForm,
    ShiftForm,
    schedule_label,
    zoned,
)
from portal.oncall.models import Schedule, ScheduleEvent, Shift
from portal.oncall.services import Actor, OnCallError
from portal.text import validate_single_line


def _actor(request) -> Actor:
    return Actor(user=request.user, name=f"staff:{request.user.get_username()}")


class _Refused(Exception):
    """A service refused the save: the form, with the refusal on it, is shown again."""

    def __init__(self, form):
        super().__init__("refused")
        self.form = form


class RefusalShownMixin:
    """A save the on-call services refuse (OnCallError) shows only the refusal, on the form
    with the values typed, and no "changed successfully" (nothing was saved)."""

    def refuse(self, form, exc: OnCallError):
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.message)
        raise _Refused(form)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refused:
            return self._show_refused(request, refused.form, object_id, form_url)

    def _show_refused(self, request, form, object_id, form_url):
        add = object_id is None
        obj = None if add else self.get_object(request, unquote(object_id))
        fieldsets = self.get_fieldsets(request, obj)
        admin_form = helpers.AdminForm(
            form,
            list(fieldsets),
            self.get_prepopulated_fields(request, obj),
            self.get_readonly_fields(request, obj),
            model_admin=self,
        )
        opts = self.opts
        title = _("Add %s") if add else _("Change %s")
        context = {
            **self.admin_site.each_context(request),
            "title": title % opts.verbose_name,
            "subtitle": str(obj) if obj else None,
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
        }
        return self.render_change_form(
            request, context, add=add, change=not add, obj=obj, form_url=form_url
        )


class RemovedFilter(admin.SimpleListFilter):
    title = _("in use")
    parameter_name = "in_use"

    def lookups(self, request, model_admin):
        return [("yes", _("In use")), ("no", _("Removed"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(removed_at=None)
        if self.value() == "no":
            return queryset.exclude(removed_at=None)
        return queryset


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = Schedule
        fields = ["account", "external_id", "name"]


@admin.register(Schedule)
class ScheduleAdmin(RefusalShownMixin, admin.ModelAdmin):
    form = ScheduleForm
    list_display = ["name", "external_id", "account", "removed_at"]
    list_filter = [RemovedFilter]
    search_fields = ["name", "external_id", "account__number", "account__name"]
    list_select_related = ["account"]
    actions = ["copy_schedule", "remove_schedules"]

    def get_readonly_fields(self, request, obj=None):
        return ["account", "external_id", "removed_at"] if obj else ["removed_at"]

    @admin.action(description=_("Copy the selected schedule to a new schedule"))
    def copy_schedule(self, request, queryset):
        schedules = list(queryset.select_related("account")[:2])
        if len(schedules) != 1:
            messages.error(request, _("Choose one schedule to copy."))
            return None
        schedule = schedules[0]
        if "apply" in request.POST:
            form = CopyScheduleForm(request.POST)
            if form.is_valid():
                try:
                    copy, made = services.copy_schedule(
                        schedule,
                        form.cleaned_data["schedule_id"],
                        form.cleaned_data["name"],
                        days=form.cleaned_data["days"],
                        actor=_actor(request),
                    )
                except OnCallError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(name)s made, with %(n)s shift.",
                            "%(name)s made, with %(n)s shifts.",
                            len(made),
                        )
                        % {"name": copy.name, "n": len(made)},
                    )
                    return None
        else:
            form = CopyScheduleForm(
                initial={"schedule_id": f"{schedule.external_id}-2", "name": schedule.name}
            )
        return render(
            request,
            "oncall/admin_copy.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "schedules": [schedule],
                "opts": self.model._meta,
                "action": "copy_schedule",
                "title": _("Copy a schedule"),
            },
        )

    def save_model(self, request, obj, form, change):
        try:
            saved, _outcome = services.upsert_schedule(
                obj.account, obj.external_id, obj.name, actor=_actor(request)
            )
        except OnCallError as exc:
            self.refuse(form, exc)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.delete_schedule(obj, actor=_actor(request))

    def delete_queryset(self, request, queryset):
        for schedule in queryset:
            services.delete_schedule(schedule, actor=_actor(request))

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Remove the selected schedules (history is kept)"))
    def remove_schedules(self, request, queryset):
        self.delete_queryset(request, queryset)
        messages.success(request, _("Removed."))


class CopyScheduleForm(forms.Form):
    schedule_id = forms.CharField(
        label=_("Id of the new schedule"), max_length=64, validators=[validate_single_line]
    )
    name = forms.CharField(
        label=_("Name of the new schedule"), max_length=200, validators=[validate_single_line]
    )
    days = forms.IntegerField(
        label=_("Days later"), min_value=0, initial=0, help_text=_("0 for the same dates")
    )


class CopyForm(forms.Form):
    days = forms.IntegerField(
        label=_("Days later"), min_value=1, initial=7, help_text=_("7 for the next week")
    )
    times = forms.IntegerField(label=_("Number of copies"), min_value=1, max_value=520, initial=1)


class ScheduleFilter(admin.RelatedFieldListFilter):
    """The schedules named with their accounts (two accounts' "01 Horaire" differ)."""

    def field_choices(self, field, request, model_admin):
        schedules = Schedule.objects.select_related("account").order_by("account__number", "name")
        return [(s.pk, schedule_label(s)) for s in schedules]


def _in_zone(field: str):
    """A list column: the shift's time in its account's zone, with the zone."""

    @admin.display(description=Shift._meta.get_field(field).verbose_name, ordering=field)
    def show(obj) -> str:
        return zoned(getattr(obj, field), obj.schedule.account.tz)

    show.__name__ = f"{field}_in_zone"
    return show


@admin.display(description=_("Schedule"), ordering="schedule")
def _schedule_column(obj) -> str:
    return schedule_label(obj.schedule)


@admin.register(Shift)
class ShiftAdmin(RefusalShownMixin, admin.ModelAdmin):
    form = ShiftForm
    # Times in each shift's account zone (staff read what they type), schedules with accounts.
    list_display = [
        _in_zone("start"),
        _in_zone("end"),
        "rank",
        "name",
        "role",
        _schedule_column,
        "version",
        "removed_at",
    ]
    list_filter = [RemovedFilter, ("schedule", ScheduleFilter)]
    search_fields = ["schedule__name", "schedule__account__number", "external_id", "name"]
    list_select_related = ["schedule__account"]
    date_hierarchy = "start"
    actions = ["copy_to_later_dates", "correct_who_was_on_call", "remove_shifts"]
    fields = [
        "schedule",
        "external_id",
        "start",
        "start_which",
        "end",
        "end_which",
        "rank",
        "name",
        "role",
        "past_reason",
        "version",
        "removed_at",
    ]

    def get_fields(self, request, obj=None):
        if obj is None:  # a new shift: no version nor removal to show yet
            return [f for f in self.fields if f not in ("version", "removed_at")]
        return [_schedule_column if f == "schedule" else f for f in self.fields]

    def get_readonly_fields(self, request, obj=None):
        # A shift's id and schedule are fixed once made: the platform names the shift by
        # them, and changing them used to make a second shift instead of moving this one.
        if obj is not None:
            return [_schedule_column, "external_id", "version", "removed_at"]
        return ["version", "removed_at"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return super().change_view(request, object_id, form_url, extra_context)
        tz = obj.schedule.account.tz
        extra_context = {  # the page's subtitle in the account's zone too
            **(extra_context or {}),
            "subtitle": f"{obj.name} {obj.role} {zoned(obj.start, tz)}",
        }
        # Rendered in the account's zone: the admin's "Now" and its time-difference note
        # then speak of the account's clock, as the fields do.
        with timezone.override(tz):
            response = super().change_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()
        return response

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "schedule" in request.GET:
            initial["schedule"] = request.GET["schedule"]
        return initial

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        schedule = obj.schedule if change else data["schedule"]
        external_id = (
            obj.external_id
            if change
            else data.get("external_id")
            or data["start"].astimezone(schedule.account.tz).strftime("%Y%m%d%H%M")
        )
        # Correcting the past: the reason goes to the history (services.upsert_shift).
        reason = (data.get("past_reason") or "").strip()
        extra = {"past_reason": reason} if reason and form.touches_past() else {}
        try:
            saved, _outcome = services.upsert_shift(
                schedule,
                external_id,
                start=data["start"],
                end=data["end"],
                rank=data["rank"],
                name=data["name"],
                role=data["role"],
                actor=_actor(request),
                **extra,
            )
        except OnCallError as exc:
            self.refuse(form, exc)
        obj.pk = saved.pk

    # Removing a shift that has begun corrects the past: the confirmation asks for the reason.
    delete_confirmation_template = "oncall/admin_shift_delete.html"

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or obj.start > services._now():
            return super().delete_view(request, object_id, extra_context)
        extra_context = {**(extra_context or {}), "begun": True}
        if request.method == "POST" and not request.POST.get("past_reason", "").strip():
            extra_context["reason_error"] = REASON_REQUIRED
            request.POST = QueryDict("")  # shown again for the reason, nothing removed
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        reason = request.POST.get("past_reason", "").strip()
        begun = obj.start <= services._now()
        services.delete_shift(obj, actor=_actor(request), past_reason=reason if begun else None)

    def delete_queryset(self, request, queryset):
        now, kept = services._now(), 0
        for shift in queryset:
            if shift.start <= now:  # the past: one by one, with the reason
                kept += 1
                continue
            services.delete_shift(shift, actor=_actor(request))
        if kept:
            messages.warning(
                request,
                ngettext(
                    "%(n)s shift has begun and was kept: remove it from its own page, "
                    "with the reason.",
                    "%(n)s shifts have begun and were kept: remove each from its own page, "
                    "with the reason.",
                    kept,
                )
                % {"n": kept},
            )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Remove the selected shifts (history is kept)"))
    def remove_shifts(self, request, queryset):
        self.delete_queryset(request, queryset)
        messages.success(request, _("Removed."))

    @admin.action(description=_("Correct who was on call (the past too, with a reason)"))
    def correct_who_was_on_call(self, request, queryset):
        shifts = list(queryset.select_related("schedule__account")[:2])
        if len(shifts) != 1:
            messages.error(request, _("Choose one shift to correct."))
            return None
        shift = shifts[0]
        if "apply" in request.POST:
            form = CorrectForm(request.POST, shift=shift)
            if form.is_valid():
                contact, reason = form.cleaned_data["contact"], form.cleaned_data["past_reason"]
                try:
                    if contact is not None:
                        services.assign(shift, contact, actor=_actor(request), past_reason=reason)
                    else:
                        services.unassign(shift, actor=_actor(request), past_reason=reason)
                except OnCallError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, _("Corrected: %(shift)s.") % {"shift": shift})
                    return None
        else:
            current = services.active_base(shift)
            form = CorrectForm(shift=shift, initial={"contact": current and current.contact_id})
        return render(
            request,
            "oncall/admin_correct.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "shift": shift,
                "schedule_label": schedule_label(shift.schedule),
                "opts": self.model._meta,
                "action": "correct_who_was_on_call",
                "title": _("Correct who was on call"),
            },
        )

    @admin.action(description=_("Copy the selected shifts to later dates"))
    def copy_to_later_dates(self, request, queryset):
        if "apply" in request.POST:
            form = CopyForm(request.POST)
            if form.is_valid():
                try:
                    made = services.copy_shifts(
                        list(queryset.select_related("schedule__account")),
                        days=form.cleaned_data["days"],
                        times=form.cleaned_data["times"],
                        actor=_actor(request),
                    )
                except OnCallError as exc:
                    messages.error(request, str(exc.message))
                    return None
                messages.success(
                    request,
                    ngettext("%(n)s shift made.", "%(n)s shifts made.", len(made))
                    % {"n": len(made)},
                )
                return None
        else:
            form = CopyForm()
        return render(
            request,
            "oncall/admin_copy.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "shifts": queryset,
                "opts": self.model._meta,
                "action": "copy_to_later_dates",
                "title": _("Copy shifts to later dates"),
            },
        )


@admin.display(description=_("Schedule"), ordering="schedule")
def _event_schedule(obj) -> str:
    return schedule_label(obj.schedule)


@admin.display(description=_("When"), ordering="at")
def _event_at(obj) -> str:
    return zoned(obj.at, obj.schedule.account.tz)


@admin.display(description=_("Reason for correcting the past"))
def _event_reason(obj) -> str:
    return (obj.after or {}).get("past_reason") or (obj.before or {}).get("past_reason") or ""


@admin.register(ScheduleEvent)
class ScheduleEventAdmin(admin.ModelAdmin):
    # In the account's zone, schedules with their accounts, and the reason of a correction.
    list_display = [_event_at, _event_schedule, "actor_name", "action", "shift", _event_reason]
    list_select_related = ["schedule__account", "shift__schedule__account"]
    list_filter = ["action"]
    search_fields = ["schedule__name", "actor_name"]
    readonly_fields = [f.name for f in ScheduleEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
