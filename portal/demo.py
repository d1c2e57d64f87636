"""Demo data for `manage.py seed_demo`: deterministic, realistic, through the ingest services.

Everything is stored by the same functions the API calls (accounts, contacts, calls,
recordings, messages, billable items, billing lines, on-call), so the demo also exercises
them. Only the information pages, which have no ingest API, are written with the ORM.

Determinism: every random choice comes from a `random.Random` seeded with a stable label
(the account and the local date for a day's calls, the call number for its recording or
message...). A day's data depends on that day only, never on when the seeder runs or how
many days it covers, so ids are stable and running it again stores nothing new. Runs on
later days add the new days (the platform would have pushed them) and leave the rest as is.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import random
import sys
import wave
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal import clock

DEMO_PASSWORD = "demo-portal-2026"
TZ_NAME = "America/Toronto"
EPOCH = dt.date(2020, 1, 1)  # call and message numbers count days from here
BATCH = 1000  # the contract's largest batch
ACTOR_NAME = "seed_demo"


# --- The demo accounts -----------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    contact_id: str
    name: str
    phones: tuple[str, ...]
    sms: str = ""
    email: str = ""
    on_call: bool = True


@dataclass(frozen=True)
class AccountSpec:
    number: str
    name: str
    language: str
    billing_number: str
    groups: tuple[int, ...]
    greeting: bool  # an automated greeting: callers press 0 for an agent
    volume: float  # calls per day, relative to a typical account
    night_extra: float  # extra calls per hour at night and on weekends (emergencies)
    area_codes: tuple[str, ...]
    email: str  # where messages are e-mailed
    dgroups: tuple[float, float, float]  # share of distribution groups 0, 1, 2
    people: tuple[Person, ...]
    schedule_name: str
    ranks: int = 1
    fax: bool = False

    @property
    def fr(self) -> bool:
        return self.language == "fr"


ACCOUNTS: tuple[AccountSpec, ...] = (
    AccountSpec(
        number="4000",
        name="TEST",
        language="fr",
        billing_number="784000",
        groups=(1,),
        greeting=True,
        volume=0.95,
        night_extra=0.05,
        area_codes=("514", "514", "450", "438"),
        email="info@compagnie.ca",
        dgroups=(0.7, 0.2, 0.1),
        people=(
            Person(
                "anthony",
                "Anthony Giosi",
                ("(514) 521-4571", "(514) 388-1200"),
                "5145214571",
                "anthony.giosi@compagnie.ca",
            ),
            Person(
                "luc",
                "Luc Lambert",
                ("(514) 736-2210", "(450) 663-0918", "(514) 736-2200"),
                "5147362210",
                "luc.lambert@compagnie.ca",
            ),
            Person(
                "patrick",
                "Patrick Tremblay",
                ("(438) 812-5573",),
                "4388125573",
                "patrick.tremblay@compagnie.ca",
            ),
            Person(
                "mclaude",
                "Marie-Claude Roy",
                ("(514) 521-4500",),
                "",
                "mc.roy@compagnie.ca",
                on_call=False,
            ),
            Person(
                "bureau",
                "Bureau — Service à la clientèle",
                ("(514) 521-4500",),
                "",
                "info@compagnie.ca",
                on_call=False,
            ),
        ),
        schedule_name="01 Horaire",
        fax=True,
    ),
    AccountSpec(
        number="4120",
        name="CLINIQUE MÉDICALE ROSEMONT",
        language="fr",
        billing_number="784120",
        groups=(1, 2),
        greeting=False,
        volume=0.8,
        night_extra=0.0,
        area_codes=("514", "514", "438"),
        email="info@cliniquerosemont.ca",
        dgroups=(0.8, 0.0, 0.2),
        people=(
            Person(
                "igagnon",
                "Dre Isabelle Gagnon",
                ("(514) 254-7110", "(514) 962-3381"),
                "5149623381",
                "i.gagnon@cliniquerosemont.ca",
            ),
            Person(
                "mbouchard",
                "Dr Marc Bouchard",
                ("(514) 254-7112", "(514) 717-0452"),
                "5147170452",
                "m.bouchard@cliniquerosemont.ca",
            ),
            Person(
                "scote",
                "Dre Sophie Côté",
                ("(514) 254-7114",),
                "4385510927",
                "s.cote@cliniquerosemont.ca",
            ),
            Person(
                "reception",
                "Réception",
                ("(514) 254-7100",),
                "",
                "info@cliniquerosemont.ca",
                on_call=False,
            ),
        ),
        schedule_name="01 Horaire",
    ),
    AccountSpec(
        number="5230",
        name="NORTHSHORE PLUMBING",
        language="en",
        billing_number="785230",
        groups=(2, 3),
        greeting=False,
        volume=1.05,
        night_extra=0.35,
        area_codes=("416", "647", "905", "905"),
        email="info@northshoreplumbing.ca",
        dgroups=(0.6, 0.4, 0.0),
        people=(
            Person(
                "mike",
                "Mike Russo",
                ("(416) 555-0142", "(647) 555-0199"),
                "6475550199",
                "mike@northshoreplumbing.ca",
            ),
            Person(
                "dave",
                "Dave Chen",
                ("(905) 555-0117",),
                "9055550117",
                "dave@northshoreplumbing.ca",
            ),
            Person(
                "sarah",
                "Sarah O'Neil",
                ("(416) 555-0188", "(416) 555-0100"),
                "4165550188",
                "sarah@northshoreplumbing.ca",
            ),
            Person(
                "kevin",
                "Kevin Walsh",
                ("(647) 555-0163",),
                "6475550163",
                "kevin@northshoreplumbing.ca",
            ),
            Person(
                "office",
                "Dispatch office",
                ("(416) 555-0100",),
                "",
                "info@northshoreplumbing.ca",
                on_call=False,
            ),
        ),
        schedule_name="01 On-Call",
        ranks=2,
    ),
)

# Who can sign in: (username, accounts, role, staff?).
LOGINS: tuple[tuple[str, tuple[str, ...], str, bool], ...] = (
    ("demo", ("4000", "5230"), "admin", False),
    ("clinic", ("4120",), "user", False),
    ("staff", (), "admin", True),
)
# Each demo login has an address, so that e-mails (the gap alerts go to client admins) can be
# seen out of the box, with the console backend or a local SMTP server (EMAIL_URL).
LOGIN_EMAILS = {
    "demo": "demo@example.com",
    "clinic": "clinic@example.com",
    "staff": "staff@example.com",
}


def sign_ins_text() -> str:
    """What the command prints every time: the demo logins and where they lead."""
    names = {s.number: f"{s.number}-{s.name}" for s in ACCOUNTS}
    port = os.environ.get("PORT", "8000")
    lines = [
        f"Demo sign-ins at http://127.0.0.1:{port}/login/ (password for each: {DEMO_PASSWORD})"
    ]
    for username, numbers, role, staff in LOGINS:
        if staff:
            where = "the staff back office, /admin/ (set up two-step verification first)"
        else:
            role_label = "client admin" if role == "admin" else "client user"
            where = f"{', '.join(names[n] for n in numbers)} ({role_label})"
        lines.append(f"  {username:<8} -> {where}")
    return "\n".join(lines)


# --- Agents, callers, names ------------------------------------------------------------

# Agent code -> station, by the part of the day they work (local time).
DAY_AGENTS = {
    "F-CAROLANE": "12",
    "B-LUCAS": "14",
    "B-BERTRAND": "10",
    "S-PHILIPPE-E": "11",
    "B-NICHOLAS": "7",
    "ELD": "155",
    "MKM": "11",
}
EVENING_AGENTS = {"KAL": "5", "JOH": "10", "VDP": "14", "B-LUCAS": "14", "DOM": "12"}
NIGHT_AGENTS = {"DOM": "14", "ELD": "155", "KAL": "5"}

# fmt: off
FIRST_FR = [
    "Marie", "Jean", "Sylvie", "Michel", "Julie", "Pierre", "Nathalie", "François", "Isabelle",
    "Stéphane", "Chantal", "Martin", "Geneviève", "Mathieu", "Louise", "Éric", "Karine",
    "Sébastien", "Mélanie", "Yves", "Josée", "Alexandre", "Annie", "Simon", "Caroline",
]
LAST_FR = [
    "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin",
    "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette",
    "Girard", "Simard", "Boucher", "Caron", "Beaulieu", "Cloutier", "Dubé", "Poirier",
]
FIRST_EN = [
    "James", "Linda", "Robert", "Susan", "Michael", "Karen", "David", "Lisa", "Daniel", "Nancy",
    "Paul", "Jennifer", "Mark", "Sandra", "Steven", "Priya", "Wei", "Raj", "Anna", "Tom",
    "Emily", "Omar", "Grace", "Ravi", "Heather",
]
LAST_EN = [
    "Smith", "Brown", "Wilson", "Martin", "Patel", "Singh", "Nguyen", "Chen", "MacDonald",
    "Campbell", "Thompson", "Anderson", "O'Brien", "Russo", "Kowalski", "Taylor", "Li",
    "Murphy", "Khan", "Fraser", "Stewart", "Wong", "Clarke", "Ross", "Hughes",
]
STREETS_FR = [
    "rue Beaubien Est", "rue Masson", "boul. Saint-Michel", "rue Sherbrooke Est",
    "av. Papineau", "rue Bélanger", "boul. Rosemont", "rue Fleury Ouest",
    "av. du Mont-Royal Est", "rue Jean-Talon Est", "boul. Lacordaire", "rue Saint-Hubert",
]
CITIES_FR = [
    ("Montréal", "H1H"), ("Montréal", "H2G"), ("Laval", "H7N"), ("Longueuil", "J4K"),
    ("Montréal", "H1Y"), ("Brossard", "J4W"), ("Montréal-Nord", "H1G"),
]
STREETS_EN = [
    "Bayview Ave", "Yonge St", "Lawrence Ave E", "Finch Ave W", "Lakeshore Rd", "Kingston Rd",
    "Sheppard Ave E", "Dundas St W", "Queen St E", "Bathurst St", "Eglinton Ave E",
]
CITIES_EN = [
    ("Toronto", "M4C"), ("Toronto", "M2N"), ("North York", "M3H"), ("Mississauga", "L5B"),
    ("Scarborough", "M1P"), ("Markham", "L3R"), ("Etobicoke", "M9C"),
]
# fmt: on
POSTAL_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"


@dataclass(frozen=True)
class Caller:
    first: str
    last: str
    digits: str  # "5145214571", as the platform sends a caller ID
    street: str
    city: str
    postal: str
    cnam: str  # the caller name the telephone network gives

    @property
    def phone(self) -> str:
        d = self.digits
        return f"({d[:3]}) {d[3:6]}-{d[6:]}"


@cache
def callers(spec: AccountSpec) -> tuple[Caller, ...]:
    """The account's callers; the first ones call again and again."""
    rng = random.Random(f"callers:{spec.number}")
    firsts, lasts = (FIRST_FR, LAST_FR) if spec.fr else (FIRST_EN, LAST_EN)
    streets, cities = (STREETS_FR, CITIES_FR) if spec.fr else (STREETS_EN, CITIES_EN)
    people = []
    for _ in range(220):
        first, last = rng.choice(firsts), rng.choice(lasts)
        digits = (
            rng.choice(spec.area_codes) + str(rng.randint(200, 989)) + f"{rng.randint(0, 9999):04d}"
        )
        city, fsa = rng.choice(cities)
        postal = f"{fsa} {rng.randint(1, 9)}{rng.choice(POSTAL_LETTERS)}{rng.randint(1, 9)}"
        r = rng.random()
        if r < 0.12:
            cnam = "APPEL SANS FIL" if spec.fr else "WIRELESS CALLER"
        elif r < 0.17:
            cnam = ""
        else:
            cnam = f"{fold_upper(last)} {fold_upper(first)}"[:15]
        people.append(
            Caller(
                first,
                last,
                digits,
                f"{rng.randint(100, 9899)} {rng.choice(streets)}",
                city,
                postal,
                cnam,
            )
        )
    return tuple(people)


