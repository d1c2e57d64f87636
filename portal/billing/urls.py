from django.urls import path

from portal.billing import views

urlpatterns = [
    path("billing/", views.billing, name="billing"),
    path("billable/", views.billable, name="billable"),
]
