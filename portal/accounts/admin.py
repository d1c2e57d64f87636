"""The staff back office: client accounts, account groups, logins with memberships, audit log."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.accounts import audit
from portal.accounts.audit_admin import AuditLogAdmin  # noqa: F401 (the audit log's admin)
from portal.accounts.forms import ClientUserCreationForm
from portal.accounts.models import Account, AccountGroup, Membership, User
from portal.accounts.reset_admin import ResetLinkAdmin
from portal.accounts.services import save_account
from portal.accounts.twofactor_admin import TwoFactorAdmin
from portal.accounts.users import create_client_user
from portal.accounts.viewas_views import ViewAsAdmin


class AccountMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    verbose_name = _("login with access")
    verbose_name_plural = _("logins with access")


@admin.register(Account)
class AccountAdmin(ViewAsAdmin, admin.ModelAdmin):
    list_display = ["number", "name", "billing_number", "language", "timezone", "retention_days"]
    list_display_links = ["number", "name"]
    list_filter = ["language", "groups", "timezone"]
    search_fields = ["number", "name", "billing_number"]
    filter_horizontal = ["groups"]
    fieldsets = [
        (None, {"fields": ["number", "name", "billing_number"]}),
        (_("Language and time"), {"fields": ["language", "timezone"]}),
        (_("Groups and retention"), {"fields": ["groups", "retention_days"]}),
        (_("On call"), {"fields": ["oncall_users_may_change"]}),
        (_("Sign-in"), {"fields": ["require_two_factor"]}),
    ]
    inlines = [AccountMembershipInline]

    def save_model(self, request, obj, form, change):
        # The same service as the API's: a new time zone moves the calls' local fields.
        save_account(obj)


@admin.register(AccountGroup)
class AccountGroupAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "account_count"]
    search_fields = ["number", "name"]

    @admin.display(description=_("accounts"))
    def account_count(self, obj: AccountGroup) -> int:
        return obj.accounts.count()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["account"]
    verbose_name = _("client account")
    verbose_name_plural = _("client accounts")


@admin.register(User)
class UserAdmin(ResetLinkAdmin, TwoFactorAdmin, DjangoUserAdmin):
    """Logins: staff and clients. The "add" form creates a client login with its accounts."""

    add_form = ClientUserCreationForm
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "password1", "password2"],
            },
        ),
        (_("Access"), {"fields": ["accounts", "role", "is_staff"]}),
    ]
    fieldsets = [
        (None, {"fields": ["username", "password", "language"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (
            _("Permissions"),
            {
                "classes": ["collapse"],
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ],
            },
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
        (_("Sign-in"), {"fields": ["two_factor_status"]}),
    ]
    readonly_fields = ["last_login", "date_joined", "two_factor_status"]
    list_display = ["username", "first_name", "last_name", "account_list", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "memberships__role", "memberships__account"]
    search_fields = ["username", "first_name", "last_name", "email", "memberships__account__number"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships__account")

    @admin.display(description=_("client accounts"))
    def account_list(self, obj: User) -> str:
        return ", ".join(m.account.number for m in obj.memberships.all())

    def get_inlines(self, request, obj):
        # A new login gets its accounts from the add form.
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        try:
            user = create_client_user(
                data["username"],
                data["password1"],
                list(data["accounts"]),
                data["role"],
                request=request,
                is_staff=data["is_staff"],
            )
        except ValidationError as error:  # the form checked already; a race is still possible
            raise ValidationError(error.messages) from None
        obj.pk = user.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            audit.record("password.reset", request=request, obj=user)
        return response
