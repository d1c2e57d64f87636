"""Signing in and out, the home page, settings, the language switch and the account switcher."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.accounts import audit, throttle, twofactor
from portal.accounts.forms import PasswordChangeForm
from portal.accounts.middleware import LANGUAGE_COOKIE, SUPPORTED, renew, seconds_left
from portal.accounts.sections import SECTION_NAMES, guide
from portal.accounts.signedout import IDLE_ENDED, MAX_ENDED, page_url, signed_out
from portal.accounts.tenancy import request_accounts

LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
CHOSEN_LANGUAGE = "_chosen_language"  # the sign-in page's choice, until signing in


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.method == "GET":
            ended = self.request.session.pop(IDLE_ENDED, False)
            longest = self.request.session.pop(MAX_ENDED, False)
            longest = longest or self.request.GET.get("ended") == "max"
            context["max_ended"] = longest
            context["max_hours"] = max(1, round(settings.PORTAL_SESSION_MAX_SECONDS / 3600))
            context["idle_ended"] = not longest and (ended or self.request.GET.get("ended") == "1")
        return context

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.is_on(user):  # --- two-step verification: not signed in before the code
            twofactor.begin(self.request, user, self.get_success_url())
            return redirect("login_code")
        response = super().form_valid(form)
        signed_in(self.request, user)
        return response


def signed_in(request, user):
    """What follows every sign-in (the password's, or the code step's after it)."""
    # A language chosen on the sign-in page is the person's choice from now on.
    chosen = request.session.pop(CHOSEN_LANGUAGE, None)
    if chosen in SUPPORTED and user.language != chosen:
        user.language = chosen
        user.save(update_fields=["language"])
    audit.record("login", request=request, user=user)


def lockout(request, response=None, credentials=None, *args, **kwargs):
    """django-axes calls this when a sign-in is refused after repeated failures (this user name
    from this address, this address, or the portal's global ceiling: accounts.throttle)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    spray = getattr(request, "portal_global_wait", None) is not None
    minutes = throttle.wait_minutes(request, credentials)
    audit.record(
        "login.locked",
        request=request,
        actor=username[:200],
        reason="global" if spray else "failures",
        minutes=minutes,
    )
    context = {"form": form, "locked_out": True, "lockout_minutes": minutes, "spray": spray}
    return render(request, "accounts/login.html", context, status=429)


@login_required
def root(request):
    """The first account's home; a login without accounts sees a plain page."""
    accounts = request_accounts(request)
    first = accounts[0] if accounts else None
    if first is None:
        if request.user.is_staff:
            return redirect("admin:index")
        return render(request, "accounts/no_account.html")
    return redirect("home", account_number=first.number)


def home(request, account_number):
    # The page shows who is on call now and next.
    audit.read(request, "home.view", account=request.account)
    return render(request, "accounts/home.html", {"guide": guide(request.account)})


def switch_account(request):
    """The account switcher: go to the same section of another account."""
    if not request.user.is_authenticated:
        return signed_out(request)
    number = request.GET.get("account", "")
    section = request.GET.get("section", "home")
    if number not in {a.number for a in request_accounts(request)}:
        raise Http404
    if section not in SECTION_NAMES:
        section = "home"
    return redirect(section, account_number=number)


def settings_view(request, account_number):
    if request.view_as is not None:  # staff viewing as the client: no password form
        return render(request, "accounts/settings.html", {"form": None})
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        audit.record("password.change", request=request, account=request.account, obj=user)
        messages.success(request, _("Your password has been changed."))
        return redirect("settings", account_number=account_number)
    return settings_page(request, form)


def settings_page(request, form=None, **extra):
    """The Settings page (a client page; not for staff viewing as the client). `extra`: what
    another section's refused form gives it (the API tokens: portal.api.client_views)."""
    form = form or PasswordChangeForm(request.user)
    two_factor = twofactor.settings_state(request.user, request_accounts(request))
    context = {"form": form, "two_factor": two_factor, **extra}
    return render(request, "accounts/settings.html", context)


@require_POST
def set_language(request):
    """Remember the language for the user, and in a cookie for the sign-in page.

    An empty choice (from Settings) goes back to the account's language.
    """
    language = request.POST.get("language", "")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if language in SUPPORTED:
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
        else:
            request.session[CHOSEN_LANGUAGE] = language  # stored on the login at sign-in
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,  # PORTAL_HTTPS
        )
    elif language == "" and request.user.is_authenticated:
        request.user.language = ""
        request.user.save(update_fields=["language"])
        response.delete_cookie(LANGUAGE_COOKIE, samesite="Lax")
    return response


@require_GET
def session_status(request):
    """How long until the idle logoff, for the pages' warning (a background request, which is
    not activity: it does not renew the session)."""
    response = JsonResponse({"seconds_left": seconds_left(request)})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def session_renew(request):
    """The warning's "Stay signed in" button: activity now, the idle deadline starts again."""
    if not request.user.is_authenticated:
        return signed_out(request)
    seconds = renew(request)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"seconds_left": seconds})
    return HttpResponseRedirect(page_url(request))


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit.record("logout", request=request)
    logout(request)
    return redirect("login")


def page_not_found(request, exception=None):
    """One 404 for a missing page and for another account's page; JSON under /api/."""
    from django.http import JsonResponse

    from portal.api.errors import NOT_FOUND

    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": NOT_FOUND}, status=404)
    return render(request, "404.html", status=404)
