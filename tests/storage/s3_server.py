"""A real S3-compatible server for the tests: moto's standalone server (`moto_server`), started
once per test run in a process of its own on a free port, and a new bucket for each test with
the portal's default storage pointed at it (the settings S3_BUCKET makes, portal.s3)."""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

KEYS = {"S3_ACCESS_KEY": "portal-test", "S3_SECRET_KEY": "portal-test-secret"}
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _moto_server() -> list[str]:
    beside = Path(sys.executable).with_name("moto_server")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("moto_server")
    if not found:
        pytest.fail("moto_server is not installed: .venv/bin/pip install -e '.[dev]'")
    return [found]


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """The URL of a moto server running for the whole test run."""
    port = _free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [*_moto_server(), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"},
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"moto_server did not start on port {port}")
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def s3_client(endpoint: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=KEYS["S3_ACCESS_KEY"],
        aws_secret_access_key=KEYS["S3_SECRET_KEY"],
        region_name=REGION,
    )


def storage_options(endpoint: str, bucket: str) -> dict:
    """What settings.py makes of S3_BUCKET and the other S3_ variables."""
    return {
        "BACKEND": "portal.s3.S3RecordingStorage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "access_key": KEYS["S3_ACCESS_KEY"],
            "secret_key": KEYS["S3_SECRET_KEY"],
            "region_name": REGION,
        },
    }


def s3_environment(endpoint: str, bucket: str) -> dict:
    """The environment a portal process on that bucket is started with."""
    return {"S3_BUCKET": bucket, "S3_ENDPOINT_URL": endpoint, "S3_REGION": REGION, **KEYS}


class Bucket:
    """A bucket of the moto server, read with boto3 (not through the portal)."""

    def __init__(self, endpoint: str, name: str):
        self.endpoint, self.name = endpoint, name
        self.client = s3_client(endpoint)

    def create(self) -> "Bucket":
        self.client.create_bucket(Bucket=self.name)
        return self

    def keys(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(e["Key"] for page in pages for e in page.get("Contents", ()))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=key, Body=data)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.name, Key=key)

    def uploads_in_progress(self) -> list:
        return self.client.list_multipart_uploads(Bucket=self.name).get("Uploads", [])


def new_bucket(endpoint: str) -> Bucket:
    return Bucket(endpoint, f"recordings-{secrets.token_hex(5)}").create()


@pytest.fixture
def bucket(s3_endpoint, settings):
    """A new bucket, and the portal's recordings stored in it for this test."""
    b = new_bucket(s3_endpoint)
    settings.STORAGES = {**settings.STORAGES, "default": storage_options(s3_endpoint, b.name)}
    return b


class CuttingProxy:
    """A TCP relay to the S3 server that breaks every connection once the client has sent it
    more than `limit` bytes: a network that fails in the middle of a large upload, while the
    small requests around it (start, abort, list) go through."""

    def __init__(self, endpoint: str, limit: int):
        import threading

        host, port = endpoint.rsplit("//", 1)[1].split(":")
        self.upstream, self.limit = (host, int(port)), limit
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.cut = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import threading

        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client):
        import threading

        upstream = socket.create_connection(self.upstream)

        def back():
            try:
                while data := upstream.recv(65536):
                    client.sendall(data)
            except OSError:
                pass
            finally:
                client.close()

        threading.Thread(target=back, daemon=True).start()
        sent = 0
        try:
            while data := client.recv(65536):
                sent += len(data)
                if sent > self.limit:
                    self.cut += 1
                    break
                upstream.sendall(data)
        except OSError:
            pass
        finally:
            for s in (client, upstream):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def close(self):
        self.server.close()
