"""Back office: billable transactions and billing lines, as the platform sent them (read only)."""

from django.contrib import admin

from portal.accounts.backoffice import ReadOnlyAdmin, in_account_zone
from portal.billing.models import BillableTransaction, BillingLine


@admin.register(BillableTransaction)
class BillableTransactionAdmin(ReadOnlyAdmin):
    list_display = [
        "transaction_id",
        "account",
        in_account_zone(BillableTransaction, "at"),
        "description",
        "number",
        "agent",
    ]
    list_filter = ["account"]
    search_fields = ["transaction_id", "number", "caller_name", "account__number"]
    date_hierarchy = "at"
    list_select_related = ["account"]
    show_full_result_count = False


@admin.register(BillingLine)
class BillingLineAdmin(ReadOnlyAdmin):
    list_display = ["line_id", "billing_number", "date", "kind", "description", "amount"]
    list_filter = ["kind"]
    search_fields = ["line_id", "billing_number", "description"]
    date_hierarchy = "date"
