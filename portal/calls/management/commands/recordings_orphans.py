"""Nightly check of the recordings' storage: files with no recording, recordings with no file."""

from django.core.management.base import BaseCommand

from portal.calls.recording_files import GRACE, check_storage, delete_orphans


class Command(BaseCommand):
    help = (
        "Reports the files under recordings/ that no recording names (orphans, and temporary "
        "files an interrupted save left) and the recordings whose file is missing; with "
        "--delete, removes the orphan files (never a recording, never a file younger than "
        f"{int(GRACE.total_seconds() // 3600)} hour). Exits with status 1 when anything is "
        "wrong, so that a scheduler can tell."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete", action="store_true", help="remove the orphan files (not the recordings)"
        )

    def handle(self, *args, delete=False, **options):
        report = check_storage()
        out = self.stdout
        for name in report.orphans:
            out.write(f"orphan file: {name}")
        for name in report.leftovers:
            out.write(f"interrupted save: {name}")
        for recording in report.missing:
            call = recording.call
            out.write(
                f"missing file: {recording.file.name} "
                f"(account {call.account.number}, call {call.call_id}, "
                f"{call.started_at:%Y-%m-%d %H:%M:%S} UTC)"
            )
        out.write(
            f"{len(report.orphans)} orphan file(s), {len(report.leftovers)} interrupted save(s), "
            f"{len(report.missing)} recording(s) without a file"
            + (f", {report.young} file(s) too recent to judge" if report.young else "")
            + "."
        )
        if delete:
            removed = delete_orphans(report)
            out.write(f"{removed} file(s) removed.")
        elif report.orphans or report.leftovers:
            out.write("Run again with --delete to remove the orphan files.")
        if report.missing or ((report.orphans or report.leftovers) and not delete):
            raise SystemExit(1)
