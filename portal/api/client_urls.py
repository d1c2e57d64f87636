"""A client admin's API tokens, under /a/<number>/settings/ (portal.api.client_views)."""

from django.urls import path

from portal.api import client_views

urlpatterns = [
    path("settings/api-tokens/", client_views.create, name="client_token_create"),
    path(
        "settings/api-tokens/<int:token_id>/revoke/",
        client_views.revoke,
        name="client_token_revoke",
    ),
]
