"""The Directory and the Information Pages: read only, with the note on how to ask for a change."""

from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.directory.services import digits, phone_digits


def _has_number(contact, word: str, wanted: str) -> bool:
    """`wanted`: the digits of `word` (phone_digits)."""
    phones = (contact.phone1, contact.phone2, contact.phone3, contact.sms)
    if any(wanted in digits(p) for p in phones if p):
        return True
    return word.lower() in contact.name.lower() or word.lower() in contact.email.lower()


@require_GET
def directory(request, account_number):
    q = request.GET.get("q", "").strip()[:100]
    contacts = request.account.contacts.all()
    if q:
        match = Q()
        numbers = []
        for word in q.split():
            wanted = phone_digits(word)
            if wanted:
                numbers.append((word, wanted))
                continue
            match &= (
                Q(name__icontains=word)
                | Q(phone1__icontains=word)
                | Q(phone2__icontains=word)
                | Q(phone3__icontains=word)
                | Q(sms__icontains=word)
                | Q(email__icontains=word)
            )
        contacts = contacts.filter(match)
        if numbers:
            # Numbers match however they are written: "5142547110" finds "(514) 254-7110".
            contacts = [c for c in contacts if all(_has_number(c, w, d) for w, d in numbers)]
    return render(
        request,
        "directory/directory.html",
        {"section": "directory", "contacts": contacts, "q": q},
    )


@require_GET
def info_pages(request, account_number):
    return render(
        request,
        "directory/info_pages.html",
        {"section": "info_pages", "pages": request.account.info_pages.all()},
    )
