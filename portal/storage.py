"""File storage that never leaves a partial file behind.

Django's FileSystemStorage writes straight into the final name: a full disk in the middle of a
recording leaves a truncated file there, and each retry (the name being taken) leaves one more.
`AtomicFileSystemStorage` writes to a hidden temporary name in the same directory, flushes it
to the disk, then links it into place (atomic: the final name holds the whole file or nothing);
on any failure the temporary file is removed and the error goes up unchanged.

The temporary names (`.<name>.<random>.part`, `is_temporary`) are not stored files: backups
skip them and `recordings_orphans` removes the ones a killed process left behind.

`read_chunks` and `walk` are how every part of the portal reads and lists a storage, whatever
it is: a storage with its own (portal.s3's, on S3_BUCKET: ranged GETs, one listing of the
bucket) is asked for them; any other Django storage is read through its open() and listdir().
"""

import errno
import os
import secrets

from django.core.files.storage import FileSystemStorage
from django.core.files.utils import validate_file_name

TEMP_SUFFIX = ".part"
NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK}


def is_temporary(name: str) -> bool:
    """Is this (base) name one of the storage's temporary files?"""
    base = os.path.basename(name)
    return base.startswith(".") and base.endswith(TEMP_SUFFIX)


class AtomicFileSystemStorage(FileSystemStorage):
    """FileSystemStorage whose save is all or nothing (see the module's docstring)."""

    def _write(self, fh, chunk: bytes) -> None:
        """One chunk into the temporary file (the tests' full disk raises here)."""
        fh.write(chunk)

    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        if self.directory_permissions_mode is not None:
            from django.utils._os import safe_makedirs

            safe_makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)
        base = os.path.basename(full_path)
        temp = os.path.join(directory, f".{base}.{secrets.token_hex(6)}{TEMP_SUFFIX}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in content.chunks():
                    self._write(fh, chunk if isinstance(chunk, bytes) else chunk.encode())
                fh.flush()
                os.fsync(fh.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(temp, self.file_permissions_mode)
            full_path = self._place(temp, name, full_path)
        except BaseException:
            try:
                os.unlink(temp)
            except FileNotFoundError:
                pass
            raise
        try:
            os.unlink(temp)  # the final name is a second link to the same file
        except FileNotFoundError:
            pass  # renamed into place (no hard links here)
        name = os.path.relpath(full_path, self.location)
        self._ensure_location_group_id(full_path)
        return str(name).replace("\\", "/")

    def _place(self, temp: str, name: str, full_path: str) -> str:
        """Give the finished temporary file its final name without ever overwriting another
        file: a hard link fails when the name exists, then the next free name is taken. Where
        the file system has no hard links, a rename (after checking the name is free)."""
        while True:
            if self._allow_overwrite:
                os.replace(temp, full_path)
                return full_path
            try:
                os.link(temp, full_path)
                return full_path
            except FileExistsError:
                pass
            except OSError as exc:
                if exc.errno not in NO_HARD_LINKS:
                    raise
                if not os.path.exists(full_path):
                    os.rename(temp, full_path)
                    return full_path
            name = self.get_available_name(name)
            validate_file_name(name, allow_relative_path=True)
            full_path = self.path(name)


CHUNK = 64 * 1024


def read_chunks(storage, name: str, first: int = 0, length: int | None = None, chunk=CHUNK):
    """The bytes of a stored file from `first` (`length` of them, else to the end), in pieces,
    never whole in memory. FileNotFoundError before any byte when the file is not there; an
    OSError when the storage fails (also while the pieces are read)."""
    if hasattr(storage, "read_chunks"):
        return storage.read_chunks(name, first, length, chunk)
    fh = storage.open(name, "rb")
    return _file_chunks(fh, first, length, chunk)


def _file_chunks(fh, first: int, length: int | None, chunk: int):
    try:
        if first:
            fh.seek(first)
        left = length
        while left is None or left > 0:
            data = fh.read(chunk if left is None else min(chunk, left))
            if not data:
                break
            if left is not None:
                left -= len(data)
            yield data
    finally:
        fh.close()


def walk(storage, path: str = ""):
    """Every file name under `path` in a storage (any backend), recursively."""
    if hasattr(storage, "walk"):
        yield from storage.walk(path)
        return
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for directory in sorted(directories):
        yield from walk(storage, f"{path}/{directory}" if path else directory)
