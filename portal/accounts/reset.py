"""Password reset by e-mail, with Django's own views and tokens.

- "Forgot your password?" on the sign-in page asks for an e-mail address; the page that follows
  says the same whether a login has that address or not.
- Each active login with that address gets an e-mail in its language (the login's, else its
  first account's), with a link valid PASSWORD_RESET_TIMEOUT (one hour) and usable once (Django's
  token holds the password's hash, so it dies once the password changes). Links start with
  PORTAL_BASE_URL, never with the Host header of the request.
- Throttled: PORTAL_PASSWORD_RESET_PER_HOUR requests (5) per client address per hour, then the
  page says to wait; PORTAL_PASSWORD_RESET_MAILS_PER_HOUR e-mails (3) per login per hour, beyond
  which nothing more is sent (silently: the page must not tell whether the address is known).
- Staff send the same link from the back office ("Send a password reset link"), instead of
  choosing a password. Every link sent is audited: "password.reset_link_sent".
"""

import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django.views.generic.edit import FormView

from portal.accounts import audit
from portal.accounts.models import AuditLog, User
from portal.tasks import enqueue, send_email

REQUESTED = "password.reset_requested"
SENT = "password.reset_link_sent"
DONE = "password.reset_done"  # "password.reset" is staff choosing it (accounts.admin)

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def login_language(user: User) -> str:
    if user.language in SUPPORTED:
        return user.language
    first = user.memberships.select_related("account").order_by("pk").first()
    if first is not None and first.account.language in SUPPORTED:
        return first.account.language
    return settings.LANGUAGE_CODE


def reset_url(user: User) -> str:
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.PORTAL_BASE_URL + path


def _mails_last_hour(user: User) -> int:
    since = timezone.now() - timedelta(hours=1)
    return AuditLog.objects.filter(
        action=SENT, object_type=user._meta.label_lower, object_id=str(user.pk), at__gte=since
    ).count()


def send_reset_link(user: User, *, request=None, by_staff: bool = False) -> bool:
    """E-mail `user` a link to choose a new password; False when not sent (no address, an
    inactive login, or, unless staff send it, the login's hourly number of e-mails reached)."""
    if not user.email or not user.is_active:
        return False
    if not by_staff and _mails_last_hour(user) >= settings.PORTAL_PASSWORD_RESET_MAILS_PER_HOUR:
        return False
    context = {
        "user": user,
        "url": reset_url(user),
        "hours": max(1, round(settings.PASSWORD_RESET_TIMEOUT / 3600)),
        "PORTAL": settings.PORTAL,
    }
    with translation.override(login_language(user)):
        subject = render_to_string("accounts/password_reset_subject.txt", context)
        subject = " ".join(subject.splitlines()).strip()  # one line (no-break spaces kept)
        body = render_to_string("accounts/password_reset_email.txt", context)
    # By the task queue: the page answers at once, the same whether the address is known.
    enqueue(send_email, subject, body, [user.email])
    audit.record(
        SENT,
        request=request,
        actor=request.user.get_username() if by_staff and request is not None else "",
        obj=user,
        to=user.email,
        by="staff" if by_staff else "e-mail",
    )
    return True


def requests_wait(request) -> timedelta | None:
    """Over this address's hourly number of reset requests: how long until the next one."""
    ip = audit.client_ip(request)
    if ip is None:
        return None
    since = timezone.now() - timedelta(hours=1)
    times = list(
        AuditLog.objects.filter(action=REQUESTED, ip=ip, at__gte=since)
        .order_by("-at")
        .values_list("at", flat=True)[: settings.PORTAL_PASSWORD_RESET_PER_HOUR]
    )
    if len(times) < settings.PORTAL_PASSWORD_RESET_PER_HOUR:
        return None
    return max(times[-1] + timedelta(hours=1) - timezone.now(), timedelta(seconds=1))


class ResetRequestForm(auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail address")

    def save(self, request=None, **kwargs):
        for user in self.get_users(self.cleaned_data["email"]):
            send_reset_link(user, request=request)


class SetPasswordForm(auth_forms.SetPasswordForm):
    error_messages = {
        **auth_forms.SetPasswordForm.error_messages,
        "password_mismatch": _("The two new passwords differ. Please type the same one twice."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("New password (again)")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = ResetRequestForm
    success_url = reverse_lazy("password_reset_done")

    def post(self, request, *args, **kwargs):
        wait = requests_wait(request)
        if wait is not None:
            form = self.get_form()
            minutes = max(1, math.ceil(wait.total_seconds() / 60))
            context = self.get_context_data(form=form, wait_minutes=minutes)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        # Counted per address (requests_wait); the address typed, whether known or not.
        audit.record(REQUESTED, request=self.request, email=form.cleaned_data["email"][:254])
        form.save(request=self.request)
        return FormView.form_valid(self, form)  # Django's own save is replaced by ours


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(DONE, request=self.request, actor=form.user.get_username(), obj=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