def fold_upper(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def pick_caller(rng: random.Random, spec: AccountSpec) -> Caller:
    pool = callers(spec)
    if rng.random() < 0.3:
        return pool[rng.randrange(25)]  # regulars
    return pool[rng.randrange(len(pool))]


# --- Calls -----------------------------------------------------------------------------

# Calls per hour on a weekday (local time), for an account of volume 1.
# fmt: off
WEEKDAY = [
    0.25, 0.15, 0.1, 0.1, 0.12, 0.25, 0.6, 1.6, 3.4, 4.6, 4.4, 3.8, 2.6, 2.9, 3.6, 3.3, 2.8,
    2.2, 1.5, 1.1, 0.9, 0.7, 0.5, 0.35,
]
WEEKEND = [
    0.3, 0.2, 0.15, 0.1, 0.1, 0.15, 0.25, 0.45, 0.8, 1.2, 1.4, 1.4, 1.3, 1.2, 1.1, 1.0, 0.9,
    0.8, 0.7, 0.6, 0.55, 0.5, 0.4, 0.35,
]
# fmt: on
DAY_FACTOR = [1.2, 1.05, 1.0, 1.0, 0.9, 0.9, 0.65]  # Monday .. Sunday


def rate(spec: AccountSpec, day: dt.date, hour: int) -> float:
    weekday = day.weekday()
    quiet = weekday >= 5 or day in holidays(day.year)
    base = (WEEKEND if quiet else WEEKDAY)[hour] * (0.7 if quiet and weekday != 5 else 1.0)
    base *= 1.0 if quiet else DAY_FACTOR[weekday]
    extra = spec.night_extra if (quiet or hour < 7 or hour >= 19) else 0.0
    return base * spec.volume + extra


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def agents_for(local: dt.datetime) -> dict[str, str]:
    if 7 <= local.hour < 15:
        return DAY_AGENTS
    if 15 <= local.hour < 23:
        return EVENING_AGENTS
    return NIGHT_AGENTS


@dataclass
class DemoCall:
    """One generated call: the contract's record plus what messages and billing need."""

    spec: AccountSpec
    local: dt.datetime
    record: dict[str, Any]
    caller: Caller | None
    talked: bool = False  # an agent talked with the caller (a message may be taken)

    @property
    def call_id(self) -> str:
        return self.record["call_id"]


def r1(x: float) -> float:
    return round(x, 1)


def make_call(rng: random.Random, spec: AccountSpec, local: dt.datetime, load: float) -> DemoCall:
    """One call's outcome and timings, consistent with the contract's statistics."""
    agents = agents_for(local)
    agent = rng.choice(sorted(agents))
    station = agents[agent]
    caller = pick_caller(rng, spec)
    rec: dict[str, Any] = {
        "account": spec.number,
        "started_at": local.isoformat(),
        "distribution_group": rng.choices((0, 1, 2), weights=spec.dgroups)[0],
    }
    call = DemoCall(spec, local, rec, caller)
    r = rng.random()
    if r < 0.065:  # a transaction: an e-mail case or a message dispatch, no conversation
        email_case = rng.random() < 0.4
        rec.update(
            kind="transaction",
            direction="in" if email_case else "out",
            duration_s=r1(rng.uniform(15, 150)),
            agent=agent,
            station=station,
        )
        rec["work_s"] = rec["duration_s"]
        if email_case:
            rec["caller_name"] = f"{caller.first} {caller.last}"
        else:
            call.caller = None
        return call
    rec["caller_id"] = caller.digits
    rec["caller_name"] = caller.cnam
    if r < 0.115:  # an agent calls out (a callback, a patch to the on-call person)
        ring = rng.uniform(4, 18)
        talk = min(600, rng.lognormvariate(math.log(70), 0.6))
        rec.update(
            direction="out",
            duration_s=r1(ring + talk),
            agent=agent,
            station=station,
            work_s=r1(ring + talk + rng.uniform(5, 40)),
            quality=quality(rng),
        )
        call.talked = True
        return call
    q = r1(rng.uniform(4, 14)) if spec.greeting else 0.0
    r = rng.random()
    if r < 0.015:  # busy signal
        rec.update(busy=True, duration_s=r1(rng.uniform(0, 4)))
        return call
    if r < 0.045:  # hung up almost at once: not counted as incoming
        rec.update(duration_s=r1(rng.uniform(1, 6)))
        return call
    if r < 0.13:  # automated: the greeting handled it, or a hang-up right after the answer
        if spec.greeting and rng.random() < 0.7:
            rec.update(duration_s=r1(rng.uniform(10, 55)))
        else:
            assigned = q + rng.uniform(1, 5)
            answered = assigned + rng.uniform(1, 4)
            rec.update(
                duration_s=r1(answered + rng.uniform(2, 9)),
                queued_s=q,
                assigned_s=r1(assigned),
                answered_s=r1(answered),
                agent=agent,
                station=station,
                work_s=r1(rng.uniform(5, 20)),
            )
        return call
    if r < 0.13 + 0.05 * load:  # system abandon: hung up before an agent was free
        rec.update(duration_s=r1(q + rng.uniform(11, 75)), queued_s=q)
        return call
    if r < 0.17 + 0.05 * load:  # agent abandon: assigned, hung up while it rang
        assigned = q + rng.uniform(3, 25)
        rec.update(
            duration_s=r1(assigned + rng.uniform(10, 30)),
            queued_s=q,
            assigned_s=r1(assigned),
            agent=agent,
            station=station,
        )
        return call
    # Answered by an agent. Waits grow with the load of the hour.
    wait = min(150.0, rng.lognormvariate(math.log(8 + 6 * load), 0.65))
    assigned = q + wait * rng.uniform(0.55, 0.9)
    answered = q + wait
    talk = min(900.0, max(20.0, rng.lognormvariate(math.log(95), 0.6)))
    holds = []
    if rng.random() < 0.16:
        holds = [r1(rng.uniform(5, 70)) for _ in range(rng.choice((1, 1, 1, 2)))]
    patch = r1(rng.uniform(40, 420)) if rng.random() < 0.035 else 0.0
    duration = answered + talk + sum(holds) + patch
    rec.update(
        duration_s=r1(duration),
        queued_s=q,
        assigned_s=r1(assigned),
        answered_s=r1(answered),
        agent=agent,
        station=station,
        work_s=r1(talk + sum(holds) + rng.uniform(8, 75)),
        quality=quality(rng),
    )
    if holds:
        rec["holds_s"] = holds
    if patch:
        rec["patch_s"] = patch
    call.talked = True
    return call


def quality(rng: random.Random) -> int:
    return int(max(35, min(100, rng.gauss(86, 8))))


def local_datetime(day: dt.date, seconds: float, tz: ZoneInfo) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)
    # Normalise through UTC so that a time in the spring-forward gap gets a real offset.
    return naive.replace(tzinfo=tz).astimezone(dt.UTC).astimezone(tz)


