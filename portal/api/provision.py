"""Provisioning (scope `provision`): client accounts and their directory contacts.
Contract: shared/contracts/api-v1.md, "Provisioning". Schedules and shifts are provisioned
in portal/oncall/api.py.

Each PUT creates or updates one object through its service and answers with the object as
stored and the counts {"created", "updated", "unchanged"} (one of them is 1).
"""

import re

from ninja import Router
from pydantic import BaseModel

from portal.accounts import audit
from portal.accounts.models import Account
from portal.accounts.services import AccountIn, upsert_account
from portal.api import errors as wording
from portal.api.auth import ApiError, account_for, invalid, require_scope
from portal.api.errors import errors
from portal.api.ingest import BatchCounts
from portal.api.urls import document, documented, read_json
from portal.directory.models import Contact
from portal.directory.services import ContactIn, delete_contact, upsert_contact
from portal.ingest import Counts

router = Router(tags=["provisioning"])

PROVISION = "provision"

# Account numbers as the platform writes them ("4000", "4000-TEST"); contact ids are the
# platform's own keys: any printable text without "/" (the URL would not reach us anyway).
ACCOUNT_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
CONTACT_ID = re.compile(r"[^\x00-\x1f\x7f/]{1,64}")

document("AccountIn", AccountIn)
document("ContactIn", ContactIn)

ERRORS = errors(400, 409, 413)


class ProvisionedAccount(BaseModel):
    number: str
    name: str
    billing_number: str
    timezone: str
    language: str
    groups: list[int]
    require_two_factor: bool


class ProvisionedContact(BaseModel):
    id: str
    name: str
    phones: list[str]
    sms: str | None
    email: str | None


class AccountAnswer(BatchCounts):
    account: ProvisionedAccount


class ContactAnswer(BatchCounts):
    contact: ProvisionedContact


def counts_of(outcome: str) -> dict:
    counts = Counts()
    counts.add(outcome)
    return counts.as_dict()


def account_json(account: Account) -> dict:
    return {
        "number": account.number,
        "name": account.name,
        "billing_number": account.billing_number,
        "timezone": account.timezone,
        "language": account.language,
        "groups": sorted(account.groups.values_list("number", flat=True)),
        "require_two_factor": account.require_two_factor,
    }


def contact_json(contact: Contact) -> dict:
    return {
        "id": contact.external_id,
        "name": contact.name,
        "phones": contact.phones,
        "sms": contact.sms or None,
        "email": contact.email or None,
    }


@router.put(
    "/accounts/{number}",
    response={200: AccountAnswer, **ERRORS},
    openapi_extra=documented(PROVISION, body="AccountIn"),
    summary="Create or update a client account",
)
def put_account(request, number: str):
    """`{"name", "billing_number", "timezone" (IANA, default "America/Toronto"),
    "language" ("fr"|"en"), "groups": [int], "require_two_factor": bool (optional: left out,
    unchanged)}`. A new time zone moves the account's calls' local dates and times with it."""
    require_scope(request, PROVISION)
    if not ACCOUNT_NUMBER.fullmatch(number):
        raise invalid("number", "An account number is 1 to 32 letters, digits, '.', '_' or '-'.")
    data = read_json(request)
    account, outcome = upsert_account(number, data)
    answer = counts_of(outcome)
    audit.record(
        "api.provision.account",
        request=request,
        account=account,
        obj=account,
        number=account.number,
        **answer,
    )
    return {"account": account_json(account), **answer}


@router.put(
    "/accounts/{number}/contacts/{contact_id}",
    response={200: ContactAnswer, **errors(404), **ERRORS},
    openapi_extra=documented(PROVISION, body="ContactIn"),
    summary="Create or update a directory contact",
)
def put_contact(request, number: str, contact_id: str):
    """`{"name", "phones": [str, at most 3], "sms", "email"}`; unknown account: 404."""
    account = account_for(request, number, PROVISION)
    if not CONTACT_ID.fullmatch(contact_id):
        raise invalid("contact_id", "A contact id is 1 to 64 printable characters.")
    data = read_json(request)
    contact, outcome = upsert_contact(account, contact_id, data)
    answer = counts_of(outcome)
    audit.record(
        "api.provision.contact",
        request=request,
        account=account,
        obj=contact,
        contact_id=contact.external_id,
        **answer,
    )
    return {"contact": contact_json(contact), **answer}


class DeletedContact(BatchCounts):
    contact: str
    deleted: bool


@router.delete(
    "/accounts/{number}/contacts/{contact_id}",
    response={200: DeletedContact, **errors(404, 409)},
    openapi_extra=documented(PROVISION),
    summary="Remove a directory contact",
)
def remove_contact(request, number: str, contact_id: str):
    """From this moment every shift or override the contact held reads `source:
    "unassigned"`, `contact: null` (a gap); the history keeps who it was. Idempotent: the
    first DELETE counts `updated`, another one `unchanged`. Unknown contact: 404."""
    account = account_for(request, number, PROVISION)
    contact = Contact.objects.filter(account=account, external_id=contact_id).first()
    if contact is None:
        raise ApiError(404, wording.unknown("contact", contact_id))
    removed = delete_contact(contact, actor_name=f"api:{request.auth.name}")
    answer = counts_of("updated" if removed else "unchanged")
    audit.record(
        "api.provision.contact_deleted",
        request=request,
        account=account,
        obj=contact,
        contact_id=contact.external_id,
        **answer,
    )
    return {"contact": contact.external_id, "deleted": True, **answer}
