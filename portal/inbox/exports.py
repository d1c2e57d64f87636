"""The messages' download (CSV or Excel) through portal.sheets."""

from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from portal import sheets
from portal.inbox.models import Message


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
    ]
    return sheets.Table(columns, message_rows(messages))


def messages_sheet(messages: Iterable[Message]) -> sheets.Sheet:
    return sheets.Sheet(_("Messages"), [messages_table(messages)])