def day_calls(day: dt.date, specs: Iterable[AccountSpec]) -> list[DemoCall]:
    """Every account's calls of one local day, numbered in the order they started."""
    tz = ZoneInfo(TZ_NAME)
    calls: list[DemoCall] = []
    for spec in specs:
        rng = random.Random(f"calls:{spec.number}:{day.isoformat()}")
        for hour in range(24):
            lam = rate(spec, day, hour)
            load = min(1.0, lam / 4.5)
            for _ in range(poisson(rng, lam)):
                local = local_datetime(day, hour * 3600 + rng.randint(0, 3599), tz)
                calls.append(make_call(rng, spec, local, load))
    calls.sort(key=lambda c: (c.local.astimezone(dt.UTC), c.spec.number))
    base = 10_000_000 + (day - EPOCH).days * 1000
    if len(calls) >= 1000:
        raise RuntimeError("more than 999 demo calls in one day")
    for i, c in enumerate(calls):
        c.record["call_id"] = str(base + i)
        c.record["started_at"] = c.local.isoformat(timespec="seconds")
    return calls


def generate_calls(start: dt.datetime, end: dt.datetime, specs=ACCOUNTS) -> list[DemoCall]:
    """The calls that started in [start, end)."""
    tz = ZoneInfo(TZ_NAME)
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    out = []
    while day <= last:
        out.extend(c for c in day_calls(day, specs) if start <= c.local < end)
        day += dt.timedelta(days=1)
    return out


# --- Holidays --------------------------------------------------------------------------


def easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


@cache
def holidays(year: int) -> dict[dt.date, tuple[str, str]]:
    """Statutory holidays (Quebec and Ontario): date -> (French, English) name."""
    may25 = dt.date(year, 5, 25)
    victoria = may25 - dt.timedelta(days=(may25.weekday() or 7))
    return {
        dt.date(year, 1, 1): ("Jour de l'An", "New Year's Day"),
        easter(year) - dt.timedelta(days=2): ("Vendredi saint", "Good Friday"),
        victoria: ("Journée nationale des patriotes", "Victoria Day"),
        dt.date(year, 6, 24): ("Fête nationale", "St-Jean-Baptiste Day"),
        dt.date(year, 7, 1): ("Fête du Canada", "Canada Day"),
        nth_weekday(year, 9, 0, 1): ("Fête du Travail", "Labour Day"),
        nth_weekday(year, 10, 0, 2): ("Action de grâce", "Thanksgiving"),
        dt.date(year, 12, 25): ("Noël", "Christmas Day"),
        dt.date(year, 12, 26): ("Lendemain de Noël", "Boxing Day"),
    }


