"""The mixed workload of issue 14: locust against `make serve` on PostgreSQL, bounded.

    .venv/bin/python bench/load.py                         # 50 people, 3 minutes
    .venv/bin/python bench/load.py --users 10 --minutes 0.5

1. A fresh PostgreSQL database (--database-url, default
   postgres://postgres@127.0.0.1:5432/portal_load: dropped if it exists, created, dropped again
   at the end unless --keep; DATABASE_URL is not read, so that no other database is dropped),
   `manage.py migrate`, `manage.py seed_demo` (60 days), an `ingest` and an `oncall:read` token
   (`manage.py create_api_token`).
2. The stack `make serve` runs: Debian's nginx and redis-server (`make stack-packages` when
   missing), the static files collected (into the bench's own directory), then `bin/serve` —
   nginx, the pages' gunicorn pool, the dispatch look-up's own pool, the Celery worker and beat,
   a redis-server of its own (REDIS_URL is not passed on) — on a free port, in --data-dir
   (default /tmp/portal_load, emptied first). Ready when /readyz answers 200. WEB_WORKERS,
   DISPATCH_WORKERS and bin/serve's other settings pass through from the environment.
3. locust in this process, headless (bench/loadusers.py): --users people (50) signing in
   through the form and reading the inbox, searches, the call log, on-call pages and
   statistics; the dispatch's look-up at a constant --dispatch-rate a second (20 users at one a
   second each); the platform posting calls and messages (two requests a second). The people
   start (and sign in) --spawn-rate a second (2: a ramp-up of 25 s for 50); once all have
   started, --warm-up seconds (10) settle, then --minutes (3) are measured.
4. Prints p50/p95/p99 per kind (client-side, exact, from every sample of the measured minutes;
   the sign-ins from the ramp-up) and errors; then, from the stack's own JSON log lines of the
   measured minutes joined by request id, where the time went: inside the portal
   (`portal.request` duration_ms), at nginx (its request time), and the difference, outside
   the portal: the wait for a free worker of the pool or for a CPU, gunicorn and the proxying;
   and the CPU each part of the stack and the rest of the machine used. Exits 1 when a target is missed: 0 errors (sign-ins
   included); dispatch look-up p99 <= 50 ms, at the rate asked; each page kind's p95 <= 300 ms.
   The sign-in itself has no time target: it checks an Argon2 hash (Django's default cost,
   100 MB and about 0.2-0.4 s of CPU here), by design slow.

The load generator runs on the same machine (as issue 14's figures did): its CPU time and the
machine's load average are printed, since other work on the machine counts against the stack.

    .venv/bin/python bench/load.py --hog 2                 # then again beside 2 CPU burners

--hog N: other tenants of the machine. The measured minutes run twice on the same stack:
first as they are, then with N processes burning CPU at normal priority (niceness 0, each in
a session of its own, as another service's would be), started 5 s before; both are reported,
and the targets are checked on both. The load generator stands for clients on other
machines: with --hog it runs at the dispatch's priority (DISPATCH_NICE, as bin/serve gives
the dispatch pool), so that its own wait for a CPU is not counted against the stack.
"""

from gevent import monkey

monkey.patch_all()  # before anything imports ssl or socket (locust would, later)

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from loadusers import (  # noqa: E402  (bench/)
    DISPATCH,
    INGEST_KINDS,
    SIGN_IN_KINDS,
    Dispatch,
    Person,
    Platform,
)
from locust import events  # noqa: E402
from locust.env import Environment  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/portal_load"
MARKER = ".portal-load"  # --data-dir is emptied only when the bench made it
PAGES_P95_MS = 300.0
DISPATCH_P99_MS = 50.0
LOOKUP_PATH = "/api/v1/accounts/"  # + N + "/oncall"


