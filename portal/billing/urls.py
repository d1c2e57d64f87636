from django.urls import path

from portal.billing import views

urlpatterns = [
    path("billing/", views.billing, name="billing"),
    path("billable/", views.billable, name="billable"),
    path("billable/export.xlsx", views.billable_export, name="billable_export"),
    path("billable/email/", views.billable_email, name="billable_email"),
]