# --- Recordings: small WAV files a browser plays ----------------------------------------

RATE = 8000
VOWELS = [(730, 1090), (270, 2290), (530, 1840), (570, 840), (300, 870), (440, 1020)]


@lru_cache(maxsize=1)
def syllable_bank() -> dict[str, list[array]]:
    """Voice-like bursts: a pitch with harmonics shaped by two formants, a soft envelope."""
    rng = random.Random("syllables")
    bank: dict[str, list[array]] = {"agent": [], "caller": []}
    for voice, f0_base in (("agent", 205.0), ("caller", 118.0)):
        for vowel in VOWELS:
            for length in (0.11, 0.17, 0.24):
                for glide in (-0.12, 0.08):
                    f0 = f0_base * rng.uniform(0.92, 1.1)
                    n = int(length * RATE)
                    weights = []
                    for k in range(1, int(3400 // f0) + 1):
                        w = sum(math.exp(-(((k * f0 - f) / 220.0) ** 2)) for f in vowel)
                        weights.append((k, (0.25 + w) / k))
                    norm = sum(w for _, w in weights)
                    samples = array("h")
                    phase = 0.0
                    for i in range(n):
                        x = i / n
                        phase += 2 * math.pi * f0 * (1 + glide * x) / RATE
                        env = math.sin(math.pi * x) ** 1.6
                        s = sum(w * math.sin(k * phase) for k, w in weights) / norm
                        samples.append(int(14000 * env * s))
                    bank[voice].append(samples)
    return bank


@lru_cache(maxsize=1)
def ringback() -> array:
    """A short North American ring-back (440 + 480 Hz), faded in and out."""
    n = int(0.45 * RATE)
    out = array("h")
    for i in range(n):
        env = min(1.0, i / 400, (n - i) / 400)
        t = i / RATE
        out.append(
            int(2800 * env * (math.sin(2 * math.pi * 440 * t) + math.sin(2 * math.pi * 480 * t)))
        )
    return out


def silence(seconds: float) -> array:
    return array("h", bytes(2 * int(seconds * RATE)))


def recording_wav(call_id: str) -> bytes:
    """A 3–6 s conversation-like WAV (8 kHz mono 16-bit), always the same for a call."""
    rng = random.Random(f"recording:{call_id}")
    bank = syllable_bank()
    target = int(rng.uniform(3.0, 6.0) * RATE)
    samples = array("h")
    samples.extend(ringback())
    samples.extend(silence(0.25))
    voice = "agent"
    while len(samples) < target:
        for _ in range(rng.randint(3, 7)):
            samples.extend(rng.choice(bank[voice]))
            samples.extend(silence(rng.uniform(0.02, 0.09)))
        samples.extend(silence(rng.uniform(0.2, 0.45)))
        voice = "caller" if voice == "agent" else "agent"
    del samples[target:]
    fade = min(400, len(samples))
    for i in range(fade):  # no click at the end
        samples[-1 - i] = samples[-1 - i] * i // fade
    if sys.byteorder == "big":
        samples.byteswap()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.tobytes())
    return buffer.getvalue()


def wants_recording(call: DemoCall) -> bool:
    """A recording for a share of the voice calls where someone talked."""
    rec = call.record
    if rec.get("kind") == "transaction" or not call.talked:
        return False
    return random.Random(f"has-recording:{call.call_id}").random() < 0.06


# --- Messages --------------------------------------------------------------------------


def _fr_date(rng: random.Random, day: dt.date) -> tuple[str, str]:
    if rng.random() < 0.5:
        return "A rappeler", "A rappeler"
    later = day + dt.timedelta(days=rng.randint(1, 6))
    return later.strftime("%d/%m/%Y"), rng.choice(["AM", "PM", "8h - 12h", "13h - 17h"])


APPLIANCES = ["Laveuse", "Sécheuse", "Réfrigérateur", "Lave-vaisselle", "Cuisinière", "Four"]
BRANDS = ["Whirlpool", "Maytag", "Frigidaire", "GE", "LG", "Samsung", "Bosch", "KitchenAid"]
PROBLEMS_FR = [
    "Ne démarre plus",
    "Fuite d'eau sous l'appareil",
    "Fait un bruit anormal à l'essorage",
    "Ne chauffe plus",
    "Code d'erreur F21 affiché",
    "La porte ne ferme plus",
    "Ne refroidit pas assez",
]
REFERENCES = ["Internet", "Pages Jaunes", "Client existant", "Référé par un ami", "Google"]
PROBLEMS_EN = [
    "Burst pipe in the basement",
    "Water heater leaking",
    "Kitchen sink clogged",
    "No hot water",
    "Toilet running constantly",
    "Sump pump not working",
    "Low water pressure upstairs",
    "Sewer backup in floor drain",
]


def message_content(
    rng: random.Random, spec: AccountSpec, call: DemoCall
) -> tuple[str, list, str, bool]:
    """Subject, form fields (in order), body and urgency for a message on this account."""
    c = call.caller
    assert c is not None
    day = call.local.date()
    night = call.local.hour < 7 or call.local.hour >= 20 or call.local.weekday() >= 5
    r = rng.random()
    if spec.number == "4000":
        if r < 0.55:
            date, hour = _fr_date(rng, day)
            fields = [
                ["Prénom", c.first],
                ["Nom", c.last],
                ["Tel", c.phone],
                ["Adresse", c.street],
                ["Ville", c.city],
                ["Code postal", c.postal],
                ["Modèle", f"{rng.choice(BRANDS)} {rng.choice(APPLIANCES)}"],
                [
                    "Serie",
                    f"{rng.randint(10_000_000, 99_999_999)}{rng.choice(['AJ', 'KL', 'MX', 'B'])}",
                ],
                [
                    "Age/Date d'achat",
                    rng.choice(["1 an", "2 ans", "5 ans", "2019", "Moins de 6 mois"]),
                ],
                ["Reference", rng.choice(REFERENCES)],
                ["Probleme", rng.choice(PROBLEMS_FR)],
                ["Date", date],
                ["Heure", hour],
            ]
            return "RENDEZ-VOUS", fields, "", False
        if r < 0.8:
            fields = [["Prénom", c.first], ["Nom", c.last], ["Tel", c.phone]]
            body = rng.choice(
                [
                    "Veut savoir si la pièce commandée est arrivée.",
                    "Demande de rappeler pour une soumission.",
                    "Veut confirmer son rendez-vous de demain.",
                    "Question sur sa facture.",
                ]
            )
            return "MESSAGE GÉNÉRAL", fields, body, False
        if r < 0.9:
            fields = [
                ["Prénom", c.first],
                ["Nom", c.last],
                ["Tel", c.phone],
                ["No de dossier", str(rng.randint(40000, 49999))],
            ]
            return (
                "SUIVI DE DOSSIER",
                fields,
                "Le technicien n'est pas venu à l'heure prévue.",
                False,
            )
        fields = [
            ["Prénom", c.first],
            ["Nom", c.last],
            ["Tel", c.phone],
            ["Adresse", c.street],
            ["Ville", c.city],
        ]
        return (
            "URGENCE",
            fields,
            "Fuite d'eau importante, l'eau est fermée. Rappeler au plus vite.",
            True,
        )
    if spec.number == "4120":
        birth = dt.date(rng.randint(1940, 2020), rng.randint(1, 12), rng.randint(1, 28))
        who = [
            ["Patient", f"{c.first} {c.last}"],
            ["Date de naissance", birth.strftime("%d/%m/%Y")],
            ["Tel", c.phone],
        ]
        doctor = rng.choice(["Dre Gagnon", "Dr Bouchard", "Dre Côté", "Peu importe"])
        if r < 0.45:
            fields = who + [
                ["Médecin", doctor],
                [
                    "Motif",
                    rng.choice(
                        [
                            "Suivi",
                            "Examen annuel",
                            "Fièvre",
                            "Douleur au dos",
                            "Vaccin",
                            "Renouvellement",
                        ]
                    ),
                ],
                [
                    "Disponibilités",
                    rng.choice(["Matin", "Après-midi", "Lundi ou mardi", "Toute la semaine"]),
                ],
            ]
            return "RENDEZ-VOUS", fields, "", False
        if r < 0.65:
            fields = who + [
                [
                    "Pharmacie",
                    rng.choice(["Jean Coutu Beaubien", "Pharmaprix Masson", "Uniprix St-Michel"]),
                ],
                ["Médicament", rng.choice(["Synthroid", "Lipitor", "Ventolin", "Metformine"])],
            ]
            return "RENOUVELLEMENT D'ORDONNANCE", fields, "", False
        if r < 0.8:
            return (
                "RÉSULTATS",
                who + [["Médecin", doctor]],
                "Veut connaître ses résultats de prise de sang.",
                False,
            )
        if r < 0.92 or not night:
            return (
                "ANNULATION",
                who
                + [
                    [
                        "Date du rendez-vous",
                        (day + dt.timedelta(days=rng.randint(1, 10))).strftime("%d/%m/%Y"),
                    ]
                ],
                "",
                False,
            )
        return (
            "URGENCE — MÉDECIN DE GARDE",
            who + [["Médecin", doctor]],
            "Forte fièvre depuis hier soir, demande à parler au médecin de garde.",
            True,
        )
    # NORTHSHORE PLUMBING
    base = [["First name", c.first], ["Last name", c.last], ["Phone", c.phone]]
    where = [["Address", c.street], ["City", c.city], ["Postal code", c.postal]]
    if night and r < 0.45 or r < 0.12:
        problem = rng.choice(PROBLEMS_EN[:2] + PROBLEMS_EN[7:])
        fields = (
            base
            + where
            + [
                ["Problem", problem],
                ["Water shut off?", rng.choice(["Yes", "No", "Doesn't know how"])],
            ]
        )
        return (
            "EMERGENCY",
            fields,
            "Caller asked for a plumber as soon as possible. Patched to on-call.",
            True,
        )
    if r < 0.6:
        fields = (
            base
            + where
            + [
                ["Problem", rng.choice(PROBLEMS_EN)],
                [
                    "Preferred date",
                    (day + dt.timedelta(days=rng.randint(1, 5))).strftime("%Y-%m-%d"),
                ],
                ["Time", rng.choice(["Morning", "Afternoon", "Any time"])],
                [
                    "Heard of us",
                    rng.choice(["Google", "Neighbour", "Returning customer", "Truck sign"]),
                ],
            ]
        )
        return "SERVICE CALL", fields, "", False
    if r < 0.75:
        return (
            "QUOTE REQUEST",
            base + where,
            rng.choice(["Bathroom renovation, wants a quote.", "Replace water heater (40 gal)."]),
            False,
        )
    if r < 0.9:
        return (
            "GENERAL MESSAGE",
            base,
            rng.choice(
                [
                    "Please call back regarding invoice.",
                    "Wants to confirm tomorrow's appointment.",
                    "Asked if the technician can come earlier.",
                ]
            ),
            False,
        )
    return (
        "BILLING",
        base + [["Invoice #", f"NS-{rng.randint(10000, 19999)}"]],
        "Question about the last invoice.",
        False,
    )


def message_record(call: DemoCall, now: dt.datetime) -> dict[str, Any] | None:
    """The message taken on this call (if any), with its dispatch history up to `now`."""
    spec = call.spec
    rng = random.Random(f"message:{call.call_id}")
    rec = call.record
    if rec.get("kind") == "transaction":
        if rec.get("direction") != "in" or rng.random() > 0.6:
            return None
    elif rec.get("direction") == "out" or not call.talked or rng.random() > 0.5:
        return None
    subject, fields, body, urgent = message_content(rng, spec, call)
    taken = call.local + dt.timedelta(
        seconds=(rec.get("answered_s") or 0) + rec["duration_s"] * rng.uniform(0.6, 0.95)
    )
    taken = taken.replace(microsecond=0)
    if taken > now:
        return None
    events = [{"at": taken, "kind": "taken", "channel": None, "recipient": None}]
    sent = taken + dt.timedelta(seconds=rng.randint(5, 200))
    failed = rng.random() < 0.03
    if failed:
        events.append({"at": sent, "kind": "failed", "channel": "email", "recipient": spec.email})
        sent += dt.timedelta(minutes=rng.randint(2, 10))
    events += [
        {"at": sent, "kind": "initiated", "channel": "email", "recipient": spec.email},
        {"at": sent, "kind": "completed", "channel": "email", "recipient": spec.email},
        {"at": sent, "kind": "delivered", "channel": "email", "recipient": spec.email},
    ]
    if urgent:
        on_call = [p for p in spec.people if p.on_call and p.sms]
        person = on_call[(call.local.isocalendar()[1]) % len(on_call)]
        sms_at = taken + dt.timedelta(seconds=rng.randint(10, 60))
        events += [
            {"at": sms_at, "kind": "initiated", "channel": "sms", "recipient": person.sms},
            {"at": sms_at, "kind": "completed", "channel": "sms", "recipient": person.sms},
            {
                "at": sms_at + dt.timedelta(seconds=rng.randint(2, 20)),
                "kind": "delivered",
                "channel": "sms",
                "recipient": person.sms,
            },
            {
                "at": sms_at + dt.timedelta(minutes=rng.randint(2, 15)),
                "kind": "confirmed",
                "channel": "sms",
                "recipient": person.sms,
            },
        ]
    # Clients close what they have dealt with: most older messages, few of today's.
    age = now - taken
    closed = rng.random() < (0.15 if age < dt.timedelta(hours=18) else 0.4 if urgent else 0.7)
    if closed:
        events.append(
            {
                "at": sent + dt.timedelta(minutes=rng.randint(15, 600)),
                "kind": "read",
                "channel": "portal",
                "recipient": None,
            }
        )
    events = [{**e, "at": e["at"].isoformat()} for e in events if e["at"] <= now]
    return {
        "message_id": str(int(call.call_id) - 8_000_000),
        "account": spec.number,
        "taken_at": taken.isoformat(),
        "call_id": call.call_id,
        "agent": rec.get("agent"),
        "subject": subject,
        "fields": fields,
        "body": body,
        "urgent": urgent,
        "status": "closed" if closed else "open",
        "events": events,
    }


# --- Billing ---------------------------------------------------------------------------


def billable_record(call: DemoCall) -> dict[str, Any] | None:
    """Work an agent did for the client is billed, in steps of 15 seconds."""
    rec = call.record
    if not rec.get("agent") or rec.get("work_s") is None:
        return None
    if rec.get("kind") != "transaction" and not call.talked:
        return None
    fr = call.spec.fr
    if rec.get("kind") == "transaction":
        if rec.get("direction") == "in":
            description = "Courriel" if fr else "E-mail"
        else:
            description = "Répartition de message" if fr else "Message dispatch"
    elif rec.get("direction") == "out":
        description = "Appel sortant" if fr else "Outgoing call"
    elif rec.get("patch_s"):
        description = "Appel entrant — transfert" if fr else "Incoming call — patch"
    else:
        description = "Appel entrant" if fr else "Incoming call"
    billed = max(15, math.ceil(rec["work_s"] / 15) * 15)
    return {
        "transaction_id": f"B{call.call_id}",
        "account": call.spec.number,
        "at": rec["started_at"],
        "description": description,
        "number": rec.get("caller_id") or "",
        "caller_name": rec.get("caller_name") or "",
        "agent": rec["agent"],
        "statistic_s": billed,
    }


# fmt: off
MONTHS_FR = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
]
MONTHS_EN = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]
# fmt: on
CENT = Decimal("0.01")


