"""The users of bench/load.py's workload (locust, FastHttpUser): the people, the dispatch and
the platform. bench/load.py sets the tokens and counts, runs them and reports.

- Person: signs in through the sign-in form (its CSRF token read off the form) as one of the
  demo's client logins (`demo`: 4000 and 5230, `clinic`: 4120; neither account asks for a
  second factor), in French or English, then, 1 to 4 s apart: the inbox, its htmx poll (the
  URL the page's own `hx-get` gives), a message, a keyword search, the call log, a call-log
  search over specific dates, the On Call page, its history, the statistics and the
  statistics over 60 days. Searches submit the page's own form: every field it sends, as the
  page drew it, with the criteria typed in.
- Dispatch: one `GET /api/v1/accounts/N/oncall` a second (constant_throughput; a random phase).
- Platform: two requests a second, alternating `POST /api/v1/ingest/calls` (20 new calls) and
  `POST /api/v1/ingest/messages` (5 new messages).
Every answer is checked (status, the page's form or the answer's fields, not the sign-in page);
a wrong one is a failure.
"""

import datetime as dt
import itertools
import json
import random
import re
import zoneinfo
from html.parser import HTMLParser
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, between, constant_throughput, task

DEMO_PASSWORD = "demo-portal-2026"  # portal/demo.py, README "Demo sign-ins"
LOGINS = (("demo", ("4000", "5230")), ("clinic", ("4120",)))
ACCOUNTS = ("4000", "4120", "5230")
TZ = zoneinfo.ZoneInfo("America/Toronto")  # the demo accounts' time zone
WORDS = ("RENDEZ-VOUS", "emergency", "Tremblay", "annulation", "facture", "urgent", "service")
AGENTS = ("ELD", "MKM", "JOH", "VDP", "F-CAROLANE")
DISPATCH = "dispatch look-up"
INGEST_KINDS = ("ingest calls", "ingest messages")
SIGN_IN_KINDS = ("sign-in form", "sign-in")


# --- The page's own form ------------------------------------------------------------------


class PageReader(HTMLParser):
    """What a browser would send for one form of a page (found by id or by a class), and the
    page's htmx `hx-get` URLs."""

    def __init__(self, form: str = ""):
        super().__init__(convert_charrefs=True)
        self.form = form
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.hx_get: list[str] = []
        self._select = None  # [name, multiple, [[value, selected], ...]]

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if "hx-get" in a:
            self.hx_get.append(a["hx-get"])
        if tag == "form":
            self.inside = bool(self.form) and (
                a.get("id") == self.form or self.form in a.get("class", "").split()
            )
            return
        if not self.inside or "form" in a or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value") or "on"))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = [name, "multiple" in a, []]
        elif tag == "option" and self._select is not None:
            self._select[2].append([a.get("value", ""), "selected" in a])

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            name, multiple, options = self._select
            chosen = [value for value, selected in options if selected]
            if not chosen and not multiple and options:
                chosen = [options[0][0]]
            self.fields.extend((name, value) for value in chosen)
            self._select = None


def read_page(html: str, form: str = "") -> PageReader:
    reader = PageReader(form)
    reader.feed(html)
    reader.close()
    return reader


def filled(fields: list[tuple[str, str]], **typed: str) -> str:
    """The form's query string with some fields typed into (or a radio chosen)."""
    out = [(name, value) for name, value in fields if name not in typed]
    out.extend(typed.items())
    return urlencode(out)


def today() -> dt.date:
    return dt.datetime.now(TZ).date()


# --- The people, the dispatch and the platform -------------------------------------------


