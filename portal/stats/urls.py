from django.urls import path

from portal.stats import views

urlpatterns = [
    path("stats/", views.stats, name="stats"),
    path("stats/export.xlsx", views.stats_export, name="stats_export"),
    path("stats/email/", views.stats_email, name="stats_email"),
    path("stats/schedules/", views.stats_schedules, name="stats_schedules"),
    path(
        "stats/schedules/<int:subscription_id>/delete/",
        views.stats_schedule_delete,
        name="stats_schedule_delete",
    ),
]