def money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def billing_lines(spec: AccountSpec, today: dt.date, months: int = 3) -> list[dict[str, Any]]:
    """The last `months` statements of the account's billing number, as the seeds show them.

    A statement is dated the 1st; it bills the cycle from the 20th two months before to the
    19th of the month before, and carries the balance and the payment received since.
    """
    first = add_months(today.replace(day=1), -(months - 1))
    rng = random.Random(f"billing:{spec.billing_number}:{first.isoformat()}")
    balance = money(rng.uniform(150, 400))
    lines: list[dict[str, Any]] = []
    for m in range(months):
        statement = add_months(first, m)
        # The plumber pays late once: the balance is carried to the next statement.
        pays = spec.number != "5230" or m != 1
        entries, balance = statement_entries(spec, statement, balance, pays)
        for n, (date, description, amount, kind) in enumerate(entries, start=1):
            lines.append(
                {
                    "line_id": f"{spec.billing_number}-{statement:%Y%m}-{n:02d}",
                    "billing_number": spec.billing_number,
                    "date": date.isoformat(),
                    "description": description,
                    "amount": str(amount),
                    "kind": kind,
                }
            )
    return lines


def statement_entries(
    spec: AccountSpec, statement: dt.date, balance: Decimal, pays: bool
) -> tuple[list[tuple[dt.date, str, Decimal, str]], Decimal]:
    """One statement's lines (date, description, amount, kind) and its new balance."""
    fr = spec.fr
    month_names = MONTHS_FR if fr else MONTHS_EN
    rng = random.Random(f"statement:{spec.billing_number}:{statement.isoformat()}")
    serial = (int(spec.number) * 37 + statement.year * 12 + statement.month) % 900_000
    invoice = f"{statement:%m}-{100_000 + serial}"
    a = add_months(statement, -2).replace(day=20)
    b = add_months(statement, -1).replace(day=19)
    out = [(statement, f"BALANCE {invoice}", balance, "balance")]
    if balance and pays:
        # Dated on the statement (whose lines are shown together), received in the cycle.
        paid = add_months(statement, -1).replace(day=rng.randint(8, 18))
        if fr:
            label = f"Paiement reçu le {paid.day} {month_names[paid.month - 1]} — merci"
        else:
            label = f"Payment received {month_names[paid.month - 1]} {paid.day} — thank you"
        out.append((statement, label, -balance, "payment"))
        balance = Decimal("0.00")
    charges = [
        (
            "Services centre d'appels" if fr else "Call Center Services",
            money(rng.choice([145, 175, 210])),
        ),
        ("Enregistreur d'appels" if fr else "Call Recorder", money(25)),
    ]
    if spec.fax:
        charges.append(("Service télécopieur" if fr else "Fax Service", money(12.5)))
    minutes = 0 if rng.random() < 0.3 else rng.randint(5, 180)
    if fr:
        span = f"{minutes} minutes du {a.day} {month_names[a.month - 1]} au {b.day} {month_names[b.month - 1]}"
    else:
        span = f"{minutes} minutes from {a.day} {month_names[a.month - 1]} to {b.day} {month_names[b.month - 1]}"
    charges.append((span, money(minutes * 0.95)))
    for day, (name_fr, name_en) in sorted({**holidays(a.year), **holidays(b.year)}.items()):
        if a <= day <= b:
            charges.append((f"Jour férié ({name_fr})" if fr else f"Holiday ({name_en})", money(15)))
    out += [(statement, description, amount, "charge") for description, amount in charges]
    subtotal = sum((amount for _, amount in charges), Decimal("0.00"))
    out.append(
        (statement, f"SOUS-TOTAL {invoice}" if fr else f"SUBTOTAL {invoice}", subtotal, "subtotal")
    )
    # As in the seeds' statements, the new charges are the subtotal (no tax lines).
    new_charges = subtotal
    out.append(
        (
            statement,
            f"NOUVEAUX FRAIS {invoice}" if fr else f"NEW CHARGES {invoice}",
            new_charges,
            "new_charges",
        )
    )
    balance += new_charges
    out.append(
        (
            statement,
            f"NOUVEAU SOLDE {invoice}" if fr else f"NEW BALANCE {invoice}",
            balance,
            "new_balance",
        )
    )
    return out, balance


