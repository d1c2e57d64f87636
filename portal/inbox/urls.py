from django.urls import path

from portal.inbox import views

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
]
