"""The back office's "Who saw what": the audit log, read only, filterable by account, person,
action and dates, searchable, each time in its account's zone, and exportable (CSV and Excel
through portal/sheets.py, JSON lines as `manage.py audit_export` writes them)."""

from __future__ import annotations

import io
import tempfile

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from portal import sheets
from portal.accounts import audit, auditing
from portal.accounts.backoffice import ReadOnlyAdmin
from portal.accounts.models import Account, AuditLog

ACCOUNT_PARAM = "account__id__exact"
EXCEL_ROWS = 1_000_000  # an Excel sheet holds 1,048,576 rows
FORMATS = {"csv", "xlsx", "jsonl"}


def filtered_account(request) -> Account | None:
    value = request.GET.get(ACCOUNT_PARAM, "")
    return Account.objects.filter(pk=value).first() if value.isdigit() else None


class PersonFilter(admin.SimpleListFilter):
    """The people (and API tokens) in the log, of the chosen account when one is."""

    title = _("person")
    parameter_name = "actor"
    LIMIT = 300

    def lookups(self, request, model_admin):
        qs = AuditLog.objects.exclude(actor="")
        account = filtered_account(request)
        if account is not None:
            qs = qs.filter(account=account)
        actors = qs.order_by("actor").values_list("actor", flat=True).distinct()[: self.LIMIT]
        return [(actor, actor) for actor in actors]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(actor=self.value())
        return queryset


