from django.urls import path

from portal.directory import views

urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("info/", views.info_pages, name="info_pages"),
]