# --- Information pages -----------------------------------------------------------------


def info_pages(spec: AccountSpec) -> list[tuple[str, str]]:
    people = [p for p in spec.people if p.on_call]
    if spec.fr:
        roster = "".join(
            f"<tr><td>{p.name}</td><td>{', '.join(p.phones)}</td><td>{p.sms or '—'}</td></tr>"
            for p in people
        )
        return [
            (
                "Accueil téléphonique",
                f"<h3>Comment répondre</h3><p>Répondre : <strong>« {spec.name.title()}, bonjour. "
                "Comment puis-je vous aider ? »</strong></p><ul><li>Toujours demander le nom "
                "complet et un numéro de téléphone.</li><li>Épeler le nom de famille.</li>"
                "<li>Ne jamais donner de prix au téléphone.</li></ul>",
            ),
            (
                "Heures d'ouverture",
                "<table><thead><tr><th>Jour</th><th>Heures</th></tr></thead>"
                "<tbody><tr><td>Lundi au vendredi</td><td>8 h à 17 h</td></tr>"
                "<tr><td>Samedi</td><td>9 h à 12 h</td></tr><tr><td>Dimanche et jours fériés</td>"
                "<td>Fermé</td></tr></tbody></table><p>En dehors de ces heures, prendre un message "
                "et suivre la <em>procédure d'urgence</em>.</p>",
            ),
            (
                "Procédure d'urgence",
                "<ol><li>Prendre le message sur le formulaire "
                "<strong>URGENCE</strong>.</li><li>Envoyer un texto à la personne de garde "
                "(horaire <em>" + spec.schedule_name + "</em>).</li><li>Sans confirmation après "
                "15 minutes, appeler son Tel (1), puis son Tel (2).</li><li>Toujours sans réponse : "
                "appeler le rang suivant.</li></ol><h3>Personnes de garde</h3><table><thead><tr>"
                "<th>Nom</th><th>Téléphones</th><th>SMS</th></tr></thead><tbody>"
                + roster
                + "</tbody></table>",
            ),
            (
                "Répartition des messages",
                f"<p>Tous les messages sont envoyés par courriel à "
                f'<a href="mailto:{spec.email}">{spec.email}</a> dès qu\'ils sont pris.</p>'
                "<blockquote>Les messages urgents sont aussi envoyés par texto à la personne "
                "de garde.</blockquote>",
            ),
        ]
    roster = "".join(
        f"<tr><td>{p.name}</td><td>{', '.join(p.phones)}</td><td>{p.sms or '—'}</td></tr>"
        for p in people
    )
    return [
        (
            "Greeting",
            f"<h3>How to answer</h3><p>Answer: <strong>“{spec.name.title()}, good morning/afternoon, "
            "how may I help you?”</strong></p><ul><li>Always get a full name, address and a call-back "
            "number.</li><li>Ask whether the water is shut off.</li><li>Never quote prices.</li></ul>",
        ),
        (
            "Office hours",
            "<table><thead><tr><th>Day</th><th>Hours</th></tr></thead><tbody>"
            "<tr><td>Monday to Friday</td><td>7:30 am – 6:00 pm</td></tr><tr><td>Saturday</td>"
            "<td>8:00 am – noon</td></tr><tr><td>Sunday and holidays</td><td>Emergencies only</td>"
            "</tr></tbody></table>",
        ),
        (
            "Emergencies",
            "<p>An emergency is <strong>active water leaking</strong>, a sewer "
            "backup, or no heat in winter.</p><ol><li>Take the message on the <em>EMERGENCY</em> "
            "form.</li><li>Patch the caller to the rank 0 on-call plumber.</li><li>No answer in "
            "10 minutes: try rank 1.</li></ol><h3>On call</h3><table><thead><tr><th>Name</th>"
            "<th>Phones</th><th>SMS</th></tr></thead><tbody>" + roster + "</tbody></table>",
        ),
        (
            "Service area",
            "<p>Toronto, North York, Scarborough, Etobicoke, Markham and "
            "Mississauga.</p><hr><p>Outside the area: take a message, no dispatch.</p>",
        ),
    ]


