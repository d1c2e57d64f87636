"""Scheduled reports catch up (issue 14, item 2): every period that ended while nothing ran is
sent when the service runs again, each exactly once — after the worker was down, after the SMTP
server was down, with two runs at the same time, across the DST weekends, within the
account's retention; paused subscriptions send nothing.

The real SMTP server (tests/stats/smtp.py) receives the messages; portal.clock is moved to
play the days that pass."""

import contextlib
import datetime as dt
import re
import threading
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.db import connection, connections

from portal.clock import clock_at
from portal.stats import schedules, subscriptions
from portal.stats.models import ReportDelivery, ReportSubscription
from tests.conftest import free_port
from tests.stats.examples import call, ingest
from tests.stats.smtp import Inbox

UTC = dt.UTC
TORONTO = ZoneInfo("America/Toronto")


def subscribe(account, frequency="daily", created=None, emails="boss@example.com", **kw):
    sub = ReportSubscription.objects.create(
        account=account, emails=emails, frequency=frequency, language="en", **kw
    )
    if created is not None:
        ReportSubscription.objects.filter(pk=sub.pk).update(created_at=created)
        sub.refresh_from_db()
    return sub


def periods_of(inbox) -> list[str]:
    """The periods of the messages received, from their subjects ("…from X to Y")."""
    return [
        "{}..{}".format(*re.search(r"from (\S+) to (\S+)", m["Subject"]).groups())
        for m in inbox.messages
    ]


def run(when):
    with clock_at(when):
        return schedules.send_due()


