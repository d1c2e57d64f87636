"""The back office's scheduled reports: every subscription with its last period sent and the
periods still to send; staff pause, resume and delete them (audited, portal.stats.
subscriptions). Clients add them on the Statistics page; staff do not edit them here."""

from django.contrib import admin, messages
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.stats import schedules, subscriptions
from portal.stats.models import ReportDelivery, ReportSubscription


def _period(start, end) -> str:
    if start == end:
        return formats.date_format(start, "SHORT_DATE_FORMAT")
    return (
        f"{formats.date_format(start, 'SHORT_DATE_FORMAT')} – "
        f"{formats.date_format(end, 'SHORT_DATE_FORMAT')}"
    )


class PausedFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "paused"

    def lookups(self, request, model_admin):
        return [("no", _("Active")), ("yes", _("Paused"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(paused_at=None)
        if self.value() == "no":
            return queryset.filter(paused_at=None)
        return queryset


class DeliveryInline(admin.TabularInline):
    model = ReportDelivery
    extra = 0
    can_delete = False
    fields = ["period_start", "period_end", "sent_at", "sent_to", "attempts", "last_error"]
    readonly_fields = fields
    verbose_name = _("period")
    verbose_name_plural = _("periods")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "account",
        "login",
        "reports",
        "frequency",
        "emails",
        "last_period_sent",
        "pending",
        "status",
    ]
    list_filter = ["account", "frequency", PausedFilter]
    search_fields = ["account__number", "account__name", "emails", "created_by__username"]
    list_select_related = ["account", "created_by"]
    actions = ["pause", "resume", "delete_selected"]
    fields = [
        "account",
        "created_by",
        "emails",
        "frequency",
        "statistics",
        "billable",
        "language",
        "created_at",
        "paused_at",
    ]
    readonly_fields = fields
    inlines = [DeliveryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("deliveries")

    def has_add_permission(self, request):
        return False  # clients schedule their reports on the Statistics page

    def has_change_permission(self, request, obj=None):
        return False  # seen here; paused, resumed and deleted by the actions

    @admin.display(description=_("login"), ordering="created_by__username")
    def login(self, obj):
        return obj.created_by.get_username() if obj.created_by else "—"

    @admin.display(description=_("reports"))
    def reports(self, obj):
        wanted = ((_("Statistics"), obj.statistics), (_("Billable Calls"), obj.billable))
        return ", ".join(str(name) for name, on in wanted if on)

    @admin.display(description=_("last period sent"))
    def last_period_sent(self, obj):
        last = schedules.last_sent(obj)
        return _period(last.period_start, last.period_end) if last else "—"

    @admin.display(description=_("pending periods"))
    def pending(self, obj):
        periods = schedules.pending_periods(obj)
        if not periods:
            return "0"
        shown = ", ".join(_period(s, e) for s, e in periods[:3])
        more = "…" if len(periods) > 3 else ""
        return f"{len(periods)} ({shown}{more})"

    @admin.display(description=_("status"), ordering="paused_at")
    def status(self, obj):
        return _("Paused") if obj.paused_at else _("Active")

    @admin.action(description=_("Pause the selected scheduled reports"))
    def pause(self, request, queryset):
        done = sum(subscriptions.pause(sub, request=request) for sub in queryset)
        self.message_user(
            request,
            ngettext("%(n)s scheduled report paused.", "%(n)s scheduled reports paused.", done)
            % {"n": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("Resume the selected scheduled reports"))
    def resume(self, request, queryset):
        done = sum(subscriptions.resume(sub, request=request) for sub in queryset)
        self.message_user(
            request,
            ngettext("%(n)s scheduled report resumed.", "%(n)s scheduled reports resumed.", done)
            % {"n": done},
            messages.SUCCESS,
        )

    def delete_model(self, request, obj):
        subscriptions.delete(obj, request=request)

    def delete_queryset(self, request, queryset):
        for sub in queryset:
            subscriptions.delete(sub, request=request)
