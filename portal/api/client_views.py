"""The Settings page's "API tokens" section: a client admin makes a read-only token (shown
once, on the answer page) and revokes one (portal.api.client_tokens).

Under /a/<number>/settings/api-tokens/: only a client admin of that account reaches these
URLs; a client user of it gets the same 404 as an outsider. Staff viewing as the client are
refused by the view-as middleware (read-only) before these views run."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.views import settings_page
from portal.api import client_tokens


def _admin_only(request) -> None:
    membership = getattr(request, "membership", None)
    if membership is None or not membership.is_admin:
        raise Http404


def _back(account_number: str):
    return redirect(reverse("settings", args=[account_number]) + "#api-tokens-title")


def create(request, account_number):
    if request.method != "POST":  # the form's address typed or reloaded: back to Settings
        return _back(account_number)
    _admin_only(request)
    form = client_tokens.ClientTokenForm(request.user, request.POST)
    if form.is_valid():
        try:
            token, raw = client_tokens.create(
                request.user, form.cleaned_data["name"], form.cleaned_data["accounts"], request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            context = {"token": token, "raw": raw, "accounts": token.accounts.order_by("number")}
            return render(request, "api/client_token_created.html", context)
    return settings_page(request, token_form=form)


@require_POST
def revoke(request, account_number, token_id):
    _admin_only(request)
    token = client_tokens.revoke(request.user, token_id, request)
    if token is None:
        raise Http404
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return _back(account_number)
