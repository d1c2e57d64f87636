"""Every action the portal writes into the audit trail is named in words ("Who saw what"'s
Action filter and column, its exports): a new action without a label would show its code."""

import re
from pathlib import Path

from django.utils import translation

from portal.accounts.auditing import ACTION_LABELS, action_label

ROOT = Path(__file__).resolve().parent.parent / "portal"

# The first argument of the audit helpers and of the views' own small wrappers around them.
CALL = re.compile(
    r"\b(?:audit\.(?:record|read|read_by_number)|_audit|_audit_page|audit_list|audited|_record|"
    r"sent)\(\s*(?:(?:self\.)?request,\s*)?\"([a-z_]+(?:\.[a-z_]+)*)\""
)
CONSTANT = re.compile(r"^[A-Z_]+ = \"([a-z_]+\.[a-z_]+)\"", re.M)  # e.g. accounts.reset's


def written_actions() -> dict[str, str]:
    found = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        names = CALL.findall(text)
        if "audit.record(" in text or "audit.read(" in text:
            names += CONSTANT.findall(text)
        for name in names:
            found.setdefault(name, str(path.relative_to(ROOT.parent)))
    return found


def test_the_scan_finds_the_actions_of_every_kind():
    found = written_actions()
    for expected in ("message.view", "oncall.now", "api.ingest.calls", "password.reset_done",
                     "two_factor.enrol", "view_as.start", "calls.email", "login"):  # fmt: skip
        assert expected in found, expected


def test_every_action_written_has_a_label_in_english_and_french():
    found = written_actions()
    missing = {a: where for a, where in found.items() if a not in ACTION_LABELS}
    assert not missing, missing
    for language in ("en", "fr"):
        with translation.override(language):
            for action in found:
                assert action_label(action) != action
    with translation.override("fr"):
        assert action_label("api.ingest.calls") == "API\u00a0: appels enregistrés"
        assert action_label("message.poll") == "Nouveaux messages affichés dans la boîte ouverte"
