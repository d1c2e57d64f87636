"""Recordings on S3-compatible storage (S3_BUCKET; settings.py): django-storages' S3Storage
with the few things the portal needs from any storage, done the S3 way.

- A failure to store answers like a full disk: every error of the object storage (refused,
  unreachable, no such bucket) goes up as an OSError (`ObjectStorageError`), so that
  `store_recording` keeps nothing and the API answers 507. An object appears whole or not at
  all (a PUT; a multipart upload is aborted on failure): there is no temporary name to clean.
- Reading streams: `read_chunks` sends one GET, ranged when a part is asked (the player's
  HTTP Range), and hands on the body piece by piece. django-storages' own S3File would
  download the whole object into memory first.
- `walk` lists the bucket once, flat and paged, rather than directory by directory.
- Never overwrites: a taken name gets another, as on disk (`file_overwrite=False`).

Every caller goes through portal.storage (read_chunks, walk), which picks these when the
storage has them: nothing else in the portal knows which storage it has.
"""

import errno
from collections.abc import Iterator

from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage
from storages.utils import clean_name
from urllib3.exceptions import HTTPError

CHUNK = 64 * 1024
ERRORS = (BotoCoreError, ClientError, HTTPError)
NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


class ObjectStorageError(OSError):
    """The object storage refused or could not be reached (an OSError, as a disk's)."""

    def __init__(self, exc: Exception):
        code = ""
        if isinstance(exc, ClientError):
            code = exc.response.get("Error", {}).get("Code", "")
        reason = f"the object storage answered {code}" if code else "the object storage failed"
        super().__init__(errno.EIO, reason)
        self.__cause__ = exc


def _missing(exc: ClientError) -> bool:
    error = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return str(error.get("Code", "")) in NOT_FOUND or status == 404


class S3RecordingStorage(S3Storage):
    """S3Storage whose failures are OSErrors and whose reads stream (module docstring)."""

    def __init__(self, **settings):
        settings.setdefault("file_overwrite", False)
        super().__init__(**settings)

    def _key(self, name: str) -> str:
        return self._normalize_name(clean_name(name))

    def _save(self, name, content):
        try:
            return super()._save(name, content)
        except ERRORS as exc:
            raise ObjectStorageError(exc) from exc

    def _open(self, name, mode="rb"):
        try:
            return super()._open(name, mode)
        except ERRORS as exc:
            raise ObjectStorageError(exc) from exc

    def exists(self, name):
        try:
            return super().exists(name)
        except ERRORS as exc:
            raise ObjectStorageError(exc) from exc

    def delete(self, name):
        try:
            super().delete(name)
        except ERRORS as exc:
            raise ObjectStorageError(exc) from exc

    def get_modified_time(self, name):
        try:
            return super().get_modified_time(name)
        except ClientError as exc:
            if _missing(exc):
                raise FileNotFoundError(name) from exc
            raise ObjectStorageError(exc) from exc
        except ERRORS as exc:
            raise ObjectStorageError(exc) from exc

    def read_chunks(
        self, name: str, first: int = 0, length: int | None = None, chunk: int = CHUNK
    ) -> Iterator[bytes]:
        """The object's bytes from `first` (`length` of them, else to the end), from one GET
        (ranged when it is a part), in pieces. FileNotFoundError, before any byte, when the
        object is not there; an ObjectStorageError when the storage fails, before or while."""
        if length == 0:
            if not self.exists(name):
                raise FileNotFoundError(name)
            return (data for data in ())
        params = {"Bucket": self.bucket_name, "Key": self._key(name)}
        if first or length is not None:
            last = "" if length is None else str(first + length - 1)
            params["Range"] = f"bytes={first}-{last}"
        try:
            body = self.connection.meta.client.get_object(**params)["Body"]
        except ClientError as exc:
            if _missing(exc):
                raise FileNotFoundError(name) from exc
            raise ObjectStorageError(exc) from exc
        except ERRORS as exc:
            raise ObjectStorageError(exc) from exc
        return _body_chunks(body, chunk)

    def walk(self, path: str = "") -> Iterator[str]:
        """Every object's name under `path`, from one paged listing of the bucket."""
        prefix = self._key(path) if path else self._normalize_name("")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        base = self._normalize_name("")
        base = base + "/" if base and not base.endswith("/") else base
        paginator = self.connection.meta.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket_name, Prefix=prefix):
                for entry in page.get("Contents", ()):
                    key = entry["Key"]
                    if not key.endswith("/"):
                        yield key[len(base) :]
        except ERRORS as exc:
            raise ObjectStorageError(exc) from exc


def _body_chunks(body, chunk: int) -> Iterator[bytes]:
    try:
        while True:
            try:
                data = body.read(chunk)
            except ERRORS as exc:
                raise ObjectStorageError(exc) from exc
            if not data:
                return
            yield data
    finally:
        body.close()
