"""Audit entries written a moment later, together: the dispatch's "who is on call" reads.

The dispatch asks who is on call many times a second, and that look-up costs about a tenth
of a millisecond; writing its audit entry at once (an INSERT and a commit) costs more than
the look-up itself (see the README's figures). So those entries wait here, in the process,
and a small background thread writes them together PORTAL["AUDIT_BATCH_SECONDS"] (1 s)
after the first of them, in one transaction, one statement executed for all of them. They
are also written:

- at once by the request that finds PORTAL["AUDIT_BATCH_ROWS"] (5,000) waiting (the thread
  is behind);
- when the process exits normally (atexit: a worker stopped or restarted).

Each entry keeps its own time (`at` is when the answer was given, not when it was written).
What a crash (the process killed) can lose is the last second's entries of that process.
If the database refuses the write, the entries wait for the next round (up to KEEP_AT_MOST)
and the error is logged: the dispatch's answer never fails for its audit entry.
AUDIT_BATCH_SECONDS = 0 writes each entry at once (the tests' default).
"""

import atexit
import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

KEEP_AT_MOST = 100_000

Writer = Callable[[list], None]
_lock = threading.Lock()
_rows: list = []
_since = 0.0  # time.monotonic() when the oldest waiting entry came
_thread: threading.Thread | None = None


def _limits() -> tuple[float, int]:
    portal = settings.PORTAL
    return float(portal.get("AUDIT_BATCH_SECONDS", 1.0)), int(portal.get("AUDIT_BATCH_ROWS", 5000))


def add(row, write: Writer) -> None:
    """Have `write([row, ...])` store `row` within the batch's delay (at once when it is 0)."""
    seconds, most = _limits()
    if seconds <= 0:
        write([row])
        return
    global _since
    with _lock:
        if not _rows:
            _since = time.monotonic()
        _rows.append(row)
        full = len(_rows) >= most
    if full:
        flush(write)
    elif _thread is None or not _thread.is_alive():
        _start(write)


def flush(write: Writer) -> int:
    """Write every waiting entry now; how many were written."""
    global _since
    with _lock:
        rows = _rows[:]
        _rows.clear()
    if not rows:
        return 0
    try:
        write(rows)
    except Exception:
        log.exception("audit batch: %s entries not written yet", len(rows))
        with _lock:
            _rows[:0] = rows[: max(KEEP_AT_MOST - len(_rows), 0)]
            _since = time.monotonic()  # the next try after another delay
        return 0
    return len(rows)


def pending() -> int:
    with _lock:
        return len(_rows)


def _start(write: Writer) -> None:
    global _thread
    with _lock:
        if _thread is not None and _thread.is_alive():
            return
        _thread = threading.Thread(target=_run, args=(write,), name="audit-batch", daemon=True)
        _thread.start()
    atexit.register(flush, write)


def _run(write: Writer) -> None:
    """The background writer: whatever has waited the batch's delay, a few times a second."""
    while True:
        seconds = _limits()[0]
        time.sleep(min(max(seconds, 0.01) / 4, 0.25))
        with _lock:
            due = bool(_rows) and time.monotonic() - _since >= seconds
        if due:
            try:
                flush(write)
            finally:
                connections.close_all()  # this thread's own connections
