"""Pieces the back office (the Django admin of every app) shares.

The words of the other apps' admin pages live here too, so that they are in this app's
translation catalog, which the web-foundation work keeps complete.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.utils import unquote
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

# The apps' names in the back office, in French and English.
APP_NAMES = {
    "accounts": _("Client accounts and logins"),
    "api": _("Integration API"),
    "billing": _("Billing"),
    "calls": _("Calls and recordings"),
    "directory": _("Directory and information pages"),
    "inbox": _("Messages"),
    "oncall": _("On call"),
    "stats": _("Statistics"),
    "auth": _("Staff groups"),
    "axes": _("Sign-in attempts"),
}


class PortalAdminSite(admin.AdminSite):
    site_header = _("Client Portal · back office")
    site_title = _("Client Portal back office")
    index_title = _("Back office")

    def has_permission(self, request):
        # Staff only, and only once this session passed its second factor (django-otp).
        user = request.user
        return super().has_permission(request) and bool(
            getattr(user, "is_verified", None) and user.is_verified()
        )

    def login(self, request, extra_context=None):
        """One sign-in for everybody (the portal's, with its code step and throttling): the
        back office's own form would sign staff in with the password alone."""
        if not request.user.is_authenticated or request.method == "POST":
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
        return super().login(request, extra_context)  # "signed in, but not allowed here"

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            app["name"] = APP_NAMES.get(app["app_label"], app["name"])
        return app_list

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every admin of an account's data records staff reading it (audit trail, once
        for all admins: portal/accounts/staff_reads.py)."""
        from django.db.models.base import ModelBase

        from portal.accounts.staff_reads import audited

        if isinstance(model_or_iterable, ModelBase):
            model_or_iterable = [model_or_iterable]
        for model in model_or_iterable:
            chosen = audited(model, admin_class or admin.ModelAdmin)
            super().register(model, chosen, **options)


class PortalAdminConfig(AdminConfig):
    """`django.contrib.admin` with the portal's site (see INSTALLED_APPS)."""

    default_site = "portal.accounts.backoffice.PortalAdminSite"

    def ready(self):
        super().ready()
        # The breadcrumbs ("Home › Client accounts and logins › Audit log") read the app's
        # verbose_name: the same words as the index and sidebar, in the page's language.
        from django.apps import apps

        for config in apps.get_app_configs():
            if config.label in APP_NAMES:
                config.verbose_name = APP_NAMES[config.label]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Data that comes from the call-center platform: staff look, nobody edits here.

    A record's own page reads its times (its fields and its inlines') in its account's zone,
    which the page's subtitle names."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        account = getattr(obj, "account", None)
        if account is None:
            return super().change_view(request, object_id, form_url, extra_context)
        extra_context = {
            **(extra_context or {}),
            "subtitle": _("%(record)s · times in %(zone)s")
            % {"record": obj, "zone": account.timezone},
        }
        with timezone.override(account.tz):
            response = super().change_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()  # inside the zone: a TemplateResponse renders lazily
        return response

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def in_account_zone(model, field: str):
    """A list column: a stored (UTC) time read in its own account's zone, with the zone's
    abbreviation ("2026-11-19 21:30 EST"), under the field's own name; sorts by the field."""

    @admin.display(description=model._meta.get_field(field).verbose_name, ordering=field)
    def show(obj) -> str:
        value = getattr(obj, field)
        if value is None:
            return "—"
        local = value.astimezone(obj.account.tz)
        return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"

    show.__name__ = f"{field}_in_account_zone"
    return show


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Calls and recordings.
DURATION = _("duration")
RECORDING = _("recording")
ACCOUNT = _("account")
SIZE = _("size")
STORED_AS = _("stored as")

# Information pages.
PREVIEW = _("preview")
INFO_PAGE_HELP = _(
    "Formatted text in HTML. Allowed tags: %(tags)s. Anything else is removed on save."
)

# API tokens.
ACCOUNTS = _("accounts")
ACTIVE = _("active")
PREFIX = _("starts with")
CREATED = _("created")
LAST_USED = _("last used")
TOKEN_ACCOUNTS_HELP = _("Required for the client and oncall:write scopes: the accounts it may use.")
TOKEN_NEEDS_ACCOUNT = _("This scope needs at least one account.")
TOKEN_SHOWN_ONCE = _("The new token is %(token)s — copy it now: it is shown only this once.")
REVOKE_TOKENS = _("Revoke the selected tokens")
TOKENS_REVOKED = ngettext_lazy("%(count)d token revoked.", "%(count)d tokens revoked.", "count")
