"""Password reset by e-mail (accounts.reset), under /password/."""

from django.urls import path

from portal.accounts import reset

urlpatterns = [
    path("reset/", reset.PasswordResetView.as_view(), name="password_reset"),
    path("reset/sent/", reset.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        reset.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", reset.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
