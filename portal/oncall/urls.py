from django.urls import path

from portal.oncall import history_views, views

urlpatterns = [
    path("oncall/", views.oncall, name="oncall"),
    path("oncall/assign/", views.assign, name="oncall_assign"),
    path("oncall/override/", views.override, name="oncall_override"),
    path("oncall/unassign/", views.unassign, name="oncall_unassign"),
    path("oncall/swap/", views.swap, name="oncall_swap"),
    path("oncall/comment/", views.comment, name="oncall_comment"),
    path("oncall/history/", history_views.history, name="oncall_history"),
    path(
        "oncall/history/export.csv",
        history_views.history_export,
        {"fmt": "csv"},
        name="oncall_history_csv",
    ),
    path(
        "oncall/history/export.xlsx",
        history_views.history_export,
        {"fmt": "xlsx"},
        name="oncall_history_xlsx",
    ),
    path("oncall/pdf/", views.pdf, name="oncall_pdf"),
    path("oncall/calendar-links/", views.calendar_links, name="oncall_feeds"),
]
