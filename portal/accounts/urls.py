from django.urls import path

from portal.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("settings/", views.settings_view, name="settings"),
]
