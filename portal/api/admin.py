"""Back office: API tokens. A new token is shown once, in a message; only its hash is kept."""

from django import forms
from django.contrib import admin, messages

from portal.accounts import audit
from portal.accounts import backoffice as text
from portal.accounts.models import Account
from portal.api import services
from portal.api.auth import ACCOUNT_LIMITED
from portal.api.models import ApiToken
from portal.api.services import create_token


class NewTokenForm(forms.ModelForm):
    accounts = forms.ModelMultipleChoiceField(
        Account.objects.all(),
        required=False,
        label=text.ACCOUNTS,
        help_text=text.TOKEN_ACCOUNTS_HELP,
    )

    class Meta:
        model = ApiToken
        fields = ["name", "scope", "accounts"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") in ACCOUNT_LIMITED and not cleaned.get("accounts"):
            self.add_error("accounts", text.TOKEN_NEEDS_ACCOUNT)
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "scope",
        "starts_with",
        "account_list",
        "created",
        "last_used",
        "active",
    ]
    list_filter = ["scope"]
    search_fields = ["name", "prefix"]
    filter_horizontal = ["accounts"]
    actions = ["revoke"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("accounts")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = NewTokenForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "scope", "accounts"]
        return [
            "name",
            "scope",
            "accounts",
            "starts_with",
            "created",
            "created_by",
            "last_used",
            "revoked_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # The secret cannot change; revoke this token and create another one instead.
        return ["scope", "starts_with", "created", "created_by", "last_used"]

    @admin.display(description=text.PREFIX)
    def starts_with(self, obj: ApiToken) -> str:
        return f"{obj.prefix}…"

    @admin.display(description=text.CREATED, ordering="created_at")
    def created(self, obj: ApiToken):
        return obj.created_at

    @admin.display(description=text.LAST_USED, ordering="last_used_at")
    def last_used(self, obj: ApiToken):
        return obj.last_used_at

    @admin.display(description=text.ACCOUNTS)
    def account_list(self, obj: ApiToken) -> str:
        return ", ".join(a.number for a in obj.accounts.all()) or "—"

    @admin.display(description=text.ACTIVE, boolean=True)
    def active(self, obj: ApiToken) -> bool:
        return obj.revoked_at is None

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        token, raw = create_token(
            data["name"], data["scope"], list(data["accounts"]), created_by=request.user
        )
        obj.pk = token.pk
        obj.refresh_from_db()
        audit.record("token.create", request=request, obj=token, scope=token.scope)
        messages.warning(
            request,
            text.TOKEN_SHOWN_ONCE % {"token": raw},
        )

    def save_related(self, request, form, formsets, change):
        if change:  # a new token got its accounts from create_token
            super().save_related(request, form, formsets, change)

    @admin.action(description=text.REVOKE_TOKENS)
    def revoke(self, request, queryset):
        live = list(queryset.filter(revoked_at=None))  # a revoked one again: nothing recorded
        count = services.revoke_tokens(queryset)
        for token in live:
            audit.record("token.revoke", request=request, obj=token)
        self.message_user(
            request,
            text.TOKENS_REVOKED % {"count": count},
        )