# --- Seeding ---------------------------------------------------------------------------


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: str | dict | Any, n: int = 1) -> None:
        if isinstance(outcome, str):
            setattr(self, outcome, getattr(self, outcome) + n)
        else:
            counts = outcome if isinstance(outcome, dict) else outcome.as_dict()
            for k in ("created", "updated", "unchanged"):
                setattr(self, k, getattr(self, k) + counts[k])

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class Report:
    tallies: dict[str, Tally] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Tally:
        return self.tallies.setdefault(name, Tally())

    def created(self) -> int:
        return sum(t.created for t in self.tallies.values())

    def changed(self) -> int:
        return sum(t.created + t.updated for t in self.tallies.values())


def floor_hour(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def batches(items: list, size: int = BATCH) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def seed(
    days: int = 60, now: dt.datetime | None = None, log: Callable[[str], None] = print
) -> Report:
    """Load the demo data (idempotent). `now` is rounded down to the hour so that runs within
    the same hour store exactly the same data."""
    now = floor_hour(now or timezone.now())
    start = now - dt.timedelta(days=days)
    report = Report()
    accounts = seed_accounts(report)
    contacts = seed_contacts(accounts, report)
    seed_info_pages(accounts, report)
    seed_logins(accounts, report)
    calls = generate_calls(start, now)
    seed_calls(calls, report)
    seed_recordings(calls, report)
    seed_messages(calls, now, report)
    seed_billable(calls, report)
    seed_billing(now, report)
    seed_oncall(accounts, contacts, start, now, report, log)
    for name, tally in report.tallies.items():
        log(f"{name:<16} {tally}")
    return report


def seed_accounts(report: Report) -> dict[str, Any]:
    from portal.accounts.services import upsert_account

    accounts = {}
    for spec in ACCOUNTS:
        account, outcome = upsert_account(
            spec.number,
            {
                "name": spec.name,
                "billing_number": spec.billing_number,
                "timezone": TZ_NAME,
                "language": spec.language,
                "groups": list(spec.groups),
            },
        )
        report["accounts"].add(outcome)
        accounts[spec.number] = account
    return accounts


def seed_contacts(accounts: dict, report: Report) -> dict[tuple[str, str], Any]:
    from portal.directory.services import upsert_contact

    contacts = {}
    for spec in ACCOUNTS:
        for p in spec.people:
            data = {
                "name": p.name,
                "phones": list(p.phones),
                "sms": p.sms or None,
                "email": p.email or None,
            }
            contact, outcome = upsert_contact(accounts[spec.number], p.contact_id, data)
            report["contacts"].add(outcome)
            contacts[(spec.number, p.contact_id)] = contact
    return contacts


def seed_info_pages(accounts: dict, report: Report) -> None:
    from portal.directory.models import InfoPage
    from portal.directory.services import sanitize_html

    for spec in ACCOUNTS:
        account = accounts[spec.number]
        for position, (title, body) in enumerate(info_pages(spec), start=1):
            page = InfoPage.objects.filter(account=account, title=title).first()
            if page is not None and page.body == sanitize_html(body) and page.position == position:
                report["info pages"].add("unchanged")
                continue
            _, created = InfoPage.objects.update_or_create(
                account=account, title=title, defaults={"body": body, "position": position}
            )
            report["info pages"].add("created" if created else "updated")


def seed_logins(accounts: dict, report: Report) -> None:
    from portal.accounts.models import Membership, User

    try:
        from portal.accounts.users import create_client_user
    except ImportError:  # the web foundation's module is not there yet
        create_client_user = None

    for username, numbers, role, staff in LOGINS:
        wanted = [accounts[n] for n in numbers]
        user = User.objects.filter(username=username).first()
        outcome = "unchanged"
        if user is None:
            extra = {"is_staff": True, "is_superuser": True} if staff else {}
            if create_client_user is not None:
                user = create_client_user(
                    username, DEMO_PASSWORD, wanted, role, actor=ACTOR_NAME, **extra
                )
            else:
                user = User.objects.create_user(username=username, password=DEMO_PASSWORD, **extra)
                for account in wanted:
                    Membership.objects.create(user=user, account=account, role=role)
            outcome = "created"
        else:
            # Keep the printed sign-ins true: put back the documented password and access.
            if not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                outcome = "updated"
            if not user.is_active or (staff and not user.is_staff):
                user.is_active = True
                user.is_staff = user.is_staff or staff
                user.save(update_fields=["is_active", "is_staff"])
                outcome = "updated"
            for account in wanted:
                _, made = Membership.objects.get_or_create(
                    user=user, account=account, defaults={"role": role}
                )
                if made:
                    outcome = "updated"
        email = LOGIN_EMAILS.get(username, "")
        if email and user.email != email:
            user.email = email
            user.save(update_fields=["email"])
            outcome = "updated" if outcome == "unchanged" else outcome
        report["logins"].add(outcome)


def seed_calls(calls: list[DemoCall], report: Report) -> None:
    from portal.calls.services import ingest_calls

    for chunk in batches([c.record for c in calls]):
        report["calls"].add(ingest_calls(chunk))


def seed_recordings(calls: list[DemoCall], report: Report) -> None:
    from portal.calls.models import Call
    from portal.calls.services import store_recording

    wanted = [c.call_id for c in calls if wants_recording(c)]
    max_bytes = settings.PORTAL["RECORDING_MAX_BYTES"]
    for chunk in batches(wanted, 500):
        for call in Call.objects.filter(call_id__in=chunk).select_related("account"):
            body = recording_wav(call.call_id)
            outcome = store_recording(call, io.BytesIO(body), "audio/wav", max_bytes, len(body))
            report["recordings"].add(outcome)


def seed_messages(calls: list[DemoCall], now: dt.datetime, report: Report) -> None:
    from portal.inbox.services import ingest_messages

    records = [m for m in (message_record(c, now) for c in calls) if m is not None]
    for chunk in batches(records):
        report["messages"].add(ingest_messages(chunk))


def seed_billable(calls: list[DemoCall], report: Report) -> None:
    from portal.billing.services import ingest_billable

    records = [b for b in (billable_record(c) for c in calls) if b is not None]
    for chunk in batches(records):
        report["billable"].add(ingest_billable(chunk))


def seed_billing(now: dt.datetime, report: Report) -> None:
    from portal.billing.services import ingest_billing_lines

    today = now.astimezone(ZoneInfo(TZ_NAME)).date()
    lines = [line for spec in ACCOUNTS for line in billing_lines(spec, today)]
    for chunk in batches(lines):
        report["billing lines"].add(ingest_billing_lines(chunk))


# --- On call ---------------------------------------------------------------------------


def oncall_available() -> bool:
    try:
        from portal.oncall import services
    except ImportError:
        return False
    return all(
        hasattr(services, n) for n in ("upsert_schedule", "upsert_shift", "assign", "override")
    )


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def at_local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(TZ_NAME))


