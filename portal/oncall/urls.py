from django.urls import path

from portal.oncall import views

urlpatterns = [
    path("oncall/", views.oncall, name="oncall"),
]