class ActionFilter(admin.SimpleListFilter):
    """The actions in the log, named in words where the portal knows them."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        qs = AuditLog.objects.all()
        account = filtered_account(request)
        if account is not None:
            qs = qs.filter(account=account)
        actions = qs.order_by().values_list("action", flat=True).distinct()
        # An action once written under another name is one choice (auditing.FORMER_NAMES).
        current = {auditing.current_name(a) for a in actions}
        labelled = [(a, auditing.action_label(a)) for a in current]
        return sorted(labelled, key=lambda pair: str(pair[1]).casefold())

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action__in=auditing.names_of(self.value()))
        return queryset


class DateRangeFilter(admin.ListFilter):
    """From / To days (typed or picked, YYYY-MM-DD), in the chosen account's zone (the
    portal's without one); both days included. A day that is not one is said so, and the
    list then shows nothing rather than more than was asked."""

    title = _("date")
    template = "admin/accounts/auditlog/date_range_filter.html"
    SINCE, UNTIL = "since", "until"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.values = {}
        for name in (self.SINCE, self.UNTIL):
            if name in params:
                value = params.pop(name)
                value = value[-1] if isinstance(value, list) else value
                self.used_parameters[name] = value
                self.values[name] = value.strip()
        self.errors = []
        self.days = {}
        for name, text in self.values.items():
            if not text:
                continue
            try:
                self.days[name] = auditing.parse_day(text)
            except ValidationError as error:
                self.errors.extend(error.messages)
        if not self.errors and len(self.days) == 2 and self.days["since"] > self.days["until"]:
            self.errors.append(str(_("The “From” day comes after the “To” day.")))

    def has_output(self):
        return True

    def expected_parameters(self):
        return [self.SINCE, self.UNTIL]

    def choices(self, changelist):
        kept = []
        for key, values in changelist.filter_params.items():
            if key not in (self.SINCE, self.UNTIL, "p", "e"):
                kept.extend((key, value) for value in values)
        yield {
            "kept": kept,
            "since": self.values.get(self.SINCE, ""),
            "until": self.values.get(self.UNTIL, ""),
            "errors": self.errors,
        }

    def queryset(self, request, queryset):
        if self.errors:
            for error in self.errors:
                messages.error(request, error)
            return queryset.none()
        if not self.days:
            return queryset
        return auditing.entries(
            filtered_account(request),
            since=self.days.get(self.SINCE),
            until=self.days.get(self.UNTIL),
            queryset=queryset,
        ).order_by()


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """Read only for everybody (the trail is immutable: the model refuses changes too)."""

    list_display = [
        "local_time",
        "actor",
        "account",
        "action_name",
        "what",
        "ip",
        "detail_short",
    ]
    list_display_links = ["local_time"]
    list_filter = ["account", PersonFilter, ActionFilter, DateRangeFilter]
    search_fields = ["actor", "action", "object_type", "object_id", "account__number", "ip"]
    list_select_related = ["account"]
    show_full_result_count = False
    fields = [
        "at",
        "actor",
        "user",
        "ip",
        "account",
        "action_name",
        "object_type",
        "object_id",
        "detail_text",
    ]
    readonly_fields = fields
    change_list_template = "admin/accounts/auditlog/change_list.html"

    @admin.display(description=_("time (the account's zone)"), ordering="at")
    def local_time(self, obj: AuditLog) -> str:
        tz = obj.account.tz if obj.account is not None else timezone.get_default_timezone()
        local = obj.at.astimezone(tz)
        return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}"

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, obj: AuditLog) -> str:
        return auditing.action_label(obj.action)

    @admin.display(description=_("object"), ordering="object_type")
    def what(self, obj: AuditLog) -> str:
        return " · ".join(p for p in (obj.object_type, obj.object_id) if p) or "—"

    @admin.display(description=_("detail"))
    def detail_short(self, obj: AuditLog) -> str:
        text = auditing.detail_text(obj.detail)
        return text if len(text) <= 80 else text[:79] + "…"

    @admin.display(description=_("detail"))
    def detail_text(self, obj: AuditLog) -> str:
        return auditing.detail_text(obj.detail) or "—"

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_view)
        return [
            path("export/<str:fmt>/", export, name="accounts_auditlog_export"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        query = request.GET.urlencode()
        account = filtered_account(request)
        title = _("Who saw what")
        extra_context = {
            **(extra_context or {}),
            "title": f"{title} — {account.label}" if account is not None else title,
            "exports": [
                (_("Export CSV"), self._export_url("csv", query)),
                (_("Export Excel"), self._export_url("xlsx", query)),
                (_("Export JSON lines"), self._export_url("jsonl", query)),
            ],
        }
        return super().changelist_view(request, extra_context)

    @staticmethod
    def _export_url(fmt: str, query: str) -> str:
        url = reverse("admin:accounts_auditlog_export", args=[fmt])
        return f"{url}?{query}" if query else url

    def export_view(self, request, fmt: str):
        """The entries the list shows (all its pages, its filters and search), oldest
        first, as CSV, Excel or JSON lines. The export itself is recorded."""
        if fmt not in FORMATS:
            raise Http404
        if not self.has_view_permission(request):
            raise PermissionDenied
        back = reverse("admin:accounts_auditlog_changelist") + (
            f"?{request.GET.urlencode()}" if request.GET else ""
        )
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            messages.error(request, _("These filters cannot be exported: choose them again."))
            return HttpResponseRedirect(back)
        spec = next((s for s in changelist.filter_specs if isinstance(s, DateRangeFilter)), None)
        if spec is not None and spec.errors:
            for error in spec.errors:
                messages.error(request, error)
            return HttpResponseRedirect(back)
        entries = auditing.entries(queryset=changelist.get_queryset(request))
        account = filtered_account(request)
        if fmt == "xlsx" and entries.count() > EXCEL_ROWS:
            messages.error(
                request,
                _(
                    "More than %(limit)s entries: too many for one Excel sheet. Narrow the "
                    "dates or export CSV or JSON lines."
                )
                % {"limit": number_format(EXCEL_ROWS, force_grouping=True)},
            )
            return HttpResponseRedirect(back)
        entries = auditing.as_it_stands(entries)  # not the export's own entry
        audit.record(
            "audit.export",
            request=request,
            account=account,
            format=fmt,
            criteria={k: v for k, v in request.GET.items()},
        )
        name = auditing.export_name(account, fmt)
        if fmt == "jsonl":
            response = StreamingHttpResponse(
                auditing.json_lines(entries), content_type="application/x-ndjson; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        out = tempfile.TemporaryFile()
        if fmt == "csv":
            text = io.TextIOWrapper(out, encoding="utf-8", newline="")
            sheets.write_csv(auditing.table(entries), text)
            text.flush()
            text.detach()
            content_type = sheets.CSV_TYPE
        else:
            title = str(AuditLog._meta.verbose_name_plural).capitalize()
            lines = [title + (f" — {account.label}" if account is not None else "")]
            sheet = sheets.Sheet(title=title, tables=[auditing.table(entries)], lines=lines)
            sheets.write_xlsx([sheet], out)
            content_type = sheets.XLSX_TYPE
        out.seek(0)
        return FileResponse(out, as_attachment=True, filename=name, content_type=content_type)
