"""Back office: calls, recordings and agents, as the platform sent them (read only)."""

from django.contrib import admin
from django.template.defaultfilters import filesizeformat

from portal.accounts import backoffice as text
from portal.accounts.backoffice import ReadOnlyAdmin, in_account_zone
from portal.calls.models import Agent, Call, Recording


@admin.register(Agent)
class AgentAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = [
        "call_id",
        "account",
        in_account_zone(Call, "started_at"),  # times in the account's zone
        "duration",
        "direction",
        "kind",
        "caller_id",
        "agent",
        "has_recording",
    ]
    list_filter = ["kind", "direction", "busy", "account"]
    search_fields = ["call_id", "caller_id", "caller_name", "account__number", "agent__code"]
    date_hierarchy = "started_at"
    list_select_related = ["account", "agent", "recording"]
    show_full_result_count = False

    @admin.display(description=text.DURATION, ordering="duration_ms")
    def duration(self, obj: Call) -> str:
        seconds = round(obj.duration_ms / 1000)
        return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"

    @admin.display(description=text.RECORDING, boolean=True)
    def has_recording(self, obj: Call) -> bool:
        return hasattr(obj, "recording")


@admin.register(Recording)
class RecordingAdmin(ReadOnlyAdmin):
    list_display = ["call", "account", "content_type", "size_display", "duration_s", "created_at"]
    list_filter = ["content_type", "call__account"]
    search_fields = ["call__call_id", "sha256"]
    list_select_related = ["call__account"]
    exclude = ["file"]
    readonly_fields = ["call", "content_type", "size", "sha256", "duration_s", "stored_as"]

    @admin.display(description=text.ACCOUNT)
    def account(self, obj: Recording):
        return obj.call.account

    @admin.display(description=text.SIZE, ordering="size")
    def size_display(self, obj: Recording) -> str:
        return filesizeformat(obj.size)

    @admin.display(description=text.STORED_AS)
    def stored_as(self, obj: Recording) -> str:
        return obj.file.name
