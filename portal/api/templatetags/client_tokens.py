"""The Settings page's "API tokens" section: {% load client_tokens %}{% api_tokens_section %}.

A template tag, so that the accounts app (the Settings page) needs no import of the API app:
this app reads the user and the account from the request and renders its own section, for a
client admin of the page's account only (portal.api.client_tokens)."""

from django import template

from portal.api import client_tokens

register = template.Library()


@register.inclusion_tag("api/_client_tokens.html", takes_context=True)
def api_tokens_section(context):
    request = context.get("request")
    membership = getattr(request, "membership", None)
    if membership is None or not membership.is_admin or getattr(request, "view_as", None):
        return {"shown": False}
    form = context.get("token_form") or client_tokens.ClientTokenForm(
        request.user, initial={"accounts": [membership.account.number]}
    )
    return {
        "shown": True,
        "account": membership.account,
        "form": form,
        "tokens": client_tokens.token_list(request.user),
        "cap": client_tokens.MAX_ACTIVE_PER_ACCOUNT,
        "csrf_token": context.get("csrf_token"),
    }
