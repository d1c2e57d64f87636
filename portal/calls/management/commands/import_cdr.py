"""manage.py import_cdr --format asterisk-csv|freeswitch-json FILE...

Streams each file (constant memory) in batches of --batch rows; each batch is stored
atomically by the same service as the CDR endpoints. A bad row refuses only its batch (the
others are stored); the summary lists every bad row with its file and line, and the command
exits with status 1 when there was one. Sending the file again after fixing the rows stores
the refused batches (the others come back unchanged).
"""

import io
import os
import time

from django.core.management.base import BaseCommand, CommandError

from portal.calls import cdr
from portal.ingest import BatchInvalid


class CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read from it (for the progress bar)."""

    def __init__(self, raw):
        self.raw = raw
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        self.done += n or 0
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


class Progress:
    """One line on stderr, redrawn at most every `every` seconds: rows and bytes done."""

    def __init__(self, stream, name: str, total: int, every: float = 0.5):
        self.stream, self.name, self.total, self.every = stream, name, total, every
        self.last = 0.0
        self.tty = stream.isatty()

    def show(self, rows: int, done: int, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < self.every:
            return
        self.last = now
        pct = 100 * done / self.total if self.total else 100
        width = 24
        filled = int(width * pct / 100)
        bar = "#" * filled + "-" * (width - filled)
        line = (
            f"{self.name}: [{bar}] {pct:5.1f}%  {rows:,} rows  "
            f"{done / 1e6:,.1f} of {self.total / 1e6:,.1f} MB"
        )
        end = "\n" if final or not self.tty else ""
        self.stream.write(("\r" if self.tty else "") + line, ending=end)
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Imports call-detail records as calls: Asterisk Master.csv (cdr_csv) or FreeSWITCH "
        "mod_json_cdr documents (one a file, a JSON list, or one a line). Files of any size "
        "are read a piece at a time and stored in batches; each batch is atomic, and a bad "
        "row refuses only its own batch. Prints a progress line on stderr and a summary; exits "
        "with status 1 when any row was bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=cdr.FORMATS)
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--tz",
            help="Asterisk: the IANA zone of the times in the file (the server's local zone; "
            "UTC with usegmtime=yes). Default: each row's account's time zone.",
        )
        parser.add_argument(
            "--batch", type=int, default=1000, help="rows a transaction (1 to 1000, default 1000)"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress line")

    def handle(self, *args, format, files, tz=None, batch=1000, no_progress=False, **options):
        if not 1 <= batch <= 1000:
            raise CommandError("--batch must be between 1 and 1000.")
        try:
            zone = cdr.zone(tz)
        except cdr.Problem as p:
            raise CommandError(p.message) from None
        if zone is not None and format != cdr.ASTERISK:
            raise CommandError("--tz is for Asterisk's local times; FreeSWITCH writes epochs.")
        for path in files:
            if not os.path.isfile(path):
                raise CommandError(f"No such file: {path}")
        totals = {"created": 0, "updated": 0, "unchanged": 0, "refused": 0}
        bad: list[str] = []
        rows = 0
        for path in files:
            counted, problems = self.import_file(
                format, path, zone, batch, None if no_progress else self.stderr
            )
            rows += counted["rows"]
            for k in totals:
                totals[k] += counted[k]
            bad += [f"{path}:{e['line']}: {e['field'] or 'row'}: {e['message']}" for e in problems]
        for line in bad:
            self.stdout.write(line)
        self.stdout.write(
            f"{rows} row(s) read: {totals['created']} created, {totals['updated']} updated, "
            f"{totals['unchanged']} unchanged; {len(bad)} problem(s) in bad rows, "
            f"{totals['refused']} row(s) not stored (their batch had a bad row)."
        )
        if bad:
            raise CommandError(f"{len(bad)} problem(s) in bad rows (listed above).", returncode=1)

    def import_file(self, fmt, path, zone, size, progress_stream):
        total = os.path.getsize(path)
        counter = CountingReader(open(path, "rb", buffering=0))  # noqa: SIM115
        text = io.TextIOWrapper(
            io.BufferedReader(counter, 1 << 16),
            encoding="utf-8",
            errors="replace",
            newline="" if fmt == cdr.ASTERISK else None,
        )
        progress = (
            Progress(progress_stream, os.path.basename(path), total) if progress_stream else None
        )
        counted = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0, "refused": 0}
        problems: list[dict] = []
        zones: dict = {}
        with text:
            stream = (
                cdr.asterisk_rows(text) if fmt == cdr.ASTERISK else cdr.freeswitch_documents(text)
            )
            chunk: list = []

            def flush():
                if not chunk:
                    return
                try:
                    counts = cdr.ingest_cdr(fmt, chunk, zone, zones)
                    for k, v in counts.as_dict().items():
                        counted[k] += v
                except BatchInvalid as exc:
                    problems.extend(exc.errors)
                    counted["refused"] += len(chunk) - len({e["line"] for e in exc.errors})
                counted["rows"] += len(chunk)
                chunk.clear()
                if progress:
                    progress.show(counted["rows"], counter.done)

            for source in stream:
                chunk.append(source)
                if len(chunk) >= size:
                    flush()
            flush()
        if progress:
            progress.show(counted["rows"], total, final=True)
        return counted, problems
