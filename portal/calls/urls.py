from django.urls import path

from portal.calls import views

urlpatterns = [
    path("calls/", views.calls, name="calls"),
    path("calls/download/", views.calls_download, name="calls_download"),
    path("calls/excel/", views.calls_excel, name="calls_excel"),
    path("calls/email/", views.calls_email, name="calls_email"),
    path("calls/<str:call_id>/details/", views.call_details, name="call_details"),
    path("calls/<str:call_id>/voice/", views.call_voice, name="call_voice"),
    path("calls/<str:call_id>/recording/", views.call_recording, name="call_recording"),
]
