"""The Directory and the Information Pages: read only, with the note on how to ask for a change."""

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.accounts import audit
from portal.accounts.tenancy import request_accounts
from portal.directory.services import search_contacts


@require_GET
def directory(request, account_number):
    q = request.GET.get("q", "").strip()[:100]
    contacts = request.account.contacts.filter(removed_at=None)
    if q:
        contacts = search_contacts(contacts, q)
    audit.read(request, "directory.search" if q else "directory.view", account=request.account, q=q)
    return render(
        request,
        "directory/directory.html",
        {"section": "directory", "contacts": contacts, "q": q},
    )


@require_GET
def info_pages(request, account_number):
    """The WebPortal's "Retrieve Info Pages": the account number is filled in; another of this
    login's accounts opens that account's pages, any other number is refused (the same answer
    whether it exists or belongs to someone else)."""
    number = request.GET.get("number", "").strip()[:20]
    error = ""
    if number and number != request.account.number:
        if number in {a.number for a in request_accounts(request)}:
            return redirect("info_pages", account_number=number)
        error = _("No information pages were found for account number %(number)s.") % {
            "number": number
        }
    else:
        audit.read(request, "info_pages.view", account=request.account)
    return render(
        request,
        "directory/info_pages.html",
        {
            "section": "info_pages",
            "pages": [] if error else request.account.info_pages.all(),
            "number": number or request.account.number,
            "error": error,
        },
    )
