"""Staff reading client data in the back office, recorded in the audit trail.

Done once, for every admin: the back office's site (`backoffice.PortalAdminSite.register`)
gives each model admin whose records belong to a client account the mixin below, so that
opening a record's page records "admin.view" and showing a list (with its filters and search
as criteria) records "admin.list", one entry per account whose records the page showed (with
their ids). A record belongs to an account when a foreign key leads to it ("account",
"call__account", "schedule__account"…) or, for billing lines, by its billing number. The audit
log is such a model too: reading it is recorded like any other.
"""

from __future__ import annotations

from portal.accounts import audit
from portal.accounts.models import Account

BILLING_NUMBER = "billing_number"
DEPTH = 2  # at most "call__account"


def account_path(model) -> str | None:
    """How a record of `model` reaches its client account ("account", "call__account"…,
    "billing_number"), or None when the model is not an account's data (the account itself,
    logins, agents, tokens)."""
    if model is Account:
        return None
    level = [("", model)]
    for _depth in range(DEPTH):
        following = []
        for prefix, current in level:
            fields = [
                f
                for f in current._meta.get_fields()
                if f.concrete and (f.many_to_one or f.one_to_one) and f.related_model
            ]
            fields.sort(key=lambda f: f.name != "account")  # "account" first
            for field in fields:
                path = f"{prefix}{field.name}"
                if field.related_model is Account:
                    return path
                following.append((f"{path}__", field.related_model))
        level = following
    names = {f.name for f in model._meta.get_fields()}
    return BILLING_NUMBER if BILLING_NUMBER in names else None


def accounts_of(model, path: str, pks: list) -> dict:
    """{primary key: Account} of these records (two queries whatever their number)."""
    if not pks:
        return {}
    pairs = list(model._default_manager.filter(pk__in=pks).values_list("pk", path))
    if path == BILLING_NUMBER:
        numbers = {n for _pk, n in pairs if n}
        by_number = {
            a.billing_number: a for a in Account.objects.filter(billing_number__in=numbers)
        }
        return {pk: by_number[n] for pk, n in pairs if n in by_number}
    by_id = Account.objects.in_bulk({a for _pk, a in pairs if a is not None})
    return {pk: by_id[a] for pk, a in pairs if a in by_id}


def criteria_of(request) -> dict:
    """The list's query string as criteria: filters, search ("q"), order ("o"), page ("p")."""
    return {key: values if len(values) > 1 else values[0] for key, values in request.GET.lists()}


def _filtered_account(request) -> Account | None:
    for key, value in request.GET.items():
        if key.endswith("account__id__exact") and value.isdigit():
            return Account.objects.filter(pk=value).first()
    return None


def record_list(request, model, path: str, changelist) -> None:
    """One "admin.list" entry per account among the rows the page showed, each with the ids
    of its rows, the list's criteria and how many records matched."""
    pks = [obj.pk for obj in changelist.result_list]
    owners = accounts_of(model, path, pks)
    shown: dict[Account | None, list[str]] = {}
    for pk in pks:
        shown.setdefault(owners.get(pk), []).append(str(pk))
    if not shown:
        shown[_filtered_account(request)] = []
    criteria = criteria_of(request)
    for account, ids in shown.items():
        audit.record(
            "admin.list",
            request=request,
            account=account,
            object_type=model._meta.label_lower,
            criteria=criteria,
            ids=ids,
            count=changelist.result_count,
        )


def record_view(request, model, path: str, obj) -> None:
    owner = accounts_of(model, path, [obj.pk]).get(obj.pk)
    audit.record("admin.view", request=request, account=owner, obj=obj)


class StaffReadsAudited:
    """Mixed into a ModelAdmin by the site (see the module's doc): successful GETs of the
    list and of a record's page are recorded."""

    audit_account_path = "account"

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        if request.method == "GET" and response.status_code == 200 and "cl" in context:
            record_list(request, self.model, self.audit_account_path, context["cl"])
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        context = getattr(response, "context_data", None) or {}
        obj = context.get("original")
        if request.method == "GET" and response.status_code == 200 and obj is not None:
            record_view(request, self.model, self.audit_account_path, obj)
        return response


def audited(model, admin_class):
    """`admin_class` itself, or, for an account's data, the same admin with its reads
    recorded."""
    path = account_path(model)
    if path is None or issubclass(admin_class, StaffReadsAudited):
        return admin_class
    return type(
        admin_class.__name__,
        (StaffReadsAudited, admin_class),
        {"audit_account_path": path, "__module__": admin_class.__module__},
    )