class Person(FastHttpUser):
    """A client's employee: signs in through the form, then reads pages, 1 to 4 s apart."""

    wait_time = between(1, 4)
    numbering = itertools.count()

    def on_start(self):
        n = next(Person.numbering)
        self.username, numbers = LOGINS[n % len(LOGINS)]
        self.number = numbers[(n // len(LOGINS)) % len(numbers)]
        self.headers = {"Accept-Language": "en" if n % 3 == 0 else "fr"}
        self.inbox_html = self.calls_html = self.stats_html = ""
        self.poll_url = ""
        self.message_ids: list[str] = []
        self.signed_in = False
        self.sign_in()

    def sign_in(self):
        with self.client.get(
            "/login/", name="sign-in form", headers=self.headers, catch_response=True
        ) as r:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text or "")
            if r.status_code != 200 or not token:
                r.failure(f"HTTP {r.status_code}, no sign-in form")
                return
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "username": self.username,
            "password": DEMO_PASSWORD,
        }
        with self.client.post(
            "/login/", data=data, name="sign-in", headers=self.headers, catch_response=True
        ) as r:
            if r.status_code != 200 or 'name="password"' in (r.text or ""):
                r.failure(f"HTTP {r.status_code}: not signed in")
                return
        self.signed_in = True

    def page(self, path: str, kind: str, expect: str, headers: dict | None = None) -> str:
        """GET a page; an answer that is not that page (an error, the sign-in page) fails."""
        if not self.signed_in:
            self.sign_in()
            if not self.signed_in:
                return ""
        with self.client.get(
            path, name=kind, headers={**self.headers, **(headers or {})}, catch_response=True
        ) as r:
            text = r.text or ""
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
            elif 'name="password"' in text and "/login/" in text:
                r.failure("the sign-in page (signed out)")
                self.signed_in = False
            elif expect not in text:
                r.failure(f"not the page: no {expect!r}")
            else:
                return text
        return ""

    @property
    def base(self) -> str:
        return f"/a/{self.number}"

    @task(4)
    def inbox(self):
        text = self.page(f"{self.base}/messages/", "inbox", 'id="filter-form"')
        if text:
            self.inbox_html = text
            reader = read_page(text)
            self.poll_url = next((u for u in reader.hx_get if "/messages/new/" in u), "")
            self.message_ids = re.findall(r'name="ids" value="([^"]+)"', text)

    @task(3)
    def inbox_poll(self):
        """The open inbox's poll (htmx, every 15 s), at the URL the page gave it."""
        if not self.poll_url:
            return self.inbox()
        text = self.page(
            self.poll_url,
            "inbox poll",
            'id="inbox-poll"',
            headers={"HX-Request": "true", "X-Portal-Background": "1"},
        )
        following = [u for u in read_page(text).hx_get if "/messages/new/" in u] if text else []
        if following:  # the answer replaces the poller, with its next URL
            self.poll_url = following[0]

    @task(2)
    def message(self):
        if not self.message_ids:
            return self.inbox()
        message_id = random.choice(self.message_ids)
        self.page(f"{self.base}/messages/{message_id}/", "message", message_id)

    @task(2)
    def inbox_search(self):
        if not self.inbox_html:
            return self.inbox()
        fields = read_page(self.inbox_html, "filter-form").fields
        query = filled(fields, q=random.choice(WORDS))
        self.page(f"{self.base}/messages/?{query}", "inbox search", 'id="filter-form"')

    @task(2)
    def call_log(self):
        text = self.page(f"{self.base}/calls/", "call log", 'id="call-search"')
        if text:
            self.calls_html = text

    @task(2)
    def call_search(self):
        if not self.calls_html:
            return self.call_log()
        fields = read_page(self.calls_html, "call-search").fields
        end = today()
        typed = {
            "preset": "dates",
            "start_date": (end - dt.timedelta(days=random.choice((1, 7, 30)))).isoformat(),
            "start_time": "00:00",
            "end_date": end.isoformat(),
            "end_time": "23:59",
        }
        if random.random() < 0.5:
            typed["agent"] = random.choice(AGENTS)
        self.page(
            f"{self.base}/calls/?{filled(fields, **typed)}", "call search", 'id="call-search"'
        )

    @task(2)
    def oncall(self):
        self.page(f"{self.base}/oncall/", "on-call", 'id="main"')

    @task(1)
    def oncall_history(self):
        self.page(f"{self.base}/oncall/history/", "on-call history", 'id="main"')

    @task(1)
    def statistics(self):
        text = self.page(f"{self.base}/stats/", "statistics", "report-form")
        if text:
            self.stats_html = text

    @task(1)
    def statistics_60_days(self):
        if not self.stats_html:
            return self.statistics()
        fields = read_page(self.stats_html, "report-form").fields
        end = today()
        query = filled(fields, start=(end - dt.timedelta(days=60)).isoformat(), end=end.isoformat())
        self.page(f"{self.base}/stats/?{query}", "statistics 60 days", "report-form")


