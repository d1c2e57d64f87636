"""The sixteen rows of the Statistics report, in the contract's order, with the seeds' labels
and explanations (English from the WebPortal guide, French from the "Manuel pour portail web")."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Row:
    key: str
    label: Promise
    explanation: Promise
    # "count": a whole number; "secs": whole seconds; "secs1": one decimal; "mins2": two decimals.
    unit: str = "count"


ROWS: list[Row] = [
    Row(
        "total_incoming",
        _("Total Incoming Calls"),
        _(
            "All incoming telephone calls for your account(s) that lasted longer than 6 "
            "seconds. This does not include outgoing calls or activity on your account not "
            "involving a phone call."
        ),
    ),
    Row(
        "automated",
        _("Automated Calls"),
        _(
            "Incoming calls handled entirely by our voice processing equipment: there was no "
            "agent involvement. This also includes calls where an agent connected to the call "
            "but the caller hung up within 10 seconds. If your account has an automated "
            "greeting, and the caller pressed 0 to speak with an agent, this also includes "
            "calls where the caller waited less than 10 seconds after pressing 0."
        ),
    ),
    Row(
        "agent_calls",
        _("Agent Calls"),
        _(
            "This is the difference between 'Total Incoming Calls' and 'Automated Calls'. It "
            "is a measure of calls where the caller actually wanted to talk to an agent."
        ),
    ),
    Row(
        "system_abandon",
        _("System Abandon"),
        _("Incoming calls where the caller hung up before the call could be assigned to an agent."),
    ),
    Row(
        "assigned",
        _("Assigned to Agent"),
        _("This is the difference between 'Agent Calls' and 'System Abandon'."),
    ),
    Row(
        "agent_abandon",
        _("Agent Abandon"),
        _("Calls assigned to an agent that were not answered."),
    ),
    Row(
        "answered_of_total",
        # xgettext:no-python-format
        _("Answered by Agent - % of Total calls"),
        _(  # xgettext:no-python-format
            "Calls assigned to an agent that were answered by an agent. This is the "
            "difference between 'Assigned to Agent' and 'Agent Abandon' and is expressed as a "
            "% of 'Total Incoming Calls' for your account(s)."
        ),
    ),
    Row(
        "answered_of_assigned",
        # xgettext:no-python-format
        _("Answered by Agent - % of Assigned calls"),
        _(  # xgettext:no-python-format
            "Calls assigned to an agent that were answered by an agent. This is the "
            "difference between 'Assigned to Agent' and 'Agent Abandon' and is expressed as a "
            "% of 'Assigned to Agent' calls for your account(s)."
        ),
    ),
    Row(
        "avg_work_s",
        _("Avg Work Time, Answered Calls (secs)"),
        _(
            "The total time the Agents had your calls highlighted on their screen. This "
            "includes time they were talking to a caller as well as 'wrap' time, which is time "
            "spent following your dispatch instructions after the caller hung up."
        ),
        "secs",
    ),
    Row(
        "held",
        _("Calls put on hold by Agent"),
        _("Calls where the agent put the caller on hold for more than 10 seconds."),
    ),
    Row(
        "avg_hold_s",
        _("Avg Hold Time, Held Calls (secs)"),
        _("The total hold time for all held calls divided by the number of calls placed on hold."),
        "secs",
    ),
    Row(
        "avg_wait_s",
        _("Avg Wait for Operator, Agent Calls (secs)"),
        _("The average delay experienced by callers who were connected to an agent."),
        "secs1",
    ),
    Row(
        "within_30s",
        _("Calls Reaching an Agent within 30 secs"),
        _("Calls that reached an Agent within 30 seconds."),
    ),
    Row(
        "patches",
        _("Patches"),
        _("The total calls made by our agents to connect an incoming caller to another number."),
    ),
    Row(
        "patch_min",
        _("Patch Time (mins)"),
        _("The total number of minutes for callers connected to another number."),
        "mins2",
    ),
    Row(
        "busies",
        _("Busies"),
        _("The total number of times incoming callers heard a busy signal."),
    ),
]

KEYS = [row.key for row in ROWS]