PAST_REASON = "demo data"


def seed_oncall(
    accounts: dict, contacts: dict, start: dt.datetime, now: dt.datetime, report: Report, log
) -> None:
    """Schedule "01" of each account: weekly Rotation/OC shifts from Monday 7:30 to Monday
    7:30 (local, so DST keeps 7:30), over the demo's days and 8 weeks ahead; the past and
    the next weeks assigned in turn, some later weeks left open, a few overrides."""
    if not oncall_available():
        log("on call          skipped: portal.oncall.services is not available yet")
        return
    # The on-call services read the time through portal.clock: the demo's "now" (it may be
    # given), so that what is past for the demo is past for the rules too.
    with clock.clock_at(now):
        _seed_oncall(accounts, contacts, start, now, report, log)


def _seed_oncall(accounts, contacts, start, now, report, log) -> None:
    from portal.oncall.models import Assignment
    from portal.oncall.services import (
        Actor,
        assign,
        comment,
        override,
        upsert_schedule,
        upsert_shift,
    )

    actor = Actor(name=ACTOR_NAME)
    tz = ZoneInfo(TZ_NAME)
    today = now.astimezone(tz).date()
    first = monday(start.astimezone(tz).date() - dt.timedelta(days=1))
    this_week = monday(
        today - dt.timedelta(days=1) if now < at_local(monday(today), 7, 30) else today
    )
    last = this_week + dt.timedelta(weeks=8)
    tally = report["on-call shifts"]
    for spec in ACCOUNTS:
        account = accounts[spec.number]
        schedule, outcome = upsert_schedule(account, "01", spec.schedule_name, actor=actor)
        report["schedules"].add(outcome)
        people = [contacts[(spec.number, p.contact_id)] for p in spec.people if p.on_call]
        week = first
        while week <= last:
            index = (week - EPOCH).days // 7
            ahead = (week - this_week).days // 7
            for rank in range(spec.ranks):
                shift_id = f"{week:%Y%m%d}" + (f"-{rank}" if rank else "")
                shift, outcome = upsert_shift(
                    schedule,
                    shift_id,
                    start=at_local(week, 7, 30),
                    end=at_local(week + dt.timedelta(days=7), 7, 30),
                    rank=rank,
                    name="Rotation",
                    role="OC",
                    actor=actor,
                )
                tally.add(outcome)
                # Weeks 4, 6 and 7 ahead are still open (and rank 1 every other week ahead).
                open_week = ahead in (4, 6, 7) or (rank == 1 and ahead >= 2 and ahead % 2 == 0)
                if open_week:
                    continue
                person = people[(index + rank * 2 + int(spec.number)) % len(people)]
                current = (
                    shift.assignments.filter(kind=Assignment.BASE, revoked_at=None)
                    .order_by("-created_at", "-id")
                    .first()
                )
                if current is None or current.contact_id != person.pk:
                    # The demo's past is written as the staff would correct it, with a reason.
                    past = PAST_REASON if shift.start < now else None
                    assign(shift, person, actor=actor, past_reason=past)
                    report["assignments"].add("created")
                else:
                    report["assignments"].add("unchanged")
                if rank == 0 and ahead in (-2, 0, 1):
                    _demo_override(shift, people, person, ahead, actor, override, report)
                if rank == 0 and ahead == 0:
                    text = (
                        "Cellulaire de garde remis le lundi matin au bureau."
                        if spec.fr
                        else "On-call van keys are picked up at the shop Monday morning."
                    )
                    if not shift.comments.filter(text=text).exists():
                        comment(shift, text, actor=actor, past_reason=PAST_REASON)
                        report["comments"].add("created")
                    else:
                        report["comments"].add("unchanged")
            week += dt.timedelta(weeks=1)


def _demo_override(shift, people, base, ahead: int, actor, override, report: Report) -> None:
    """As in the manual: someone else covers part of the week (Monday 7:30 to Wednesday 7:30
    this week; a weekend two weeks ago; Thursday evening next week)."""
    from portal.oncall.models import Assignment

    tz = ZoneInfo(TZ_NAME)
    week = shift.start.astimezone(tz).date()
    if ahead == 0:
        start, end = at_local(week, 7, 30), at_local(week + dt.timedelta(days=2), 7, 30)
    elif ahead == -2:
        start, end = (
            at_local(week + dt.timedelta(days=5), 8),
            at_local(week + dt.timedelta(days=6), 20),
        )
    else:
        start, end = (
            at_local(week + dt.timedelta(days=3), 17),
            at_local(week + dt.timedelta(days=4), 7, 30),
        )
    cover = next(p for p in people if p.pk != base.pk)
    exists = shift.assignments.filter(
        kind=Assignment.OVERRIDE, revoked_at=None, contact=cover, start=start, end=end
    ).exists()
    if exists:
        report["overrides"].add("unchanged")
        return
    past = PAST_REASON if start < clock.now() else None
    with transaction.atomic():
        override(shift, cover, start, end, actor=actor, comment="", past_reason=past)
    report["overrides"].add("created")
