"""The demo data (`manage.py seed_demo`): loaded through the ingest services, the same every
time, realistic enough that every page and statistic has something to show."""

import datetime as dt
import io
import wave
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import demo
from portal.accounts.management.commands.seed_demo import Command
from portal.accounts.models import Account, Membership, User
from portal.billing.models import BillableTransaction, BillingLine
from portal.calls.models import Call, Recording
from portal.directory.models import Contact, InfoPage
from portal.inbox.models import Message, MessageEvent
from portal.oncall.models import Assignment, OnCallInterval, Schedule, Shift
from tests.twofactor import totp_code

TORONTO = ZoneInfo("America/Toronto")
# A Wednesday afternoon just after the spring DST change (Sunday 9 March 2025).
NOW = "2025-03-12T15:20:00-04:00"
MODELS = [
    Account, User, Membership, Contact, InfoPage, Call, Recording, Message, MessageEvent,
    BillableTransaction, BillingLine, Schedule, Shift, Assignment, OnCallInterval,
]  # fmt: skip


def seed(days=5, **options) -> str:
    out = io.StringIO()
    call_command("seed_demo", days=days, now=NOW, stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture
def seeded(db):
    return seed()


def test_seeding_twice_creates_nothing_the_second_time(seeded):
    before = counts()
    updated = {m.__name__: set(m.objects.values_list("pk", "updated_at")) for m in (Call, Message)}
    output = seed()
    assert counts() == before
    for m in (Call, Message):
        assert set(m.objects.values_list("pk", "updated_at")) == updated[m.__name__]
    report = [line for line in output.splitlines() if " created, " in line]
    assert report, output
    assert all(line.split()[-6:-4] == ["0", "created,"] for line in report), output
    assert all(" 0 updated" in line for line in report), output


def test_a_day_is_the_same_whatever_the_number_of_days(db):
    end = dt.datetime.fromisoformat(NOW)
    short = {c.call_id: c.record for c in demo.generate_calls(end - dt.timedelta(days=2), end)}
    long = {c.call_id: c.record for c in demo.generate_calls(end - dt.timedelta(days=6), end)}
    assert short and set(short) < set(long)
    assert all(long[k] == v for k, v in short.items())


def test_three_accounts_in_toronto_in_french_and_english(seeded):
    accounts = {a.number: a for a in Account.objects.all()}
    assert accounts["4000"].label == "4000-TEST"
    assert len(accounts) >= 3
    assert {a.timezone for a in accounts.values()} == {"America/Toronto"}
    assert {a.language for a in accounts.values()} == {"fr", "en"}
    assert all(a.billing_number and a.groups.exists() for a in accounts.values())
    names = set(Contact.objects.filter(account__number="4000").values_list("name", flat=True))
    assert {"Anthony Giosi", "Luc Lambert", "Patrick Tremblay"} <= names
    for account in accounts.values():
        assert InfoPage.objects.filter(account=account).count() >= 3
    page = InfoPage.objects.filter(account__number="4000").first()
    assert "<h3>" in page.body and "<strong>" in page.body


def test_calls_have_every_kind_of_outcome_in_believable_proportions(seeded):
    calls = list(Call.objects.all())
    assert 300 < len(calls) < 2000  # five days, three accounts
    voice_in = [c for c in calls if c.kind == "voice" and c.direction == "in"]
    counted = [c for c in voice_in if c.duration_ms > 6000 and not c.busy]
    automated = [
        c
        for c in counted
        if c.queued_ms is None
        or (c.answered_ms is not None and c.duration_ms - c.answered_ms < 10_000)
        or (c.answered_ms is None and c.duration_ms - c.queued_ms < 10_000)
    ]
    agent_calls = [c for c in counted if c not in automated]
    system_abandon = [c for c in agent_calls if c.assigned_ms is None]
    agent_abandon = [c for c in agent_calls if c.assigned_ms is not None and c.answered_ms is None]
    answered = [c for c in agent_calls if c.answered_ms is not None]
    held = [c for c in answered if c.hold_max_ms > 10_000]
    kinds = Counter(c.kind for c in calls)
    share = len(answered) / len(counted)
    assert 0.7 < share < 0.95
    assert 0.03 < len(automated) / len(counted) < 0.2
    assert 0 < len(system_abandon) < len(answered) / 8
    assert 0 < len(agent_abandon) < len(answered) / 8
    assert 0.05 < len(held) / len(answered) < 0.25
    assert any(c.patch_ms > 0 for c in counted)
    assert any(c.busy for c in voice_in)
    assert 0.02 < kinds["transaction"] / len(calls) < 0.15
    assert any(c.direction == "out" and c.kind == "voice" for c in calls)
    waits = sorted(c.answered_ms - c.queued_ms for c in answered)
    assert 3_000 < waits[len(waits) // 2] < 30_000  # a median wait of seconds, not minutes
    assert {c.distribution_group for c in calls} == {0, 1, 2}
    agents = {c.agent.code for c in calls if c.agent_id}
    assert {"F-CAROLANE", "ELD", "DOM"} <= agents
    assert all(c.quality is None or 0 <= c.quality <= 100 for c in calls)


def test_call_timings_are_consistent(seeded):
    for c in Call.objects.all():
        chain = [v for v in (0, c.queued_ms, c.assigned_ms, c.answered_ms) if v is not None]
        assert chain == sorted(chain) and chain[-1] <= c.duration_ms, c.call_id
        if c.answered_ms is not None:
            assert c.assigned_ms is not None
        if c.assigned_ms is not None:
            assert c.queued_ms is not None


def test_calls_follow_a_daily_and_weekly_rhythm(db):
    end = dt.datetime.fromisoformat(NOW)
    calls = demo.generate_calls(end - dt.timedelta(days=28), end)
    weekday_morning = [c for c in calls if c.local.weekday() < 5 and 9 <= c.local.hour < 12]
    weekday_night = [c for c in calls if c.local.weekday() < 5 and 0 <= c.local.hour < 6]
    weekend_morning = [c for c in calls if c.local.weekday() >= 5 and 9 <= c.local.hour < 12]
    # Per hour: 3 morning hours and 6 night hours over the same weekdays.
    assert len(weekday_morning) / 3 > 5 * len(weekday_night) / 6
    # Per day: 5 weekdays against 2 weekend days.
    assert len(weekday_morning) / 5 > 2 * len(weekend_morning) / 2


def test_messages_look_like_the_seed(seeded):
    messages = list(Message.objects.select_related("account"))
    assert messages
    rdv = [m for m in messages if m.subject == "RENDEZ-VOUS" and m.account.number == "4000"]
    assert rdv
    labels = [label for label, _ in rdv[0].fields]
    assert labels[:6] == ["Prénom", "Nom", "Tel", "Adresse", "Ville", "Code postal"]
    assert {"Modèle", "Serie", "Reference", "Probleme", "Date", "Heure"} <= set(labels)
    assert any(m.urgent for m in messages)
    assert {m.status for m in messages} == {"open", "closed"}
    assert any(m.account.language == "en" and m.subject == "SERVICE CALL" for m in messages)
    call_ids = set(Call.objects.values_list("call_id", flat=True))
    assert all(m.call_id in call_ids for m in messages)
    for m in messages:
        events = {(e.kind, e.channel) for e in m.events.all()}
        assert ("taken", "") in events
        assert events & {("completed", "email"), ("failed", "email")}, m.message_id
    email = MessageEvent.objects.filter(kind="completed", channel="email").first()
    assert email.recipient.startswith("info@")


def test_recordings_are_real_wav_files(seeded):
    recordings = list(Recording.objects.all())
    assert len(recordings) >= 5
    assert len({r.sha256 for r in recordings}) == len(recordings)
    for r in recordings:
        assert r.content_type == "audio/wav"
        with r.file.open("rb") as fh, wave.open(fh) as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 8000)
            assert 3.0 <= w.getnframes() / 8000 <= 6.0
            frames = w.readframes(w.getnframes())
        samples = memoryview(frames).cast("h")
        assert max(abs(s) for s in samples) > 3000  # sound, not silence
        assert 3.0 <= r.duration_s <= 6.0


def test_billing_has_transactions_and_three_statements_that_add_up(seeded):
    assert BillableTransaction.objects.filter(account__number="4000").exists()
    assert all(b.statistic_ms % 15_000 == 0 for b in BillableTransaction.objects.all())
    for number in Account.objects.values_list("billing_number", flat=True):
        lines = BillingLine.objects.filter(billing_number=number)
        assert lines.filter(kind="new_balance").count() == 3
        statements = {}
        for line in lines:
            statements.setdefault(line.line_id.rsplit("-", 1)[0], []).append(line)
        for group in statements.values():
            by = Counter()
            for line in group:
                by[line.kind] += line.amount
            charges = sum((line.amount for line in group if line.kind == "charge"), Decimal("0"))
            assert by["new_charges"] == charges
            assert by["new_balance"] == by["balance"] + by["payment"] + by["new_charges"]
        descriptions = " ".join(lines.values_list("description", flat=True))
        assert "minutes" in descriptions


def test_the_schedule_has_weekly_rotation_shifts_from_monday_730(seeded):
    schedule = Schedule.objects.get(account__number="4000", external_id="01")
    assert schedule.name == "01 Horaire"
    shifts = list(schedule.shifts.all())
    assert len(shifts) >= 9  # the demo's days and eight weeks ahead
    for shift in shifts:
        start, end = shift.start.astimezone(TORONTO), shift.end.astimezone(TORONTO)
        assert (start.weekday(), start.hour, start.minute) == (0, 7, 30)
        assert (end - start).days == 7 and (end.hour, end.minute) == (7, 30)  # across DST too
        assert (shift.name, shift.role) == ("Rotation", "OC")
    sources = set(OnCallInterval.objects.filter(schedule=schedule).values_list("source", flat=True))
    assert sources == {"assignment", "override", "unassigned"}
    now = dt.datetime.fromisoformat(NOW)
    current = OnCallInterval.objects.filter(schedule=schedule, start__lte=now, end__gt=now)
    assert current.exclude(source="unassigned").exists()


@pytest.mark.parametrize(
    "username, accounts",
    [("demo", {"4000", "5230"}), ("clinic", {"4120"})],
)
def test_the_printed_sign_ins_work(seeded, username, accounts):
    assert f"{username:<8} ->" in seeded and demo.DEMO_PASSWORD in seeded
    browser = Client()
    response = browser.post("/login/", {"username": username, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    first = sorted(accounts)[0]
    assert browser.get("/").url.rstrip("/").endswith(f"/a/{first}")
    user = User.objects.get(username=username)
    assert set(user.accounts.values_list("number", flat=True)) == accounts
    for number in accounts:
        assert browser.get(f"/a/{number}/").status_code == 200


def test_the_staff_sign_in_reaches_the_back_office(seeded):
    browser = Client()
    response = browser.post("/login/", {"username": "staff", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    # Staff set up two-step verification before any back-office page (tests/twofactor.py).
    assert browser.get("/admin/")["Location"].startswith("/two-factor/setup/")
    browser.get("/two-factor/setup/")
    device = TOTPDevice.objects.get(user__username="staff", confirmed=False)
    browser.post("/two-factor/setup/", {"code": totp_code(device)})
    assert browser.get("/admin/").status_code == 200


def test_if_empty_leaves_a_seeded_database_alone_but_prints_the_sign_ins(seeded):
    before = counts()
    output = seed(days=60, if_empty=True)
    assert counts() == before
    assert "already exist" in output
    assert "demo" in output and demo.DEMO_PASSWORD in output


def test_if_empty_loads_an_empty_database(db):
    output = seed(days=1, if_empty=True)
    assert Account.objects.count() == 3
    assert demo.DEMO_PASSWORD in output


def test_the_command_explains_itself():
    text = Command().create_parser("manage.py", "seed_demo").format_help()
    assert "--days" in text and "--if-empty" in text and "--now" in text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_demo_recording_plays_in_the_browser(live_server, page, shoot):
    # Up to the real now: the call log only shows calls within the retention period.
    # A week of calls: about one voice call in twenty has a recording, and which ones depends on
    # the dates, so any of the demo login's accounts will do.
    call_command("seed_demo", days=7, stdout=io.StringIO())
    recording = (
        Recording.objects.filter(call__account__memberships__user__username="demo")
        .select_related("call__account")
        .order_by("-call__started_at")
        .first()
    )
    call_id, number = recording.call.call_id, recording.call.account.number
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/a/**")
    day = recording.call.started_at.astimezone(recording.call.account.tz).date()  # one page
    page.goto(f"{live_server.url}/a/{number}/calls/?preset=dates&start_date={day}&end_date={day}")
    assert page.locator(f"text={call_id}").count() >= 1
    shoot(page, "demo-call-log")
    duration = page.evaluate(
        """async (url) => {
            const audio = new Audio(url);
            await new Promise((ok, ko) => {
                audio.onloadedmetadata = ok;
                audio.onerror = () => ko(new Error("cannot play: " + (audio.error && audio.error.code)));
            });
            return audio.duration;
        }""",
        f"{live_server.url}/a/{number}/calls/{call_id}/recording/",
    )
    assert 3.0 <= duration <= 6.0
