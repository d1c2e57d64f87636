"""Call-detail records from telephony platforms (contract: "Additions of 2026-12",
"Call-detail records from telephony platforms"): Asterisk's cdr_csv `Master.csv` rows and
FreeSWITCH mod_json_cdr documents, turned into the contract's calls and stored by the same
service as POST /api/v1/ingest/calls (`ingest_calls`: one code path).

The HTTP endpoints (portal/api/cdr.py) and `manage.py import_cdr` both read their input
with `asterisk_rows` / `freeswitch_documents` (streams: constant memory) and store each
batch with `ingest_cdr`. The mapping, field by field, is in the README ("CDR adapters").
"""

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from django.db import transaction

from portal.accounts.models import Account
from portal.calls.services import ingest_calls
from portal.ingest import BatchInvalid, Counts

ASTERISK, FREESWITCH = "asterisk-csv", "freeswitch-json"
FORMATS = (ASTERISK, FREESWITCH)

# cdr_csv's columns, in the order build_csv_record writes them (cdr/cdr_csv.c).
ASTERISK_COLUMNS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
)
# Then, by cdr.conf's [csv] options: uniqueid (loguniqueid), userfield (loguserfield), and
# peeraccount, linkedid, sequence (newcdrcolumns). 17 or 20 columns: one of uniqueid and
# userfield; it is the uniqueid when it looks like one ("1700000000.42", "host-1700000000.42").
UNIQUEID = re.compile(r"^(?:[\w.-]+-)?\d+\.\d+$")
MAX_DOCUMENT_CHARS = 5 * 1024 * 1024  # one FreeSWITCH document larger than this is refused


@dataclass
class Source:
    """One record as read: its 1-based line in the file or body, and its raw content
    (a list of CSV fields, a decoded JSON document), or the reason it could not be read."""

    line: int
    raw: Any = None
    problem: str | None = None


