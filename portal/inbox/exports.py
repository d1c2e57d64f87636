"""The messages' download (CSV or Excel) through portal.sheets."""

from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from portal import sheets
from portal.inbox.models import Message, MessageEvent


def prefetch_confirmations(qs: QuerySet[Message]) -> QuerySet[Message]:
    """The download's messages with their confirmations (one more query per chunk)."""
    confirmed = MessageEvent.objects.filter(kind="confirmed").order_by("at", "id")
    return qs.prefetch_related(Prefetch("events", queryset=confirmed, to_attr="confirmations"))


def _confirmed(m: Message) -> tuple:
    """When the message was first confirmed, and by whom ("marie (portal)")."""
    found = getattr(m, "confirmations", None)
    if found is None:
        found = list(m.events.filter(kind="confirmed").order_by("at", "id")[:1])
    if not found:
        return None, ""
    first = found[0]
    who, channel = first.recipient, first.get_channel_display()
    if who and channel:
        who = _("%(recipient)s (%(channel)s)") % {"recipient": who, "channel": channel}
    return first.at.astimezone(m.account.tz), who or channel


def message_rows(messages: Iterable[Message]) -> Iterator[list]:
    """One row per message; "Taken" in the message's account's zone; the form's fields as
    "label: value" lines in the reader's language."""
    pair = _("%(label)s: %(value)s")
    for m in messages:
        yield [
            m.account.number,
            m.message_id,
            m.taken_at.astimezone(m.account.tz),
            m.subject,
            "\n".join(pair % {"label": label, "value": value} for label, value in m.fields),
            m.body,
            _("Yes") if m.urgent else _("No"),
            m.get_status_display(),
            m.call_id,
            m.agent.code if m.agent_id else "",
            *_confirmed(m),
        ]


def messages_table(messages: Iterable[Message]) -> sheets.Table:
    columns = [
        sheets.Column(_("Account")),
        sheets.Column(_("Message ID")),
        sheets.Column(_("Taken"), sheets.DATETIME),
        sheets.Column(_("Subject")),
        sheets.Column(_("Form"), wrap=True),
        sheets.Column(_("Message"), wrap=True),
        sheets.Column(_("Urgent")),
        sheets.Column(_("Status")),
        sheets.Column(_("Call number")),
        sheets.Column(_("Agent")),
        sheets.Column(_("Confirmed"), sheets.DATETIME),
        sheets.Column(_("Confirmed by")),
    ]
    return sheets.Table(columns, message_rows(messages))


def messages_sheet(messages: Iterable[Message]) -> sheets.Sheet:
    return sheets.Sheet(_("Messages"), [messages_table(messages)])


def build_messages(job, out, progress) -> tuple[int, str]:
    """In the background (portal.exports): the messages' file of the job's search (its query
    string, and the checked messages if any), as the Download buttons make it, its progress
    told every few rows."""
    import io

    from django.http import QueryDict
    from django.utils import timezone

    from portal.exports.services import job_accounts
    from portal.inbox.forms import MessageFilterForm
    from portal.inbox.services import find_messages

    form = MessageFilterForm(
        QueryDict(job.criteria.get("query", "")), accounts=job_accounts(job), current=job.account
    )
    if not form.is_valid():
        raise ValueError(f"the export's criteria are no longer valid: {form.errors.as_json()}")
    qs = prefetch_confirmations(
        find_messages(form.chosen_accounts(), form.to_filter()).select_related("account", "agent")
    )
    ids = job.criteria.get("message_ids") or []
    if ids:
        qs = qs.filter(message_id__in=ids)
    rows = progress.wrap(qs.iterator(chunk_size=2000))
    fmt = job.kind.rsplit(".", 1)[-1]
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        count = sheets.write_csv(messages_table(rows), text)
        text.flush()
        text.detach()
    else:
        count = sheets.write_xlsx([messages_sheet(rows)], out)
    stamp = timezone.now().astimezone(job.account.tz).strftime("%Y%m%d-%H%M")
    return count, f"messages-{job.account.number}-{stamp}.{fmt}"
