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
from django.dispatch import Signal  # noqa: E402
from pydantic import BaseModel, ConfigDict, EmailStr, Field  # noqa: E402

from portal import clock  # noqa: E402
from portal.ingest import validate_one  # noqa: E402
from portal.text import SingleLine  # noqa: E402


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="ignore", title="Contact")

    name: Annotated[SingleLine, Field(min_length=1, max_length=200)]
    phones: list[Annotated[SingleLine, Field(max_length=64)]] = Field(default=[], max_length=3)
    sms: Annotated[SingleLine, Field(max_length=64)] | None = None
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
        contact = (
            Contact.objects.select_for_update()
            .filter(account=account, external_id=contact_id)
            .first()
        )
        if contact is None:
            return Contact.objects.create(
                account=account, external_id=contact_id, **values
            ), "created"
        removed_at = contact.removed_at
        if removed_at is None and all(getattr(contact, k) == v for k, v in values.items()):
            return contact, "unchanged"
        for k, v in values.items():
            setattr(contact, k, v)
        contact.removed_at = None
        contact.save()
        if removed_at is not None:
            # Back in the directory, but the shifts it held stay lost (gaps) from its deletion.
            contact_restored.send(sender=Contact, contact=contact, removed_at=removed_at)
        return contact, "updated"


# Sent inside the deletion's transaction (portal.oncall turns the contact's shifts and
# overrides into gaps from that moment, and records it): the directory knows nothing of the
# apps that read its contacts, so imports stay one-way.
contact_removed = Signal()  # contact, at, user, actor_name
contact_restored = Signal()  # contact, removed_at


def delete_contact(contact, *, user=None, actor_name: str = "") -> bool:
    """Remove a contact from the directory (contract: DELETE .../contacts/{id}), the one code
    path of the API and the back office: kept as a soft delete (`removed_at`), so the history
    keeps who it was; gone from the directory and the pickers. From this moment every shift
    or override it held is a gap (the on-call app's receiver). False when it was already
    removed (nothing changes: the DELETE is idempotent)."""
    from portal.directory.models import Contact

    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if contact.removed_at is not None:
            return False
        contact.removed_at = at = clock.now()
        contact.save(update_fields=["removed_at"])
        contact_removed.send(
            sender=Contact, contact=contact, at=at, user=user, actor_name=actor_name
        )
        return True


PHONE_CHARS = set("0123456789()+-. \u00a0\u2011")


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


# --- Searching the directory ---------------------------------------------------------------
#
# The search is accent- and case-insensitive ("service a la clientele" finds "Service à la
# clientèle") on SQLite and PostgreSQL alike: each contact stores its folded text and its
# numbers' digits (Contact.save fills them through contact_search_columns), the typed words
# are folded the same way, and the database does one LIKE per word, so an account with
# thousands of contacts is one indexed-by-account scan, not a Python loop over every row.

import unicodedata  # noqa: E402

# Letters that Unicode does not decompose into a base letter and an accent.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ß": "ss"})


def fold(text: str) -> str:
    """`text` without case or accents, for comparing: "Clientèle Œuvre" → "clientele oeuvre"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold().translate(_LIGATURES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def contact_search_columns(contact) -> tuple[str, str]:
    """The folded text (name, e-mail and the numbers as written) and the numbers' digits, one
    number per space-separated word (a run of digits never spans two numbers)."""
    numbers = [contact.phone1, contact.phone2, contact.phone3, contact.sms]
    text = " ".join(fold(v) for v in (contact.name, contact.email, *numbers) if v)
    found = " ".join(d for d in (digits(n) for n in numbers) if d)
    return text, found


def search_contacts(contacts, q: str):
    """`contacts` (a queryset) narrowed to those matching every word of `q`: a word matches
    the name, e-mail or numbers without regard to accents or case; a word written like a phone
    number also matches a number however it is written ("5142547110" = "(514) 254-7110")."""
    from django.db.models import Q

    for word in q.split():
        match = Q(search_text__contains=fold(word))
        wanted = phone_digits(word)
        if wanted:
            match |= Q(search_digits__contains=wanted)
        contacts = contacts.filter(match)
    return contacts


# --- Telephone links -------------------------------------------------------------------------

import re  # noqa: E402

# "514 555-1234 ext. 22", "x22", "poste 22", "p. 22", "#22" (the extension is kept apart).
_EXTENSION = re.compile(r"\s*(?:ext\.?|extension|x|poste|post\.|p\.|#)\s*(\d{1,8})\s*$", re.I)


def dial_string(number: str, extension: bool = True) -> str:
    """The digits to dial for `number`, for a tel: or sms: link: a leading "+" is kept, spaces
    and punctuation go; an extension ("ext. 22", "poste 22") follows a pause (",22"), which
    phone dialers play after the call connects. "" when there is nothing to dial."""
    text = (number or "").strip()
    ext = ""
    found = _EXTENSION.search(text)
    if found and digits(text[: found.start()]):
        ext, text = found.group(1), text[: found.start()]
    main = digits(text)
    if not main:
        return ""
    plus = "+" if text.lstrip().startswith("+") else ""
    return f"{plus}{main}" + (f",{ext}" if ext and extension else "")