def say(message: str) -> None:
    print(f"load: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- The stack ------------------------------------------------------------------------------


class Stack:
    """The database, the demo data, the tokens and bin/serve (what `make serve` runs)."""

    def __init__(self, args):
        self.args = args
        self.data_dir = Path(args.data_dir).resolve()
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = self.data_dir / "serve.log"
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
        env.update(
            DATABASE_URL=args.database_url,
            PORTAL_DATA_DIR=str(self.data_dir),
            PORTAL_STATIC_ROOT=str(self.data_dir / "static"),
            PORTAL_DEV="1",  # as `make serve` exports: a generated secret key, seed_demo allowed
            HOST="127.0.0.1",
            PORT=str(self.port),
        )
        self.env = env

    def manage(self, *argv: str, capture: bool = False) -> str:
        done = subprocess.run(
            [PY, "manage.py", *argv],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if done.returncode:
            raise SystemExit(f"load: manage.py {' '.join(argv)} failed:\n{done.stderr}")
        return (done.stdout or "").strip()

    def database(self, drop_only: bool = False) -> None:
        import psycopg

        base, name = self.args.database_url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not drop_only:
                connection.execute(f'CREATE DATABASE "{name}"')

    def prepare(self) -> tuple[str, str]:
        if self.data_dir.exists():
            if not (self.data_dir / MARKER).exists():
                raise SystemExit(
                    f"load: {self.data_dir} exists and is not the bench's: not emptied"
                )
            shutil.rmtree(self.data_dir)
        self.data_dir.mkdir(parents=True)
        (self.data_dir / MARKER).write_text("made by bench/load.py; emptied at each run\n")
        if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()) or not shutil.which(
            "redis-server"
        ):
            subprocess.run(["make", "-s", "stack-packages"], cwd=ROOT, check=True)
        started = time.monotonic()
        self.database()
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("seed_demo", "--days", "60", "-v", "0")
        self.manage("collectstatic", "--noinput", "-v", "0")
        ingest = self.manage("create_api_token", "load-platform", "--scope", "ingest", capture=True)
        lookup = self.manage(
            "create_api_token", "load-dispatch", "--scope", "oncall:read", capture=True
        )
        say(f"database, demo data and tokens ready in {time.monotonic() - started:.1f} s")
        return ingest, lookup

    def start(self) -> None:
        say(f"starting bin/serve on {self.base_url} (its log: {self.log})")
        # Appended to by every process (nginx opens /dev/stdout again: O_APPEND keeps its lines).
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [PY, "bin/serve"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"load: bin/serve ended (exit {self.process.returncode}); see {self.log}"
                )
            try:
                with urllib.request.urlopen(self.base_url + "/readyz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.5)
        raise SystemExit(f"load: {self.base_url}/readyz did not answer 200 within 180 s")

    def processes(self) -> dict[str, list[int]]:
        """bin/serve's processes by part of the stack (their parent chain leads to it)."""
        parents = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                    parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
        parts: dict[str, list[int]] = defaultdict(list)
        for pid in parents:
            chain, at = [], pid
            while at in parents and at != self.process.pid and len(chain) < 10:
                chain.append(at)
                at = parents[at]
            if at != self.process.pid or not chain:
                continue
            try:
                environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
                argv = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"celery" in argv:
                parts["celery worker and beat"].append(pid)
            elif b"gunicorn" in argv or b"PORTAL_POOL=web" in environ:
                pool = "dispatch" if b"PORTAL_POOL=dispatch" in environ else "pages'"
                parts[f"gunicorn, the {pool} pool"].append(pid)
            else:  # nginx (master and worker), redis-server
                first = argv.split(b"\0")[0].decode(errors="replace")
                parts[Path(re.split(r"[ :]", first)[0] or "?").name].append(pid)
        return dict(parts)

    def renice(self, pages: int, dispatch: int) -> int:
        """--nice-pages, --nice-dispatch (a diagnosis: does the look-up wait for the CPU?): the
        pages' pool and Celery, the dispatch's pool at those CPU priorities. Returns how many
        processes were changed."""
        parts = self.processes()
        groups = [
            (parts.get("gunicorn, the pages' pool", []), pages),
            (parts.get("celery worker and beat", []), pages),
            (parts.get("gunicorn, the dispatch pool", []), dispatch),
            # On the look-up's path too: nginx, and this process, which stands for the
            # dispatch's own machines.
            (parts.get("nginx", []) + [os.getpid()], dispatch),
        ]
        changed = 0
        for pids, niceness in groups:
            for pid in pids if niceness else ():
                os.setpriority(os.PRIO_PROCESS, pid, niceness)
                changed += 1
                # With the kernel's autogroups (each bin/serve process leads a session of its
                # own), a niceness counts only inside its session: the session's too.
                try:
                    Path(f"/proc/{pid}/autogroup").write_text(str(niceness))
                except OSError:
                    pass
        return changed

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # bin/serve stops each of its processes
            try:
                self.process.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if not self.args.keep:
            self.database(drop_only=True)


# --- CPU ------------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, ValueError, IndexError):
            continue
    return total / TICK


def machine_busy_seconds() -> float:
    """CPU time spent by every process of the machine (all cores), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK  # less idle and iowait


class CpuUse:
    """CPU seconds of each part of the stack, of this process and of the machine in all."""

    def __init__(self, stack):
        self.parts = stack.processes()
        self.parts["load generator (locust, this process)"] = [os.getpid()]
        self.before = {name: cpu_seconds(pids) for name, pids in self.parts.items()}
        self.machine = machine_busy_seconds()

    def report(self, seconds: float) -> list[str]:
        lines, ours = [], 0.0
        for name, pids in sorted(self.parts.items()):
            used = cpu_seconds(pids) - self.before[name]
            ours += used
            lines.append(f"  {name:<44} {used:>7.1f} s  {used / seconds:>5.2f} cores")
        rest = machine_busy_seconds() - self.machine - ours
        lines.append(
            f"  {'the rest of the machine (PostgreSQL, others)':<44} {rest:>7.1f} s  "
            f"{rest / seconds:>5.2f} cores"
        )
        return lines


def priorities() -> str:
    """DISPATCH_NICE, WEB_NICE, WORKER_NICE as bin/serve reads them."""
    sys.path.insert(0, str(ROOT))
    from portal.ops import priority

    nices, _raised = priority.plan(priority.nicenesses(os.environ))
    return ", ".join(f"{part} {nice}" for part, nice in nices.items())


def load_generator_priority() -> str:
    """--hog: this process at the dispatch's niceness, itself and its session (the load
    generator stands for the clients' own machines). Returns what it got."""
    sys.path.insert(0, str(ROOT))
    from portal.ops import priority

    priority.enter(priority.plan(priority.nicenesses(os.environ))[0]["dispatch"])
    nice, group = priority.effective(os.getpid())
    return f"niceness {nice}, session {group}"


# --- Figures --------------------------------------------------------------------------------


def quantile(samples: list[float], q: float) -> float:
    """The nearest-rank quantile of sorted samples."""
    if not samples:
        return float("nan")
    return samples[max(1, math.ceil(round(q * len(samples), 6))) - 1]


def row(kind: str, values: list[float], seconds: float, errors: int | None, width=20) -> str:
    values = sorted(values)
    return (
        f"{kind:<{width}} {len(values):>8} {len(values) / seconds:>6.1f} "
        f"{quantile(values, 0.5):>8.1f} {quantile(values, 0.95):>8.1f} "
        f"{quantile(values, 0.99):>8.1f} {values[-1]:>8.1f}"
        + ("" if errors is None else f" {errors:>6}")
    )


def header(width=20, errors=True) -> str:
    return (
        f"{'kind':<{width}} {'requests':>8} {'req/s':>6} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8}" + (f" {'errors':>6}" if errors else "")
    )


def server_side(
    log: Path, offset: int, end: int | None = None
) -> dict[str, dict[str, list[float]]]:
    """From the stack's JSON lines written during the measured run: for the dispatch's look-up
    and for everything else, the time inside the portal, at nginx, and the wait between."""
    portal, front = {}, {}
    with open(log, "rb") as file:
        file.seek(offset)
        for raw in file:
            if end is not None and file.tell() > end:
                break
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(line, dict) or not line.get("request_id"):
                continue
            if line.get("logger") == "portal.request":
                portal[line["request_id"]] = line
            elif line.get("logger") == "nginx":
                front[line["request_id"]] = line
    out = {"dispatch": defaultdict(list), "pages and API": defaultdict(list)}
    for request_id, at_front in front.items():
        path = at_front.get("path", "")
        if not path.startswith(("/a/", "/login/", LOOKUP_PATH)):
            continue  # /readyz and the like
        lookup = path.startswith(LOOKUP_PATH) and path.endswith("/oncall")
        group = out["dispatch" if lookup and at_front.get("method") == "GET" else "pages and API"]
        nginx_ms = float(at_front["duration_s"]) * 1000
        group["at nginx"].append(nginx_ms)
        inside = portal.get(request_id)
        if inside is not None:
            group["inside the portal"].append(float(inside["duration_ms"]))
            group["outside the portal"].append(max(0.0, nginx_ms - inside["duration_ms"]))
    return out


def report(samples, errors, seconds: float, log: Path, offset: int, args, machine) -> bool:
    others = (DISPATCH, *INGEST_KINDS, *SIGN_IN_KINDS)
    person_kinds = sorted(k for k in samples if k not in others)
    machine_kinds = [k for k in (*INGEST_KINDS, DISPATCH) if k in samples]
    print(f"\nclient-side (locust), the measured {seconds:.0f} s, every user signed in:")
    print(header())
    for kind in person_kinds + machine_kinds:
        print(row(kind, samples[kind], seconds, sum(errors[kind].values())))
    pages = [v for k in person_kinds for v in samples[k]]
    if pages:
        page_errors = sum(sum(errors[k].values()) for k in person_kinds)
        print(row("all pages", pages, seconds, page_errors))
    signing_in = [k for k in SIGN_IN_KINDS if k in samples]
    if signing_in:
        print("the people signing in, during the ramp-up (req/s over the measured time):")
        for kind in signing_in:
            print(row(kind, samples[kind], seconds, sum(errors[kind].values())))
    total_errors = sum(sum(c.values()) for c in errors.values())
    for kind, counter in sorted(errors.items()):
        for message, count in counter.most_common(5):
            print(f"  error: {kind}: {count} × {message}")

    print("\nserver-side (the stack's JSON log lines, joined by request id):")
    print(header(40, errors=False))
    start, end = offset if isinstance(offset, tuple) else (offset, None)
    for group, figures in server_side(log, start, end).items():
        for what, values in figures.items():
            if values:
                print(row(f"{group}: {what}", values, seconds, None, width=40))
    load_before, load_after, used = machine
    cores = os.cpu_count() or 1
    print(
        f"\nCPU over the measured {seconds:.0f} s ({cores} cores; load average "
        f"{load_before[0]:.2f} at the start, {load_after[0]:.2f} at the end; WEB_WORKERS "
        f"{os.environ.get('WEB_WORKERS', 2 * cores + 1)}, DISPATCH_WORKERS "
        f"{os.environ.get('DISPATCH_WORKERS', 2)}"
        + f"; bin/serve's CPU priority: {priorities()}"
        + (f"; the pages' pool and Celery at nice {args.nice_pages}" if args.nice_pages else "")
        + (
            f"; the dispatch's pool, nginx and the load generator at nice {args.nice_dispatch}"
            if args.nice_dispatch
            else ""
        )
        + "):"
    )
    print("\n".join(used) + "\n")
    dispatch = sorted(samples.get(DISPATCH, []))
    dispatch_p99 = quantile(dispatch, 0.99)
    checks = [
        ("errors", total_errors == 0, f"{total_errors} (target 0)"),
        (
            "dispatch look-up p99",
            dispatch_p99 <= DISPATCH_P99_MS,
            f"{dispatch_p99:.1f} ms (target <= {DISPATCH_P99_MS:g} ms)",
        ),
        (
            "dispatch look-ups a second",
            len(dispatch) / seconds >= 0.95 * args.dispatch_rate,
            f"{len(dispatch) / seconds:.1f} (wanted {args.dispatch_rate})",
        ),
    ]
    for kind in person_kinds:
        p95 = quantile(sorted(samples[kind]), 0.95)
        checks.append(
            (f"{kind} p95", p95 <= PAGES_P95_MS, f"{p95:.1f} ms (target <= {PAGES_P95_MS:g} ms)")
        )
    for what, ok, figure in checks:
        print(f"{'met   ' if ok else 'MISSED'} {what}: {figure}")
    return all(ok for _what, ok, _figure in checks)


# --- The run --------------------------------------------------------------------------------


class Recorder:
    """Every answer's time by kind: the sign-ins during the ramp-up, the rest once measuring."""

    def __init__(self):
        self.measuring = False
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, Counter] = defaultdict(Counter)

    def __call__(self, name, response_time, exception=None, **_kw):
        if not (self.measuring or name in SIGN_IN_KINDS):
            return
        self.samples[name].append(response_time)
        if exception is not None:
            self.errors[name][str(exception)[:160]] += 1


HOG = "import os\nos.setpriority(os.PRIO_PROCESS, 0, 0)\nwhile True:\n    pass\n"  # niceness 0


class Hogs:
    """--hog N: N processes burning CPU at normal priority, each in a session of its own."""

    def __init__(self, count: int):
        self.processes = [
            subprocess.Popen([sys.executable, "-c", HOG], start_new_session=True)
            for _ in range(count)
        ]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait()


def measure(stack: Stack, args, recorder: Recorder) -> tuple[float, int, tuple]:
    """--minutes measured; returns the seconds, the log's offset when they began, and the
    machine's figures (load averages, CPU by part)."""
    offset = stack.log.stat().st_size
    load = os.getloadavg()
    cpu = CpuUse(stack)
    say(f"measuring for {args.minutes * 60:.0f} s")
    recorder.measuring = True
    began = time.monotonic()
    gevent.sleep(args.minutes * 60)
    recorder.measuring = False
    seconds = time.monotonic() - began
    used = cpu.report(seconds)
    gevent.sleep(1)  # the phase's last lines reach the log
    return seconds, (offset, stack.log.stat().st_size), (load, os.getloadavg(), used)


def run_load(stack: Stack, args, recorder: Recorder) -> list[tuple]:
    """Start every user (the people at --spawn-rate a second), let it settle for --warm-up
    seconds, then measure --minutes (and, with --hog, --minutes again beside the CPU
    burners). Returns each measured phase: (label, samples, errors, seconds, log offset,
    machine figures)."""
    Dispatch.fixed_count = args.dispatch_rate
    environment = Environment(
        user_classes=[Person, Dispatch, Platform], host=stack.base_url, events=events
    )
    environment.events.request.add_listener(recorder)
    runner = environment.create_local_runner()
    runner.start(args.users + args.dispatch_rate + 1, spawn_rate=args.spawn_rate)
    runner.spawning_greenlet.join()  # every user started (the people sign in as they start)
    say(f"every user started; {args.warm_up:.0f} s of warm-up")
    gevent.sleep(args.warm_up)
    phases = []
    labels = ["as the machine is"] + ([f"beside {args.hog} CPU burners"] if args.hog else [])
    for label in labels:
        hogs = Hogs(args.hog) if label != labels[0] else None
        try:
            if hogs:
                say(f"{args.hog} CPU burners started (niceness 0, sessions of their own)")
                gevent.sleep(5)
            if phases:  # the first keeps the sign-ins of the ramp-up
                recorder.samples, recorder.errors = defaultdict(list), defaultdict(Counter)
            seconds, offset, machine = measure(stack, args, recorder)
        finally:
            if hogs:
                hogs.stop()
        phases.append((label, recorder.samples, recorder.errors, seconds, offset, machine))
    runner.quit()
    gevent.sleep(1)  # the last lines reach the log
    return phases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="people signed in (default 50)")
    parser.add_argument("--minutes", type=float, default=3.0, help="measured (default 3)")
    parser.add_argument(
        "--warm-up", type=float, default=10.0, help="seconds after the ramp-up, not measured"
    )
    parser.add_argument(
        "--spawn-rate", type=float, default=2.0, help="people started (signing in) a second"
    )
    parser.add_argument("--dispatch-rate", type=int, default=20, help="look-ups a second (20)")
    parser.add_argument("--database-url", default=DEFAULT_DB, help=f"default {DEFAULT_DB}")
    parser.add_argument("--data-dir", default="/tmp/portal_load", help="PORTAL_DATA_DIR")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--hog",
        type=int,
        default=0,
        metavar="N",
        help="measure again beside N processes burning CPU at normal priority (0 to 8)",
    )
    parser.add_argument(
        "--nice-pages",
        type=int,
        default=0,
        metavar="N",
        help="a diagnosis: run the pages' pool and Celery at niceness N (0 to 19)",
    )
    parser.add_argument(
        "--nice-dispatch",
        type=int,
        default=0,
        metavar="N",
        help="a diagnosis: run the dispatch's pool, nginx and the load generator at niceness N "
        "(-20 to 0; below 0 needs root)",
    )
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url must name a PostgreSQL database")
    if not (0 < args.minutes <= 3 and 0 <= args.users <= 50 and args.dispatch_rate > 0):
        parser.error("bounded: --minutes up to 3, --users 0 to 50, --dispatch-rate above 0")
    if not (0 <= args.nice_pages <= 19 and -20 <= args.nice_dispatch <= 0):
        parser.error("--nice-pages: 0 to 19; --nice-dispatch: -20 to 0")
    if not (0 <= args.warm_up <= 60 and args.spawn_rate > 0):
        parser.error("--warm-up: 0 to 60 seconds; --spawn-rate above 0")
    if not 0 <= args.hog <= 8:
        parser.error("--hog: 0 to 8 processes")

    recorder = Recorder()
    stack = Stack(args)
    try:
        Platform.token, Dispatch.token = stack.prepare()
        Platform.prefix = "L" + dt.datetime.now().strftime("%H%M%S")
        stack.start()
        say(
            f"{args.users} people, {args.dispatch_rate} look-ups a second and the platform "
            f"against {stack.base_url}"
        )
        if args.nice_pages or args.nice_dispatch:
            changed = stack.renice(args.nice_pages, args.nice_dispatch)
            say(
                f"{changed} processes reniced: the pages' pool and Celery to {args.nice_pages}, "
                f"the dispatch's pool to {args.nice_dispatch}"
            )
        if args.hog:
            say(f"the load generator: {load_generator_priority()}")
        phases = run_load(stack, args, recorder)
    finally:
        stack.stop()
    met, summary = True, []
    for label, samples, errors, seconds, offset, machine in phases:
        if args.hog:
            print(f"\n=== {label} ===")
        met = report(samples, errors, seconds, stack.log, offset, args, machine) and met
        dispatch = sorted(samples.get(DISPATCH, []))
        pages = sorted(
            v
            for k, vs in samples.items()
            if k not in (DISPATCH, *INGEST_KINDS, *SIGN_IN_KINDS)
            for v in vs
        )
        load = machine[0][0], machine[1][0]
        summary.append(
            f"  {label:<28} dispatch p99 {quantile(dispatch, 0.99):6.1f} ms, pages p95 "
            f"{quantile(pages, 0.95):6.1f} ms, errors "
            f"{sum(sum(c.values()) for c in errors.values())}, load average "
            f"{load[0]:.2f} to {load[1]:.2f}"
        )
    if args.hog:
        print("\nthe dispatch look-up without and with the CPU burners:")
        print("\n".join(summary))
    print("\nall targets met" if met else "\ntargets missed")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
