"""A real HTTP server on a free local port, standing for the platform: it receives the
portal's deliveries, checks each signature on the raw body with the webhook's secret, and
answers with the codes a test queues (200 once they run out)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import free_port


@dataclass
class Received:
    path: str
    headers: dict
    raw: bytes
    signature_ok: bool
    answered: int

    @property
    def json(self) -> dict:
        return json.loads(self.raw)


@dataclass
class Receiver:
    secret: str
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    port: int = 0
    delay: float = 0.0  # seconds each answer waits (a slow platform)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/portal"

    def expected_signature(self, raw: bytes) -> str:
        return "sha256=" + hmac.new(self.secret.encode(), raw, hashlib.sha256).hexdigest()

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received)} deliveries received, not {count}")
            time.sleep(0.05)
        return self.received

    def bodies(self) -> list[dict]:
        return [r.json for r in self.received]


def start(secret: str) -> tuple[Receiver, ThreadingHTTPServer]:
    receiver = Receiver(secret=secret)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            time.sleep(receiver.delay)
            given = self.headers.get("X-Portal-Signature", "")
            ok = hmac.compare_digest(given, receiver.expected_signature(raw))
            with lock:
                code = receiver.answers.pop(0) if receiver.answers else 200
                if not ok:
                    code = 401
                receiver.received.append(
                    Received(self.path, dict(self.headers.items()), raw, ok, code)
                )
            answer = json.dumps({"ok": code < 300, "code": code}).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    receiver.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server
