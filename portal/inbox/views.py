"""The Messages section: the miTeam Inbox and the WebPortal's Text Messages in one page."""

import datetime as dt
import tempfile
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages as flash
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal import sheets
from portal.accounts import audit
from portal.accounts.tenancy import request_accounts
from portal.dates import instant_in_range
from portal.exports import services as exports
from portal.inbox.exports import messages_sheet, messages_table, prefetch_confirmations
from portal.inbox.forms import MessageFilterForm
from portal.inbox.models import Message
from portal.inbox.services import (
    confirm,
    confirmation_of,
    count_messages,
    find_messages,
    list_query,
    message_for,
    set_status,
    with_accounts,
    with_confirmations,
)
from portal.inbox.wording import count_in_words, criteria_in_words, span_in_words

PAGE_SIZE = 50


def _form(request):
    return MessageFilterForm(
        request.GET, accounts=request_accounts(request), current=request.account
    )


def _poll_seconds() -> int:
    return int(getattr(settings, "INBOX_POLL_SECONDS", 15))


@require_GET
def inbox(request, account_number):
    form = _form(request)
    page_messages, has_next, page = [], False, 1
    count = span = ""
    if form.is_valid():
        try:
            page = max(int(request.GET.get("page", 1)), 1)
        except ValueError:
            page = 1
        accounts = form.chosen_accounts()
        f = form.to_filter()
        offset = (page - 1) * PAGE_SIZE
        rows = list(list_query(accounts, f)[offset : offset + PAGE_SIZE + 1])
        has_next = len(rows) > PAGE_SIZE
        page_messages = with_confirmations(with_accounts(rows[:PAGE_SIZE], accounts))
        # The whole search's count (no second query when it all fits on page one).
        total = len(rows) if page == 1 and not has_next else count_messages(accounts, f)
        count = count_in_words(total)
        span = span_in_words(request.account, f, everywhere=len(accounts) > 1)
        audit.read(
            request,
            "message.search",
            account=accounts,
            criteria=form.cleaned_data,
            page=page,
            shown=[m.message_id for m in page_messages],
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "inbox/inbox.html",
        {
            "section": "inbox",
            "form": form,
            "page_messages": page_messages,
            "page": page,
            "has_next": has_next,
            "query": query.urlencode(),
            "since": timezone.now().isoformat(),
            "poll_seconds": _poll_seconds(),
            "many_accounts": len(form.accounts) > 1,
            "no_boxes": form.is_valid() and not form.cleaned_data.get("options"),
            "count": count,
            "span": span,
            "criteria": criteria_in_words(form, request.account.retention_days),
        },
    )


@require_GET
def inbox_poll(request, account_number):
    """New messages since the page was shown, for an open inbox (htmx polls this)."""
    form = _form(request)
    try:
        since = dt.datetime.fromisoformat(request.GET.get("since", ""))
    except ValueError:
        since = None
    now = timezone.now()
    fresh = []
    if (
        form.is_valid()
        and since is not None
        and timezone.is_aware(since)
        and instant_in_range(since)
    ):
        accounts = form.chosen_accounts()
        fresh = with_accounts(
            list(list_query(accounts, form.to_filter()).filter(created_at__gt=since)[:PAGE_SIZE]),
            accounts,
        )
        with_confirmations(fresh)
        if fresh:  # a poll that brings nothing shows nothing
            audit.read(
                request,
                "message.poll",
                account=accounts,
                criteria=form.cleaned_data,
                shown=[m.message_id for m in fresh],
            )
    query = request.GET.copy()
    query.pop("since", None)
    inbox_page = reverse("inbox", kwargs={"account_number": request.account.number})
    return render(
        request,
        "inbox/_poll.html",
        {
            "fresh": fresh,
            "inbox_page": f"{inbox_page}?{query.urlencode()}" if query else inbox_page,
            "since": now.isoformat(),
            "query": query.urlencode(),
            "poll_seconds": _poll_seconds(),
            "many_accounts": len(form.accounts) > 1,
        },
    )


def _message_or_404(request, message_id) -> Message:
    message = message_for([request.account], message_id)
    if message is None:
        raise Http404
    return message


@require_GET
def message_detail(request, account_number, message_id):
    message = _message_or_404(request, message_id)
    # The page shows the message and its dispatch history.
    audit.read(
        request,
        "message.view",
        account=request.account,
        object_type="inbox.message",
        object_id=message.message_id,
    )
    return render(
        request,
        "inbox/message.html",
        {
            "section": "inbox",
            "message": message,
            "confirmation": confirmation_of(message) if message.urgent else None,
            "events": message.history(),
            "back": _inbox_back(request),
        },
    )


def _inbox_back(request, back: str | None = None) -> str:
    """Where "Back to the messages" leads: the inbox page the message was opened from (its
    filters, "All my accounts" included) when `back` names one of this login's inbox pages;
    else the account's inbox."""
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    back = request.GET.get("back", "") if back is None else back
    parts = urlsplit(back)
    if back.startswith("/a/") and not parts.scheme and not parts.netloc:
        try:
            match = resolve(parts.path)
        except Resolver404:
            match = None
        if match is not None and match.url_name == "inbox":
            number = match.kwargs.get("account_number")
            if any(a.number == number for a in request_accounts(request)):
                return back
    return reverse("inbox", kwargs={"account_number": request.account.number})


