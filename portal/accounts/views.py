from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts import audit
from portal.accounts.middleware import LANGUAGE_COOKIE, SUPPORTED
from portal.accounts.tenancy import user_accounts


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def lockout(request, credentials=None, *args, **kwargs):
    """django-axes calls this when a login is locked after repeated failures."""
    from django.contrib.auth.forms import AuthenticationForm

    form = AuthenticationForm(request)
    return render(
        request,
        "accounts/login.html",
        {"form": form, "locked_out": True},
        status=429,
    )


@login_required
def root(request):
    """The first account's home; a login without accounts sees a plain page."""
    first = user_accounts(request.user).first()
    if first is None:
        if request.user.is_staff:
            return redirect("admin:index")
        return render(request, "accounts/no_account.html")
    return redirect("home", account_number=first.number)


def home(request, account_number):
    return render(request, "accounts/home.html")


def switch_account(request):
    """The account switcher: go to the same section of another account."""
    number = request.GET.get("account", "")
    section = request.GET.get("section", "home")
    if not request.user.is_authenticated:
        return redirect("login")
    if not user_accounts(request.user).filter(number=number).exists():
        raise Http404
    from portal.accounts.sections import SECTIONS

    if section not in {name for name, _label in SECTIONS}:
        section = "home"
    return redirect(section, account_number=number)


def settings_view(request, account_number):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        audit.record("password.change", request=request, account=request.account, obj=user)
        messages.success(request, _("Your password has been changed."))
        return redirect("settings", account_number=account_number)
    return render(request, "accounts/settings.html", {"form": form})


@require_POST
def set_language(request):
    """Remember the language for the user (and in a cookie before sign-in)."""
    language = request.POST.get("language", "")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if language in SUPPORTED:
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def logout_view(request):
    from django.contrib.auth import logout

    if request.method == "POST":
        logout(request)
    return redirect(reverse("login"))
