"""Provisioning of client accounts (contract: PUT /api/v1/accounts/{number})."""

import zoneinfo
from typing import Annotated, Literal

from django.conf import settings
from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from portal.accounts.models import Account, AccountGroup
from portal.ingest import MAX_INT, validate_one
from portal.text import SingleLine


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="ignore", title="Account")

    name: Annotated[SingleLine, Field(min_length=1, max_length=200)]
    billing_number: Annotated[SingleLine, Field(max_length=32)] = ""
    timezone: str = settings.DEFAULT_ACCOUNT_TIMEZONE
    language: Literal["fr", "en"] = "fr"
    groups: list[Annotated[int, Field(ge=0, le=MAX_INT)]] = []
    # Each login of the account must use two-step verification; left out: unchanged.
    require_two_factor: StrictBool | None = None

    @field_validator("timezone")
    @classmethod
    def known_zone(cls, value: str) -> str:
        if value not in zoneinfo.available_timezones():
            raise ValueError(f"Unknown IANA time zone: {value}")
        return value


def upsert_account(number: str, data: dict) -> tuple[Account, str]:
    """Create or update an account; returns it and "created"/"updated"/"unchanged"."""
    spec = validate_one(data, AccountIn)
    with transaction.atomic():
        account = Account.objects.select_for_update().filter(number=number).first()
        outcome = "unchanged"
        if account is None:
            account = Account(number=number)
            outcome = "created"
        values = {
            "name": spec.name,
            "billing_number": spec.billing_number,
            "timezone": spec.timezone,
            "language": spec.language,
        }
        if spec.require_two_factor is not None:
            values["require_two_factor"] = spec.require_two_factor
        if any(getattr(account, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(account, k, v)
            save_account(account)
            outcome = "updated" if outcome == "unchanged" else outcome
        groups = []
        for n in sorted(set(spec.groups)):
            group, _ = AccountGroup.objects.get_or_create(number=n)
            groups.append(group)
        current = set(account.groups.values_list("number", flat=True))
        if current != set(spec.groups):
            account.groups.set(groups)
            outcome = "updated" if outcome == "unchanged" else outcome
    return account, outcome


def save_account(account: Account) -> bool:
    """Save an account, from the API or the back office alike. When its time zone changed,
    its calls' local date, time of day and weekday move with it (statistics filter and
    group on them), in the same transaction. Returns whether the zone changed."""
    from portal.calls.services import recompute_local_fields

    with transaction.atomic():
        previous = None
        if account.pk is not None:
            previous = (
                Account.objects.select_for_update()
                .filter(pk=account.pk)
                .values_list("timezone", flat=True)
                .first()
            )
        account.save()
        moved = previous is not None and previous != account.timezone
        if moved:
            recompute_local_fields(account)
    return moved
