from django.urls import path

from portal.stats import views

urlpatterns = [
    path("stats/", views.stats, name="stats"),
]
