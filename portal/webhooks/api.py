"""Webhooks through provisioning (scope `provision`): contract, "Webhooks: the portal tells
the platform". PUT creates or replaces one, DELETE removes it, GET lists them; the secret
is never given back. Every change is in the audit trail."""

from __future__ import annotations

import datetime as dt

from ninja import Router
from pydantic import BaseModel, Field

from portal.api import errors as wording
from portal.api.auth import ApiError, require_scope
from portal.api.errors import errors
from portal.api.urls import document, documented, read_json
from portal.webhooks.models import Webhook
from portal.webhooks.services import (
    WebhookInvalid,
    account_numbers,
    delete_webhook,
    save_webhook,
)

router = Router(tags=["webhooks"])

PROVISION = "provision"


class WebhookIn(BaseModel):
    """A webhook as the platform registers it."""

    url: str = Field(description="http:// or https:// address the portal POSTs each event to")
    secret: str = Field(
        description="the key of the HMAC-SHA256 signature (`X-Portal-Signature: sha256=<hex>`)",
        max_length=200,
    )
    events: list[str] = Field(
        description="`message.status_changed` and/or `oncall.changed`", min_length=1
    )
    accounts: list[str] | None = Field(
        None, description="the account numbers it wants events of; null: every account"
    )


class WebhookOut(BaseModel):
    """A webhook as stored (never its secret)."""

    webhook_id: str
    url: str
    events: list[str]
    accounts: list[str] | None
    created_at: dt.datetime
    updated_at: dt.datetime


class WebhookAnswer(BaseModel):
    webhook: WebhookOut
    created: int
    updated: int
    unchanged: int


class WebhookList(BaseModel):
    results: list[WebhookOut]


class DeletedWebhook(BaseModel):
    webhook_id: str
    deleted: bool


document("WebhookIn", WebhookIn)


def webhook_json(hook: Webhook) -> dict:
    return {
        "webhook_id": hook.webhook_id,
        "url": hook.url,
        "events": list(hook.events),
        "accounts": account_numbers(hook),
        "created_at": hook.created_at,
        "updated_at": hook.updated_at,
    }


@router.get(
    "/webhooks",
    response={200: WebhookList, **errors(401, 403)},
    openapi_extra=documented(PROVISION),
    summary="List the webhooks",
)
def list_webhooks(request):
    """Every webhook, by id; the secrets are not given back."""
    require_scope(request, PROVISION)
    hooks = Webhook.objects.prefetch_related("accounts").order_by("webhook_id")
    return {"results": [webhook_json(h) for h in hooks]}


@router.put(
    "/webhooks/{webhook_id}",
    response={200: WebhookAnswer, **errors(400, 401, 403, 409, 413, 422)},
    openapi_extra=documented(PROVISION, body="WebhookIn"),
    summary="Create or replace a webhook",
)
def put_webhook(request, webhook_id: str):
    """`{"url", "secret", "events": [...], "accounts": [NUMBER, ...] | null}`. Every problem
    is listed in a 422 (a url that is not http(s), an unknown event or account); nothing is
    changed then. Deliveries already made keep the body and signature they were made with."""
    require_scope(request, PROVISION)
    data = read_json(request)
    try:
        hook, outcome = save_webhook(webhook_id, data, request=request)
    except WebhookInvalid as exc:
        raise ApiError(422, wording.VALIDATION_FAILED, exc.errors) from None
    counts = {"created": 0, "updated": 0, "unchanged": 0, outcome: 1}
    return {"webhook": webhook_json(hook), **counts}


@router.delete(
    "/webhooks/{webhook_id}",
    response={200: DeletedWebhook, **errors(401, 403, 404)},
    openapi_extra=documented(PROVISION),
    summary="Remove a webhook",
)
def remove_webhook(request, webhook_id: str):
    """The webhook and its delivery log; nothing more is sent to it. Unknown: 404."""
    require_scope(request, PROVISION)
    if not delete_webhook(webhook_id, request=request):
        raise ApiError(404, wording.unknown("webhook", webhook_id))
    return {"webhook_id": webhook_id, "deleted": True}
