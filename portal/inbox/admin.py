"""Back office: messages and their dispatch history, as the platform sent them (read only)."""

from django.contrib import admin

from portal.accounts.backoffice import ReadOnlyAdmin, ReadOnlyInline, in_account_zone
from portal.inbox.models import Message, MessageEvent


class MessageEventInline(ReadOnlyInline):
    model = MessageEvent
    fields = ["at", "kind", "channel", "recipient"]
    readonly_fields = fields


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = [
        "message_id",
        "account",
        in_account_zone(Message, "taken_at"),  # times in the account's zone
        "subject",
        "urgent",
        "status",
        "agent",
    ]
    list_filter = ["status", "urgent", "account"]
    search_fields = ["message_id", "call_id", "subject", "search_text", "account__number"]
    date_hierarchy = "taken_at"
    list_select_related = ["account", "agent"]
    exclude = ["search_text"]
    inlines = [MessageEventInline]
    show_full_result_count = False
