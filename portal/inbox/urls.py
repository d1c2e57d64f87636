from django.urls import path

from portal.inbox import views

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/new/", views.inbox_poll, name="inbox_poll"),
    path("messages/export/", views.inbox_export, name="inbox_export"),
    path("messages/<str:message_id>/", views.message_detail, name="message_detail"),
    path("messages/<str:message_id>/status/", views.message_status, name="message_status"),
    path("messages/<str:message_id>/confirm/", views.message_confirm, name="message_confirm"),
]