@require_POST
def message_status(request, account_number, message_id):
    """Close or reopen a message (who and when are recorded)."""
    message = _message_or_404(request, message_id)
    status = request.POST.get("status", "")
    if status not in (Message.OPEN, Message.CLOSED):
        flash.error(request, _("Choose Open or Closed."))
    elif set_status(message, status, request.user, request=request):
        if status == Message.CLOSED:
            flash.success(request, _("The message is closed."))
        else:
            flash.success(request, _("The message is open again."))
    page = reverse(
        "message_detail",
        kwargs={"account_number": request.account.number, "message_id": message_id},
    )
    back = _inbox_back(request, request.POST.get("back", ""))
    return redirect(f"{page}?{urlencode({'back': back})}")


def _confirm_answer(request, message: Message, done) -> tuple[str, str]:
    """The answer to a press of Confirm, in the reader's language: (level, text)."""
    if done.stored:
        return "success", _("Message %(id)s is confirmed: the dispatch stops escalating it.") % {
            "id": message.message_id
        }
    if done.event is None:
        return "error", _("Only urgent messages are confirmed: nothing was changed.")
    return "info", _(
        "Message %(id)s was already confirmed by %(who)s on %(when)s: nothing was changed."
    ) % {
        "id": message.message_id,
        "who": done.event.recipient or done.event.get_channel_display(),
        "when": done.event.at.astimezone(request.account.tz).strftime("%Y-%m-%d %H:%M"),
    }


@require_POST
def message_confirm(request, account_number, message_id):
    """Confirm an urgent message ("Confirm" in the list and on its page): stored as a
    `confirmed` event and sent to the platform, so that its dispatch stops escalating.
    Without JavaScript the browser goes back where the button was and reads the answer
    there; from the list, htmx swaps the row in place (the answer beside it), and on the
    message's page it swaps the page's content."""
    message = _message_or_404(request, message_id)
    done = confirm(message, request.user, request=request)
    level, text = _confirm_answer(request, message, done)
    back = _inbox_back(request, request.POST.get("back", ""))
    if request.POST.get("where") == "list":
        if request.htmx:
            from django.http import HttpResponse
            from django.middleware.csrf import get_token

            from portal.inbox.templatetags.message_rows import rows_html

            row = rows_html(
                with_confirmations([message]),
                many_accounts=request.POST.get("many_accounts") == "1",
                back=back,
                csrf_token=get_token(request),
            )
            answer = render(
                request, "inbox/_confirm_answer.html", {"level": level, "text": text}
            ).content.decode()
            return HttpResponse(row + answer)
        getattr(flash, level)(request, text)
        return redirect(f"{back}#msg-{message.message_id}")
    getattr(flash, level)(request, text)
    page = reverse(
        "message_detail",
        kwargs={"account_number": request.account.number, "message_id": message_id},
    )
    return redirect(f"{page}?{urlencode({'back': back})}")


@require_POST
def inbox_export(request, account_number):
    """CSV or Excel of the checked messages, or of every message that matches the filters."""
    fmt = request.POST.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form = _form(request)
    if not form.is_valid():
        flash.error(request, _("Correct the search criteria before downloading."))
        return redirect("inbox", account_number=request.account.number)
    qs = prefetch_confirmations(
        find_messages(form.chosen_accounts(), form.to_filter()).select_related("account", "agent")
    )
    ids = [i for i in request.POST.getlist("ids") if i]
    if ids:
        qs = qs.filter(message_id__in=ids)
    rows = qs.count()
    if exports.rows_in_background(rows):  # made by the task queue: its page shows progress
        job = exports.start(
            request.user,
            request.account,
            f"messages.{fmt}",
            {
                "query": request.GET.urlencode(),
                "accounts": [a.number for a in form.chosen_accounts()],
                "message_ids": ids,
                "cleaned": audit.clean_criteria(form.cleaned_data),
            },
            total=rows,
        )
        return redirect("export_job", account_number=request.account.number, job_id=job.pk)
    stamp = timezone.now().astimezone(request.account.tz).strftime("%Y%m%d-%H%M")
    name = f"messages-{request.account.number}-{stamp}.{fmt}"
    # Written to a temporary file first so that the answer has a length: the page shows
    # the download's progress from it.
    out = tempfile.TemporaryFile()
    if fmt == "csv":
        import io

        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        count = sheets.write_csv(messages_table(qs.iterator(chunk_size=2000)), text)
        text.flush()
        text.detach()
        content_type = sheets.CSV_TYPE
    else:
        count = sheets.write_xlsx([messages_sheet(qs.iterator(chunk_size=2000))], out)
        content_type = sheets.XLSX_TYPE
    out.seek(0)
    audit.read(
        request,
        "messages.export",
        account=form.chosen_accounts(),
        criteria=form.cleaned_data,
        format=fmt,
        count=count,
        checked=len(ids),
    )
    return FileResponse(out, as_attachment=True, filename=name, content_type=content_type)
