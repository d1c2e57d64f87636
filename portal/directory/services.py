import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "blockquote",
    "hr",
    "span",
}


def sanitize_html(html: str) -> str:
    """Information pages are formatted text: keep the formatting, drop anything active."""
    return nh3.clean(html or "", tags=ALLOWED_TAGS, attributes={"a": {"href"}, "td": {"colspan"}})


# --- Provisioning of contacts (contract: PUT /api/v1/accounts/{number}/contacts/{id}) -----

from typing import Annotated  # noqa: E402

from django.db import transaction  # noqa: E402
from pydantic import BaseModel, ConfigDict, EmailStr, Field  # noqa: E402

from portal.ingest import validate_one  # noqa: E402


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="ignore", title="Contact")

    name: Annotated[str, Field(min_length=1, max_length=200)]
    phones: list[Annotated[str, Field(max_length=64)]] = Field(default=[], max_length=3)
    sms: Annotated[str, Field(max_length=64)] | None = None
    email: EmailStr | None = None


def upsert_contact(account, contact_id: str, data: dict):
    """Create or update a directory contact; returns it and created/updated/unchanged."""
    from portal.directory.models import Contact

    spec = validate_one(data, ContactIn)
    phones = [*spec.phones, "", "", ""][:3]
    values = {
        "name": spec.name,
        "phone1": phones[0],
        "phone2": phones[1],
        "phone3": phones[2],
        "sms": spec.sms or "",
        "email": spec.email or "",
    }
    with transaction.atomic():
        contact = Contact.objects.filter(account=account, external_id=contact_id).first()
        if contact is None:
            return Contact.objects.create(
                account=account, external_id=contact_id, **values
            ), "created"
        if all(getattr(contact, k) == v for k, v in values.items()):
            return contact, "unchanged"
        for k, v in values.items():
            setattr(contact, k, v)
        contact.save()
        return contact, "updated"


PHONE_CHARS = set("0123456789()+-. ")


def phone_digits(text: str) -> str:
    """The digits of `text` when it is written like a phone number (at least three digits,
    nothing but digits, spaces, brackets, dots, dashes and +), else "": searches match
    numbers however they are written ("(514) 254-7110", "514.254.7110", "5142547110")."""
    found = digits(text)
    if len(found) >= 3 and set(text) <= PHONE_CHARS:
        return found
    return ""


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())