class Problem(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


# --- Reading ---------------------------------------------------------------------------


def asterisk_rows(text: Iterable[str]) -> Iterator[Source]:
    """Master.csv's records, quoted as cdr_csv writes them (every text field in double
    quotes, a quote doubled; numbers bare; an empty date bare), fields holding commas or line
    breaks included. Blank lines and a header line (first field "accountcode") are skipped."""
    reader = csv.reader(text, strict=True)
    previous = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Source(previous + 1, problem=f"Not a CSV record: {exc}.")
            previous = reader.line_num
            continue
        line, previous = previous + 1, reader.line_num
        if not fields or fields == [""]:
            continue
        if line == 1 and fields[0].strip().lower() == "accountcode":
            continue
        yield Source(line, fields)


def freeswitch_documents(text: io.TextIOBase, chunk: int = 1 << 20) -> Iterator[Source]:
    """mod_json_cdr documents from a stream: one document, a JSON list of them, or several
    one after the other (one a line, as collected from log-dir), read a piece at a time.
    Text that is not JSON ends the stream with a Source carrying the problem."""
    decoder = json.JSONDecoder()
    buf, pos, line, eof = "", 0, 1, False
    in_list = None  # unknown until the first character

    def more() -> bool:
        nonlocal buf, pos, eof
        if eof:
            return False
        data = text.read(chunk)
        if not data:
            eof = True
            return False
        buf, pos = buf[pos:] + data, 0
        return True

    def advance(to: int) -> None:
        nonlocal pos, line
        line += buf.count("\n", pos, to)
        pos = to

    def skip_space() -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            m = re.compile(r"\s*").match(buf, pos)
            advance(m.end())
            if pos < len(buf):
                return buf[pos]
            if not more():
                return ""

    while True:
        c = skip_space()
        if in_list is None:
            if c == "":
                return
            in_list = c == "["
            if in_list:
                advance(pos + 1)
                c = skip_space()
                if c == "]":
                    advance(pos + 1)
                    in_list = False  # an empty list: nothing else may follow
                    if skip_space():
                        yield Source(line, problem="Text after the end of the list.")
                    return
                continue
        if c == "":
            if in_list:
                yield Source(line, problem="The list is not closed (missing ']').")
            return
        while True:
            try:
                doc, end = decoder.raw_decode(buf, pos)
                break
            except json.JSONDecodeError as exc:
                if len(buf) - pos > MAX_DOCUMENT_CHARS:
                    yield Source(line, problem="A document is larger than 5 MB.")
                    return
                if not more():
                    where = line + buf.count("\n", pos, exc.pos)
                    yield Source(where, problem=f"Not valid JSON: {exc.msg}.")
                    return
            except RecursionError:
                yield Source(line, problem="Not valid JSON: nested too deep.")
                return
        start_line = line
        advance(end)
        yield Source(start_line, doc)
        if in_list:
            c = skip_space()
            if c == ",":
                advance(pos + 1)
            elif c == "]":
                advance(pos + 1)
                if skip_space():
                    yield Source(line, problem="Text after the end of the list.")
                return
            elif c == "":
                yield Source(line, problem="The list is not closed (missing ']').")
                return
            else:
                yield Source(line, problem="Expected ',' or ']' between documents.")
                return


# --- Mapping ---------------------------------------------------------------------------


def _text(value: Any, field: str, limit: int | None = None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Problem(field, "Expected text.")
    if "\x00" in value:
        raise Problem(field, "Text must not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Problem(field, "Text must not contain lone surrogates.") from None
    value = value.strip()
    if limit is not None:
        value = value[:limit]
    return value or None


CLID = re.compile(
    r'^\s*(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<bare>[^<]*?))\s*<(?P<number>[^>]*)>\s*$'
)


def split_clid(clid: str) -> tuple[str | None, str | None]:
    """Asterisk's callerid `"Doe, John" <5145551234>` -> ("Doe, John", "5145551234")."""
    m = CLID.match(clid or "")
    if not m:
        # No <number>: a bare number, or a bare name.
        text = (clid or "").strip() or None
        if text and re.fullmatch(r"[+\d*#\s()-]+", text):
            return None, text
        return text, None
    name = m.group("quoted") if m.group("quoted") is not None else m.group("bare")
    name = re.sub(r"\\(.)", r"\1", name or "").strip()
    return name or None, m.group("number").strip() or None


def channel_peer(channel: str | None) -> str | None:
    """The device of a channel name: "PJSIP/agent-1001-0000000a" -> "agent-1001",
    "Local/1001@agents-00000001;1" -> "1001@agents", "SIP/ELD-00000012" -> "ELD"."""
    if not channel:
        return None
    name = channel.split("/", 1)[-1]
    name = re.sub(r"-[0-9a-fA-F]{8}(;\d)?$", "", name)
    return name[:32] or None


def zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The `tz` option: an IANA zone name, or None (each account's own zone)."""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Problem("tz", f"Unknown time zone: {name}") from None


# cdr_csv writes DATE_FORMAT "%Y-%m-%d %T", in the server's local zone unless usegmtime=yes.
ASTERISK_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def _naive(value: str, field: str) -> dt.datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        if not ASTERISK_TIME.fullmatch(value):
            raise ValueError
        naive = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Problem(
            field, f'Expected a time "YYYY-MM-DD HH:MM:SS", not "{value[:40]}".'
        ) from None
    if not 1900 <= naive.year <= 2999:
        raise Problem(field, "The year must be between 1900 and 2999.")
    return naive


def _candidates(naive: dt.datetime, tz: dt.tzinfo, field: str) -> list[dt.datetime]:
    """The instants a local time can be: one, two in the hour repeated when clocks go back,
    none in the hour skipped when they go forward (then the row is refused)."""
    first, second = naive.replace(tzinfo=tz), naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return [first]  # an ordinary time: one instant
    found = []
    for aware in (first, second):
        back = aware.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None)
        if back == naive:
            found.append(aware)
    if not found:
        raise Problem(
            field,
            f"{naive:%Y-%m-%d %H:%M:%S} does not exist in {tz} (the clocks went forward); "
            "if the platform writes UTC (usegmtime=yes), send tz=UTC.",
        )
    return found


def _seconds(value: str, field: str) -> int:
    try:
        n = int((value or "").strip())
    except ValueError:
        raise Problem(field, f'Expected a whole number of seconds, not "{value[:40]}".') from None
    if n < 0:
        raise Problem(field, "Must not be negative.")
    return n


def asterisk_fields(fields: list[str]) -> dict[str, str]:
    """Name the fields of a cdr_csv row by how many there are."""
    n = len(fields)
    if n not in (16, 17, 18, 19, 20, 21):
        raise Problem(
            "",
            f"Expected the 16 to 21 columns cdr_csv writes (accountcode … amaflags, then "
            f"uniqueid, userfield where logged); this row has {n}.",
        )
    named = dict(zip(ASTERISK_COLUMNS, fields[:16], strict=True))
    extra = fields[16 : n - 3] if n >= 19 else fields[16:]
    if len(extra) == 2:
        named["uniqueid"], named["userfield"] = extra
    elif len(extra) == 1:
        key = "uniqueid" if UNIQUEID.match(extra[0].strip()) else "userfield"
        named[key] = extra[0]
    if n >= 19:
        named["peeraccount"], named["linkedid"], named["sequence"] = fields[n - 3 :]
    return named


def asterisk_call(
    fields: list[str], tz_for: dict[str, dt.tzinfo], tz: dt.tzinfo | None
) -> dict[str, Any]:
    """One Master.csv row as the contract's Call (raises Problem)."""
    row = asterisk_fields(fields)
    account = _text(row["accountcode"], "accountcode")
    if not account:
        raise Problem("accountcode", "The account code (the client's account number) is empty.")
    zone_ = tz or tz_for.get(account) or dt.UTC
    start = _naive(row["start"], "start")
    if start is None:
        raise Problem("start", "The start time is empty.")
    answer = _naive(row["answer"], "answer")
    end = _naive(row["end"], "end")
    duration = _seconds(row["duration"], "duration")
    billsec = _seconds(row["billsec"], "billsec")
    disposition = row["disposition"].strip().upper()

    # Clocks going back repeat an hour: choose the instants that agree with `duration`,
    # then with the uniqueid's epoch (the channel's creation, "1761978000.13").
    uniqueid = _text(row.get("uniqueid"), "uniqueid")
    created = re.search(r"(\d+)\.\d+$", uniqueid or "")
    epoch = int(created.group(1)) if created else None
    starts = _candidates(start, zone_, "start")
    ends = _candidates(end, zone_, "end") if end else [None]
    started_at, _ = min(
        ((s, e) for s in starts for e in ends),
        key=lambda p: (
            abs((p[1] - p[0]).total_seconds() - duration) if p[1] else 0,
            abs(p[0].timestamp() - epoch) if epoch else 0,
        ),
    )
    answered_at = None
    if answer:
        # billsec counts from the answer: it lies duration − billsec after the start.
        answered_at = min(
            _candidates(answer, zone_, "answer"),
            key=lambda a: abs((a - started_at).total_seconds() - (duration - billsec)),
        )
        if answered_at < started_at:
            raise Problem("answer", "The answer time is before the start time.")

    if uniqueid:
        call_id = uniqueid
    else:
        basis = "\x1f".join((row["start"].strip(), row["channel"].strip(), row["src"].strip()))
        call_id = "ast-" + hashlib.sha256(basis.encode()).hexdigest()[:32]
    name, number = split_clid(row["clid"])
    caller_id = _text(row["src"], "src", 64) or (number and number[:64])
    station = channel_peer(_text(row["dstchannel"], "dstchannel"))
    call: dict[str, Any] = {
        "call_id": call_id,
        "account": account,
        "direction": "in",
        "started_at": started_at.isoformat(),
        "duration_s": duration,
        "caller_id": caller_id,
        "caller_name": _text(name, "clid", 200),
        "station": station,
        "busy": disposition == "BUSY",
    }
    if station:
        # Bridged to a device (an agent's phone): it asked for and reached a person.
        call["queued_s"] = 0
        call["assigned_s"] = 0
        if disposition == "ANSWERED" and answered_at is not None:
            wait = min((answered_at - started_at).total_seconds(), duration)
            call["assigned_s"] = call["answered_s"] = wait
            call["work_s"] = min(billsec, duration)
    return call


def _var(variables: dict, name: str) -> str | None:
    """A channel variable, URL-decoded (mod_json_cdr's encode-values, on by default)."""
    value = variables.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        value = str(value)
    return unquote(value, errors="replace")


YEAR_3000 = 32_503_680_000  # 3000-01-01 as a Unix epoch


def _epoch(variables: dict, name: str) -> float | None:
    """`<name>_uepoch` (microseconds) when there is one, else `<name>_epoch` (seconds);
    None when absent or 0 (mod_json_cdr writes 0 for what did not happen)."""
    for suffix, scale in (("_uepoch", 1e6), ("_epoch", 1)):
        value = _var(variables, name + suffix)
        if value is None:
            continue
        try:
            n = float(value)
        except ValueError:
            raise Problem(
                f"variables.{name}{suffix}", f'Expected a number, not "{value[:40]}".'
            ) from None
        if not n > 0:  # also nan
            return None
        if not n / scale < YEAR_3000:  # also inf
            raise Problem(f"variables.{name}{suffix}", "The time must be before the year 3000.")
        return n / scale
    return None


def _profile(doc: dict) -> dict:
    flow = doc.get("callflow")
    if isinstance(flow, list):  # FreeSWITCH 1.6+: a list, the latest profile first
        flow = flow[0] if flow else {}
    if isinstance(flow, dict) and isinstance(flow.get("caller_profile"), dict):
        return flow["caller_profile"]
    return {}


def freeswitch_call(doc: Any) -> dict[str, Any]:
    """One mod_json_cdr document as the contract's Call (raises Problem)."""
    if not isinstance(doc, dict):
        raise Problem("", "Expected a mod_json_cdr document (a JSON object).")
    variables = doc.get("variables")
    if not isinstance(variables, dict):
        raise Problem("variables", "The document has no channel variables.")
    profile = _profile(doc)
    channel = doc.get("channel_data") if isinstance(doc.get("channel_data"), dict) else {}

    def profile_text(key: str) -> str | None:
        value = profile.get(key)
        # The caller profile is written as it is (only variables are URL-encoded).
        return value if isinstance(value, str) and value else None

    call_id = _text(_var(variables, "uuid") or profile_text("uuid"), "variables.uuid")
    if not call_id:
        raise Problem("variables.uuid", "The leg's uuid is missing.")
    account = _text(_var(variables, "accountcode"), "variables.accountcode")
    if not account:
        raise Problem("variables.accountcode", "The channel variable accountcode is missing.")
    start = _epoch(variables, "start")
    if start is None:
        raise Problem("variables.start_epoch", "The start time (start_epoch) is missing.")
    end = _epoch(variables, "end")
    if end is not None:
        duration = max(end - start, 0.0)
    else:
        duration = float(_seconds(_var(variables, "duration") or "", "variables.duration"))
        end = start + duration
    answer = _epoch(variables, "answer")
    bridge = _epoch(variables, "bridge")
    joined = _epoch(variables, "cc_queue_joined")
    agent_answered = _epoch(variables, "cc_queue_answered")

    def since_start(at: float) -> float:
        return round(min(max(at - start, 0.0), duration), 3)

    hangup = (_var(variables, "hangup_cause") or "").upper()
    direction = "out" if str(channel.get("direction", "")).lower() == "outbound" else "in"
    call: dict[str, Any] = {
        "call_id": call_id,
        "account": account,
        "direction": direction,
        "started_at": dt.datetime.fromtimestamp(start, dt.UTC).isoformat(),
        "duration_s": round(duration, 3),
        "caller_id": _text(
            _var(variables, "caller_id_number") or profile_text("caller_id_number"),
            "variables.caller_id_number",
            64,
        ),
        "caller_name": _text(
            _var(variables, "caller_id_name") or profile_text("caller_id_name"),
            "variables.caller_id_name",
            200,
        ),
        "agent": _text(_var(variables, "cc_agent"), "variables.cc_agent"),
        "busy": hangup == "USER_BUSY",
    }
    if call["caller_name"] == call["caller_id"]:
        call["caller_name"] = None  # FreeSWITCH repeats the number when no name is known
    held = _var(variables, "hold_accum_seconds")
    if held:
        seconds = _seconds(held, "variables.hold_accum_seconds")
        if seconds:
            call["holds_s"] = [seconds]
    if joined is not None:
        # mod_callcenter: joined the queue (asked for an agent), an agent answered.
        call["queued_s"] = since_start(joined)
        if agent_answered is not None:
            call["assigned_s"] = call["answered_s"] = since_start(agent_answered)
            call["work_s"] = round(max(end - agent_answered, 0.0), 3)
    elif bridge is not None or (answer is not None and _var(variables, "bridge_uuid")):
        # Bridged to another leg without a queue: it reached a person at the bridge.
        reached = bridge if bridge is not None else answer
        call["queued_s"] = 0
        call["assigned_s"] = call["answered_s"] = since_start(reached)
        call["work_s"] = round(max(end - reached, 0.0), 3)
    return call


# --- Storing ---------------------------------------------------------------------------


def account_zones(numbers: set[str]) -> dict[str, dt.tzinfo]:
    return {a.number: a.tz for a in Account.objects.filter(number__in=numbers)}


def to_calls(
    fmt: str, sources: list[Source], tz: dt.tzinfo | None = None, zones: dict | None = None
) -> tuple[list[tuple[int, dict]], list[dict]]:
    """The contract's calls (with each one's position in `sources`) and every bad row:
    `{"index", "line", "field", "message"}`."""
    errors: list[dict] = []
    zones = {} if zones is None else zones  # kept by the caller across batches
    if fmt == ASTERISK and tz is None:
        codes = {s.raw[0].strip() for s in sources if s.raw and isinstance(s.raw, list)}
        codes = {c for c in codes if c and "\x00" not in c}  # PostgreSQL refuses NUL in a query
        missing = codes - set(zones)
        if missing:
            zones.update(account_zones(missing))
    calls: list[tuple[int, dict]] = []
    for index, source in enumerate(sources):
        if source.problem:
            errors.append(_row_error(index, source.line, "", source.problem))
            continue
        try:
            if fmt == ASTERISK:
                call = asterisk_call(source.raw, zones, tz)
            else:
                call = freeswitch_call(source.raw)
        except Problem as p:
            errors.append(_row_error(index, source.line, p.field, p.message))
            continue
        calls.append((index, call))
    return calls, errors


def _row_error(index: int, line: int, field: str, message: str) -> dict:
    return {"index": index, "line": line, "field": field, "message": message}


def ingest_cdr(
    fmt: str, sources: list[Source], tz: dt.tzinfo | None = None, zones: dict | None = None
) -> Counts:
    """Store one batch of CDRs atomically through `ingest_calls`: every row or none.
    Raises BatchInvalid listing every bad row (its index in `sources`, its line, the field
    and the reason), from reading, mapping and the calls service's own checks alike."""
    calls, errors = to_calls(fmt, sources, tz, zones)
    with transaction.atomic():
        counts = Counts()
        if calls:
            try:
                counts = ingest_calls([c for _i, c in calls])
            except BatchInvalid as exc:
                for e in exc.errors:
                    if e.get("index") is None:
                        errors.append({"index": None, "line": None, **_plain(e)})
                        continue
                    index = calls[e["index"]][0]
                    errors.append(_row_error(index, sources[index].line, **_plain(e)))
        if errors:
            # Raised inside the transaction: the good rows the service stored are undone.
            errors.sort(key=lambda e: (e["line"] or 0, e["field"] or ""))
            raise BatchInvalid(errors, detail=f"{_count_rows(errors)} bad row(s); nothing stored.")
    return counts


def _plain(e: dict) -> dict:
    return {"field": e.get("field") or "", "message": e.get("message", "")}


def _count_rows(errors: list[dict]) -> int:
    return len({e["line"] for e in errors})