@pytest.mark.django_db
def test_the_periods_missed_while_nothing_ran_are_sent_once_when_it_runs_again(account, smtp_inbox):
    # Subscribed on Monday 2 March 2026 at 10:00 in Toronto.
    subscribe(account, created=dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    run(dt.datetime(2026, 3, 3, 12, 0, tzinfo=UTC))
    # The last complete day when it was created, and the day after.
    assert periods_of(smtp_inbox) == ["2026-03-01..2026-03-01", "2026-03-02..2026-03-02"]
    # The worker is down for four days; when it comes back, the four days go, oldest first.
    run(dt.datetime(2026, 3, 7, 12, 0, tzinfo=UTC))
    assert periods_of(smtp_inbox)[2:] == [f"2026-03-0{d}..2026-03-0{d}" for d in (3, 4, 5, 6)]
    # Running again (the same day, or a minute later) sends nothing more.
    run(dt.datetime(2026, 3, 7, 12, 1, tzinfo=UTC))
    run(dt.datetime(2026, 3, 7, 20, 0, tzinfo=UTC))
    assert len(smtp_inbox.messages) == 6
    assert ReportDelivery.objects.filter(sent_at=None).count() == 0
    assert ReportDelivery.objects.count() == 6


@pytest.mark.django_db
def test_weekly_and_monthly_periods_catch_up_too(account, smtp_inbox):
    subscribe(account, "weekly", created=dt.datetime(2026, 3, 4, 15, 0, tzinfo=UTC))
    subscribe(account, "monthly", created=dt.datetime(2026, 3, 4, 15, 0, tzinfo=UTC))
    # Nothing ran from 4 March to 20 April.
    run(dt.datetime(2026, 4, 20, 12, 0, tzinfo=UTC))
    assert sorted(periods_of(smtp_inbox)) == sorted(
        [
            # February was due when it was created, but it began more than the account's
            # 60 days of retention before 20 April: left out.
            "2026-03-01..2026-03-31",
            "2026-02-23..2026-03-01",  # Monday to Sunday, from the week before it was created
            "2026-03-02..2026-03-08",
            "2026-03-09..2026-03-15",
            "2026-03-16..2026-03-22",
            "2026-03-23..2026-03-29",
            "2026-03-30..2026-04-05",
            "2026-04-06..2026-04-12",
            "2026-04-13..2026-04-19",
        ]
    )
    run(dt.datetime(2026, 4, 21, 12, 0, tzinfo=UTC))
    assert len(smtp_inbox.messages) == 9


@pytest.mark.django_db
def test_it_catches_up_no_further_back_than_the_accounts_retention(account, smtp_inbox):
    account.retention_days = 60
    account.save()
    subscribe(account, "monthly", created=dt.datetime(2026, 1, 2, 15, 0, tzinfo=UTC))
    # Down from 2 January to 1 April: December and January began more than 60 days before.
    run(dt.datetime(2026, 4, 1, 12, 0, tzinfo=UTC))
    assert periods_of(smtp_inbox) == ["2026-02-01..2026-02-28", "2026-03-01..2026-03-31"]


@pytest.mark.django_db
def test_smtp_down_then_up_sends_the_pending_periods_once(account, settings):
    """A real SMTP server stopped, the service run, the server started again, run again."""
    inbox = Inbox()
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    subscribe(account, created=dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    # The server is down: nothing is sent, both days stay pending with the error.
    assert run(dt.datetime(2026, 3, 3, 12, 0, tzinfo=UTC)) == []
    assert inbox.messages == []
    pending = list(ReportDelivery.objects.order_by("period_start"))
    assert [(d.period_start.day, d.sent_at) for d in pending] == [(1, None), (2, None)]
    assert "Connection refused" in pending[0].last_error
    assert pending[0].attempts == 1 and pending[0].claimed_until is None
    # Still down the next day: the third day joins them.
    assert run(dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC)) == []
    server.start()
    try:
        sent = run(dt.datetime(2026, 3, 4, 12, 5, tzinfo=UTC))
        assert [d.period_start.day for d in sent] == [1, 2, 3]
        assert run(dt.datetime(2026, 3, 4, 12, 10, tzinfo=UTC)) == []
    finally:
        server.stop()
    assert periods_of(inbox) == [f"2026-03-0{d}..2026-03-0{d}" for d in (1, 2, 3)]
    assert all(d.last_error == "" for d in ReportDelivery.objects.all())


@pytest.mark.django_db
def test_an_address_the_server_accepted_is_not_sent_to_again_on_the_retry(account, settings):
    """The server refuses the second address once: the retry goes to it alone."""
    refused = {"desk@example.com"}

    class Picky(Inbox):
        async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
            if address in refused:
                refused.clear()
                return "550 not now"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    inbox = Picky()
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        subscribe(
            account,
            created=dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
            emails="boss@example.com, desk@example.com",
        )
        when = dt.datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
        assert run(when) == []
        delivery = ReportDelivery.objects.get()
        assert delivery.sent_to == "boss@example.com" and delivery.sent_at is None
        assert [run(when)[0].pk] == [delivery.pk]
    finally:
        server.stop()
    assert [m["To"] for m in inbox.messages] == ["boss@example.com", "desk@example.com"]
    delivery.refresh_from_db()
    assert delivery.sent_to == "boss@example.com, desk@example.com"


class SlowInbox(Inbox):
    """A real SMTP server that takes its time accepting each message, so that two runs of
    the service overlap for sure."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        import asyncio

        await asyncio.sleep(0.3)
        return await super().handle_DATA(server, session, envelope)


@contextlib.contextmanager
def database_for_threads(tmp_path):
    """The database the threads share, as in production. PostgreSQL: the test database. SQLite:
    the test database is in memory (shared cache, whose writers fail with "table is locked"
    instead of waiting), so the threads get a file copy of it, with the settings' WAL and
    busy timeout, as a SQLite portal runs; the test reads the outcome back from that file."""
    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "threads.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])
    settings_dict = connections.settings["default"]  # new connections (threads) open it
    in_memory = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        settings_dict["NAME"] = in_memory


def at_once(n, fn):
    """Run fn() in n threads, each with its own connection, released together; their
    results and errors."""
    start = threading.Barrier(n)
    results, errors = [], []

    def worker():
        from django.db import connection as own

        try:
            start.wait()
            results.append(fn())
        except Exception as error:  # reported by the caller
            errors.append(error)
        finally:
            own.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, errors


def in_a_thread(fn):
    [result], errors = at_once(1, fn)
    assert errors == []
    return result


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_time_send_each_period_once(make_account, settings, tmp_path):
    """Two threads (each with its own database connection) run the service at the same
    moment, on SQLite (a file, as in production) or PostgreSQL (DATABASE_URL)."""
    account = make_account()
    inbox = SlowInbox()
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    subscribe(account, created=dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    subscribe(account, "weekly", created=dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    now = dt.datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
    try:
        with database_for_threads(tmp_path), clock_at(now):
            results, errors = at_once(2, lambda: schedules.send_due(now))
            unsent = in_a_thread(lambda: ReportDelivery.objects.filter(sent_at=None).count())
            rows = in_a_thread(lambda: ReportDelivery.objects.count())
    finally:
        server.stop()
    assert errors == []
    # Daily: 1 to 5 March; weekly: 23 February to 1 March.
    expected = [f"2026-03-0{d}..2026-03-0{d}" for d in (1, 2, 3, 4, 5)] + ["2026-02-23..2026-03-01"]
    assert sorted(periods_of(inbox)) == sorted(expected)
    assert len(results) == 2 and sum(len(r) for r in results) == 6  # both ran, 6 in all
    assert (rows, unsent) == (6, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "before, after, day, late",
    [
        # Spring forward, Sunday 8 March 2026 has 23 hours: 23:30 EDT is 03:30 UTC Monday.
        (
            dt.datetime(2026, 3, 9, 3, 30, tzinfo=UTC),
            dt.datetime(2026, 3, 9, 4, 5, tzinfo=UTC),
            "2026-03-08",
            dt.datetime(2026, 3, 8, 23, 15),
        ),
        # Fall back, Sunday 1 November 2026 has 25 hours: 23:30 EST is 04:30 UTC Monday.
        (
            dt.datetime(2026, 11, 2, 4, 30, tzinfo=UTC),
            dt.datetime(2026, 11, 2, 5, 5, tzinfo=UTC),
            "2026-11-01",
            dt.datetime(2026, 11, 1, 23, 15),
        ),
    ],
)
def test_a_dst_sunday_is_sent_once_it_ended_in_the_accounts_time_zone(
    account, api, make_token, smtp_inbox, before, after, day, late
):
    friday = dt.date.fromisoformat(day) - dt.timedelta(days=2)
    created = dt.datetime.combine(friday, dt.time(17, 0), tzinfo=UTC)
    subscribe(account, created=created)
    account_number = account.number
    ingest(api, make_token(), [call(account_number, at=late)])  # 23:15 local on the Sunday
    run(before)  # 23:30 on the Sunday in Toronto: the Sunday is not over
    assert periods_of(smtp_inbox) == [
        f"{d}..{d}" for d in (friday - dt.timedelta(days=1), friday, friday + dt.timedelta(1))
    ]
    run(after)  # just after midnight in Toronto
    assert periods_of(smtp_inbox)[-1] == f"{day}..{day}"
    run(after + dt.timedelta(hours=1))
    assert len(smtp_inbox.messages) == 4
    body = smtp_inbox.messages[-1].get_body().get_content()
    assert "Total Incoming Calls: 1 100.0" in body  # the call at 23:15 belongs to the Sunday


@pytest.mark.django_db
def test_a_paused_subscription_sends_nothing_and_resumes_from_the_period_due_then(
    account, smtp_inbox
):
    sub = subscribe(account, created=dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    run(dt.datetime(2026, 3, 3, 12, 0, tzinfo=UTC))
    assert len(smtp_inbox.messages) == 2
    with clock_at(dt.datetime(2026, 3, 3, 13, 0, tzinfo=UTC)):
        assert subscriptions.pause(sub)
    run(dt.datetime(2026, 3, 8, 12, 0, tzinfo=UTC))
    assert len(smtp_inbox.messages) == 2
    assert schedules.pending_periods(sub, dt.datetime(2026, 3, 8, 12, 0, tzinfo=UTC)) == []
    with clock_at(dt.datetime(2026, 3, 8, 13, 0, tzinfo=UTC)):
        assert subscriptions.resume(sub)
    run(dt.datetime(2026, 3, 9, 12, 0, tzinfo=UTC))
    # The days of the pause are not sent; from the day due when it resumed on.
    assert periods_of(smtp_inbox)[2:] == ["2026-03-07..2026-03-07", "2026-03-08..2026-03-08"]


@pytest.mark.django_db
def test_the_command_catches_up_and_prints_each_period(account, smtp_inbox):
    import io

    from django.core.management import call_command

    subscribe(account, created=dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    out = io.StringIO()
    with clock_at(dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC)):
        call_command("send_scheduled_reports", stdout=out)
    assert "2026-03-01–2026-03-01" in out.getvalue()
    assert "2026-03-03–2026-03-03" in out.getvalue()
    assert "3 report(s) sent." in out.getvalue()
    assert len(smtp_inbox.messages) == 3


@pytest.mark.django_db(transaction=True)
def test_of_eight_runs_claiming_one_period_at_the_same_moment_one_wins(make_account, tmp_path):
    account = make_account()
    sub = subscribe(account, created=dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    delivery = ReportDelivery.objects.create(
        subscription=sub, period_start=dt.date(2026, 3, 1), period_end=dt.date(2026, 3, 1)
    )

    def claim():
        return schedules.claim(ReportDelivery.objects.get(pk=delivery.pk))

    def expire():
        ReportDelivery.objects.filter(pk=delivery.pk).update(
            claimed_until=dt.datetime(2000, 1, 1, tzinfo=UTC)
        )

    with database_for_threads(tmp_path):
        won, errors = at_once(8, claim)
        assert errors == []
        assert sorted(won) == [False] * 7 + [True]
        attempts = in_a_thread(lambda: ReportDelivery.objects.get(pk=delivery.pk).attempts)
        assert attempts == 1
        # Held: not claimable again until the holder gives it back or its lease runs out.
        assert in_a_thread(claim) is False
        in_a_thread(expire)
        assert in_a_thread(claim) is True
