"""The CDR fixtures (as Asterisk's cdr_csv and FreeSWITCH's mod_json_cdr write them)."""

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ASTERISK = "/api/v1/ingest/cdr/asterisk"
FREESWITCH = "/api/v1/ingest/cdr/freeswitch"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def counts(created=0, updated=0, unchanged=0):
    return {"created": created, "updated": updated, "unchanged": unchanged}
