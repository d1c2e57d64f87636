"""The Directory and the Information Pages: read only, with the note on how to ask for a change."""

from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def directory(request, account_number):
    q = request.GET.get("q", "").strip()[:100]
    contacts = request.account.contacts.all()
    if q:
        match = Q()
        for word in q.split():
            match &= (
                Q(name__icontains=word)
                | Q(phone1__icontains=word)
                | Q(phone2__icontains=word)
                | Q(phone3__icontains=word)
                | Q(sms__icontains=word)
                | Q(email__icontains=word)
            )
        contacts = contacts.filter(match)
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
