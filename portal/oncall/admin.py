"""The staff back office for schedules and shifts: create, edit, copy to later dates, delete.

Every change goes through portal.oncall.services (history, stored intervals); deleting
removes from use and keeps the history. Clients never reach this (Django admin is staff only).
"""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from portal.oncall import services
from portal.oncall.models import Schedule, ScheduleEvent, Shift
from portal.oncall.services import Actor, OnCallError


def _actor(request) -> Actor:
    return Actor(user=request.user, name=f"staff:{request.user.get_username()}")


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
class ScheduleAdmin(admin.ModelAdmin):
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
                        _("%(name)s made, with %(n)s shifts.")
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
            messages.error(request, str(exc.message))
            return
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


class ShiftForm(forms.ModelForm):
    class Meta:
        model = Shift
        fields = ["schedule", "external_id", "start", "end", "rank", "name", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["external_id"].required = False
        self.fields["external_id"].help_text = _("Left empty: made from the start time.")
        self.fields["schedule"].queryset = Schedule.objects.filter(removed_at=None).select_related(
            "account"
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            raise forms.ValidationError(services.END_BEFORE_START)
        return data


class CopyScheduleForm(forms.Form):
    schedule_id = forms.CharField(label=_("Id of the new schedule"), max_length=64)
    name = forms.CharField(label=_("Name of the new schedule"), max_length=200)
    days = forms.IntegerField(
        label=_("Days later"), min_value=0, initial=0, help_text=_("0 for the same dates")
    )


class CopyForm(forms.Form):
    days = forms.IntegerField(
        label=_("Days later"), min_value=1, initial=7, help_text=_("7 for the next week")
    )
    times = forms.IntegerField(label=_("Number of copies"), min_value=1, max_value=520, initial=1)


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    form = ShiftForm
    list_display = ["start", "end", "rank", "name", "role", "schedule", "version", "removed_at"]
    list_filter = [RemovedFilter, "schedule"]
    search_fields = ["schedule__name", "schedule__account__number", "external_id", "name"]
    list_select_related = ["schedule__account"]
    date_hierarchy = "start"
    actions = ["copy_to_later_dates", "remove_shifts"]
    readonly_fields = ["version", "removed_at"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "schedule" in request.GET:
            initial["schedule"] = request.GET["schedule"]
        return initial

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        schedule = data["schedule"]
        external_id = (
            data.get("external_id")
            or (change and obj.external_id)
            or data["start"].astimezone(schedule.account.tz).strftime("%Y%m%d%H%M")
        )
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
            )
        except OnCallError as exc:
            messages.error(request, str(exc.message))
            return
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.delete_shift(obj, actor=_actor(request))

    def delete_queryset(self, request, queryset):
        for shift in queryset:
            services.delete_shift(shift, actor=_actor(request))

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Remove the selected shifts (history is kept)"))
    def remove_shifts(self, request, queryset):
        self.delete_queryset(request, queryset)
        messages.success(request, _("Removed."))

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
                messages.success(request, _("%(n)s shifts made.") % {"n": len(made)})
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


@admin.register(ScheduleEvent)
class ScheduleEventAdmin(admin.ModelAdmin):
    list_display = ["at", "schedule", "actor_name", "action", "shift"]
    list_filter = ["action"]
    search_fields = ["schedule__name", "actor_name"]
    readonly_fields = [f.name for f in ScheduleEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
