from django.urls import path

from portal.exports import views

urlpatterns = [
    path("exports/", views.export_list, name="exports"),
    path("exports/<str:job_id>/", views.export_job, name="export_job"),
    path("exports/<str:job_id>/download", views.export_download, name="export_download"),
]
