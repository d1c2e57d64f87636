"""URL map. Client pages live under /a/<account_number>/ (see accounts.tenancy)."""

from django.contrib import admin
from django.urls import include, path

from portal.accounts import twofactor_views, viewas_views
from portal.accounts import views as account_views
from portal.api.urls import api
from portal.oncall.api import oncall_now

account_patterns = [
    path("", include("portal.accounts.urls")),
    path("", include("portal.inbox.urls")),
    path("", include("portal.directory.urls")),
    path("", include("portal.calls.urls")),
    path("", include("portal.oncall.urls")),
    path("", include("portal.billing.urls")),
    path("", include("portal.stats.urls")),
    path("", include("portal.exports.urls")),
    path("", include("portal.api.client_urls")),  # Settings: a client admin's API tokens
]

urlpatterns = [
    # "Who is on call now", the dispatch's hot path, ahead of the rest of the API.
    path("api/v1/accounts/<str:number>/oncall", oncall_now, name="oncall_now"),
    path("api/v1/", api.urls),
    path("", account_views.root, name="root"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("password/", include("portal.accounts.reset_urls")),  # reset by e-mail
    path("login/code/", twofactor_views.login_code, name="login_code"),
    path("two-factor/setup/", twofactor_views.setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", twofactor_views.recovery_codes, name="two_factor_codes"),
    path("logout/", account_views.logout_view, name="logout"),
    path("view-as/stop/", viewas_views.stop, name="view_as_stop"),
    path("language/", account_views.set_language, name="set_language"),
    path("switch/", account_views.switch_account, name="switch_account"),
    path("session/", account_views.session_status, name="session_status"),
    path("session/renew/", account_views.session_renew, name="session_renew"),
    path("a/<str:account_number>/", include(account_patterns)),
    path("admin/", admin.site.urls),
    path("", include("portal.oncall.public_urls")),
    path("", include("portal.stats.public_urls")),  # scheduled reports' unsubscribe link
]

handler404 = "portal.accounts.views.page_not_found"