class Dispatch(FastHttpUser):
    """One of the dispatch's look-ups at one a second; --dispatch-rate of them."""

    fixed_count = 20
    wait_time = constant_throughput(1)
    token = ""

    def on_start(self):
        gevent.sleep(random.random())  # random phases: not every look-up on the same tick

    @task
    def lookup(self):
        number = random.choice(ACCOUNTS)
        with self.client.get(
            f"/api/v1/accounts/{number}/oncall",
            name=DISPATCH,
            headers={"Authorization": f"Bearer {self.token}"},
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
                return
            answer = r.json()
            if answer.get("account") != number or "covered" not in answer:
                r.failure("not the on-call answer")


class Platform(FastHttpUser):
    """The call-center platform pushing what happens: calls and messages, two requests a second."""

    fixed_count = 1
    wait_time = constant_throughput(2)
    token = ""
    prefix = ""  # call and message ids of this run
    numbering = itertools.count(1)

    def post(self, path: str, kind: str, body: dict, count: int):
        with self.client.post(
            path,
            data=json.dumps(body),
            name=kind,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}: {(r.text or '')[:200]}")
            elif r.json().get("created") != count:
                r.failure(f"not all created: {(r.text or '')[:200]}")

    @task
    def ingest(self):
        n = next(self.numbering)
        now = dt.datetime.now(TZ).replace(microsecond=0)
        if n % 2:
            calls = []
            for i in range(20):
                duration = random.randint(20, 400)
                answered = random.random() < 0.9
                calls.append(
                    {
                        "call_id": f"{self.prefix}{n:06d}{i:02d}",
                        "account": random.choice(ACCOUNTS),
                        "started_at": (now - dt.timedelta(seconds=duration)).isoformat(),
                        "duration_s": duration,
                        "caller_id": f"514555{random.randint(1000, 9999)}",
                        "caller_name": random.choice(("TREMBLAY MARC", "ROY JULIE", "GAGNON LUC")),
                        "agent": random.choice(AGENTS),
                        "station": str(random.randint(1, 30)),
                        "queued_s": 0,
                        "assigned_s": 4 if answered else None,
                        "answered_s": 6 if answered else None,
                        "work_s": duration - 6 if answered else None,
                    }
                )
            self.post("/api/v1/ingest/calls", INGEST_KINDS[0], {"calls": calls}, 20)
        else:
            messages = [
                {
                    "message_id": f"{self.prefix}{n:06d}{i:02d}",
                    "account": random.choice(ACCOUNTS),
                    "taken_at": now.isoformat(),
                    "agent": random.choice(AGENTS),
                    "subject": random.choice(("RENDEZ-VOUS", "SERVICE CALL", "EMERGENCY")),
                    "fields": [["Nom", "Julie Roy"], ["Tel", "(514) 555-0199"]],
                    "body": "Rappeler avant 17 h au sujet du rendez-vous.",
                    "urgent": random.random() < 0.1,
                }
                for i in range(5)
            ]
            self.post("/api/v1/ingest/messages", INGEST_KINDS[1], {"messages": messages}, 5)
