from django.urls import path

from portal.calls import views

urlpatterns = [
    path("calls/", views.calls, name="calls"),
]
