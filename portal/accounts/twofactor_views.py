"""Two-step verification pages: the sign-in's code step, setting it up (QR code and secret),
the recovery codes shown once, and the Settings page's actions. The logic is in
portal.accounts.twofactor."""

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from portal.accounts import twofactor
from portal.accounts.signedout import signed_out
from portal.accounts.tenancy import request_accounts


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
                "required": True,
            }
        ),
    )


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "required": True}),
    )


def safe_next(request, url: str, default: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, {request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def wait_message(seconds: int) -> str:
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second, then try again.",
        "Too many wrong codes. Wait %(seconds)d seconds, then try again.",
        seconds,
    ) % {"seconds": seconds}


# --- the sign-in's second step -------------------------------------------------------------


def login_code(request):
    """After a right password: the code from the app, or a recovery code. Only a right code
    signs the person in (auth.login, then django-otp's verified marker)."""
    from portal.accounts.views import signed_in

    user, data = twofactor.pending(request)
    if user is None:
        if request.method == "POST":
            messages.info(request, _("The sign-in took too long. Please sign in again."))
        return redirect("login")
    if request.method == "POST" and "cancel" in request.POST:
        request.session.pop(twofactor.PENDING, None)
        return redirect("login")
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        device, wait = twofactor.verify(request, user, form.cleaned_data["code"])
        if device is not None:
            request.session.pop(twofactor.PENDING, None)
            login(request, user, backend=data["backend"])
            twofactor.verified(request, device)
            signed_in(request, user)
            left = twofactor.recovery_codes_left(user)
            if isinstance(device, StaticDevice):  # a recovery code, now used up
                messages.warning(
                    request,
                    ngettext(
                        "You signed in with a recovery code: %(count)d is left. "
                        "Make new ones in Settings.",
                        "You signed in with a recovery code: %(count)d are left. "
                        "Make new ones in Settings.",
                        left,
                    )
                    % {"count": left},
                )
            return HttpResponseRedirect(safe_next(request, data.get("next"), reverse("root")))
        error = (
            wait_message(wait)
            if wait
            else _(
                "That code is not right. Type the 6-digit code your app shows now, "
                "or one of your recovery codes."
            )
        )
    elif request.method == "POST":
        error = _("Type the code to sign in.")
    return render(
        request,
        "accounts/login_code.html",
        {"form": form, "error": error, "code_user": user},
        status=200 if not error else 400,
    )


# --- setting it up -------------------------------------------------------------------------


def _settings_url(request) -> str:
    if getattr(request, "account", None) is not None:
        return reverse("settings", args=[request.account.number])
    return reverse("root")


def setup(request, account_number=None):
    """Turn two-step verification on: scan the QR code (or type the secret), then type the
    first code. Staff and logins of an account that requires it are sent here."""
    if not request.user.is_authenticated:
        return signed_out(request)
    user = request.user
    default_next = _settings_url(request) if account_number else reverse("root")
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"), default_next)
    if twofactor.is_on(user):
        return HttpResponseRedirect(next_url)
    device = twofactor.pending_app_device(user)
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        done, wait = twofactor.confirm_app(request, user, form.cleaned_data["code"])
        if done:
            url = reverse(
                "two_factor_codes_account" if account_number else "two_factor_codes",
                args=[account_number] if account_number else [],
            )
            return HttpResponseRedirect(f"{url}?{urlencode({'next': next_url})}")
        error = (
            wait_message(wait)
            if wait
            else _(
                "That code is not right. Type the 6-digit code your app shows now "
                "(a new one appears every 30 seconds)."
            )
        )
    elif request.method == "POST":
        error = _("Type the code your app shows to turn it on.")
    required = twofactor.required_for(user, request_accounts(request))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "error": error,
            "qr": twofactor.qr_data_uri(device),
            "secret": twofactor.secret_text(device),
            "next": next_url,
            "required": required,
            "cancel_url": default_next if account_number else "",
        },
        status=200 if not error else 400,
    )


def recovery_codes(request, account_number=None):
    """The new recovery codes, shown while the session keeps them (after turning it on or
    making new ones), downloadable as a text file; "Done" forgets them."""
    if not request.user.is_authenticated:
        return signed_out(request)
    default_next = _settings_url(request)
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"), default_next)
    codes = request.session.get(twofactor.NEW_CODES)
    if request.method == "POST":
        request.session.pop(twofactor.NEW_CODES, None)
        return HttpResponseRedirect(next_url)
    if not codes:
        return HttpResponseRedirect(next_url)
    if request.GET.get("download") == "1":
        text = "\n".join(
            [
                _("Recovery codes for %(user)s (each works once):")
                % {"user": request.user.get_username()},
                "",
                *codes,
                "",
            ]
        )
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="recovery-codes.txt"'
        response["Cache-Control"] = "no-store"
        return response
    response = render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})
    response["Cache-Control"] = "no-store"
    return response


# --- Settings: new codes, turning it off ---------------------------------------------------


@require_POST
def new_codes(request, account_number):
    if not twofactor.is_on(request.user):
        return redirect("settings", account_number=account_number)
    request.session[twofactor.NEW_CODES] = twofactor.new_recovery_codes(request, request.user)
    return redirect("two_factor_codes_account", account_number=account_number)


@require_POST
def turn_off(request, account_number):
    user = request.user
    if not twofactor.is_on(user):
        return redirect("settings", account_number=account_number)
    if twofactor.required_for(user, request_accounts(request)):
        messages.error(request, _("Two-step verification is required for your login."))
        return redirect("settings", account_number=account_number)
    form = PasswordForm(request.POST)
    if form.is_valid() and user.check_password(form.cleaned_data["password"]):
        twofactor.disable(request, user)
        messages.success(request, _("Two-step verification is off."))
    else:
        messages.error(
            request,
            _("Your password is not correct: two-step verification stays on."),
        )
    return redirect("settings", account_number=account_number)
