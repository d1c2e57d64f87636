from django.urls import path

from portal.accounts import twofactor_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/two-step/", twofactor_views.setup, name="two_factor_setup_account"),
    path(
        "settings/two-step/recovery-codes/",
        twofactor_views.recovery_codes,
        name="two_factor_codes_account",
    ),
    path("settings/two-step/new-codes/", twofactor_views.new_codes, name="two_factor_new_codes"),
    path("settings/two-step/off/", twofactor_views.turn_off, name="two_factor_off"),
]
