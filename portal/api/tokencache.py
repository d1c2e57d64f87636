"""The API's per-process cache of tokens and accounts, kept right on every process by Redis
pub/sub (portal.api.auth uses it when REDIS_URL is set).

Each process keeps the tokens and accounts it has read in its own memory (no round trip per
request); a daemon thread of each process is subscribed to one Redis channel; any change to
a token or an account (revocation, its accounts, an account saved or deleted) publishes on it,
at the change and again once it is committed (`publish`), and every process that hears it
drops its whole cache. The request asks `usable()` before reading the cache:

- the subscription must be live: until the thread has subscribed, and from the moment it
  loses its connection until it has subscribed again (the cache dropped at both moments),
  requests read the database;
- nothing may be waiting on the subscription's socket, nor being read: a message that
  reached this machine before the request was read is always obeyed first, so a token
  revoked in one process is refused by every other from their next request.

A value loaded from the database is kept only if no message came while it was loaded
(`generation`): a worker that read the row just before the change was committed does not keep
the old one.
"""

from __future__ import annotations

import logging
import os
import select
import threading
import time

log = logging.getLogger(__name__)
PING_SECONDS = 5.0  # the subscription's health check: a PING when the channel is quiet
FIRST_WAIT_SECONDS = 2.0


class Listener:
    """One process's subscription to the channel (a daemon thread)."""

    def __init__(self, url: str, channel: str, forget):
        self.url, self.channel, self.forget = url, channel, forget
        self.pid = os.getpid()
        self.live = False
        self.reading = threading.Lock()
        self.stopped = threading.Event()
        self.sock = None
        self.subscribed = threading.Event()  # set once live (the tests wait for it)
        self.tried = threading.Event()  # set once the first attempt succeeded or failed
        self.thread = threading.Thread(target=self.run, name="api-token-cache", daemon=True)
        self.thread.start()

    def usable(self) -> bool:
        if not self.live or self.reading.locked():
            return False
        try:
            waiting, _w, _x = select.select([self.sock], [], [], 0)
        except (OSError, ValueError, TypeError):
            return False
        return not waiting and self.live

    def lost(self, why: str) -> None:
        was_live, self.live = self.live, False
        self.subscribed.clear()
        self.forget()
        if was_live:
            log.warning("The API token cache lost its subscription (%s); using the database", why)

    def run(self) -> None:
        import redis

        pause = 0.2
        while not self.stopped.is_set():
            pubsub = None
            try:
                client = redis.Redis.from_url(
                    self.url, socket_connect_timeout=2, socket_timeout=PING_SECONDS * 2
                )
                pubsub = client.pubsub()
                pubsub.subscribe(self.channel)
                confirmed = pubsub.get_message(timeout=PING_SECONDS)
                if not confirmed or confirmed["type"] != "subscribe":
                    raise redis.ConnectionError("no answer to SUBSCRIBE")
                self.sock = pubsub.connection._sock
                self.forget()  # what changed while not subscribed
                self.live = True
                self.subscribed.set()
                self.tried.set()
                pause = 0.2
                self.listen(pubsub)
            except Exception as error:  # any failure: not live, the cache dropped, again
                self.lost(f"{type(error).__name__}: {error}")
                self.tried.set()
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:
                        pass
            if self.stopped.wait(pause):
                return
            pause = min(pause * 2, 5.0)

    def listen(self, pubsub) -> None:
        import redis

        pinged = False
        while not self.stopped.is_set():
            waiting, _w, _x = select.select([self.sock], [], [], PING_SECONDS)
            if not waiting:
                if pinged:
                    raise redis.ConnectionError("no answer to PING")
                pubsub.ping()
                pinged = True
                continue
            with self.reading:
                while True:
                    message = pubsub.get_message(timeout=0)
                    if message is None:
                        break
                    pinged = False
                    if message["type"] == "message":
                        self.forget()
                    elif message["type"] == "unsubscribe":
                        raise redis.ConnectionError("unsubscribed")

    def stop(self) -> None:
        self.stopped.set()
        self.live = False


_listener: Listener | None = None
_listener_lock = threading.Lock()
_publishers: dict[str, object] = {}


def where(settings) -> tuple[str, str] | None:
    """(Redis URL, channel) when REDIS_URL is set: the cache's Redis and its key prefix."""
    if not settings.REDIS_URL:
        return None
    cache = settings.CACHES.get("default", {})
    if "redis" in cache.get("BACKEND", "").lower():
        url, prefix = cache["LOCATION"], cache.get("KEY_PREFIX", "")
    else:
        url, prefix = settings.REDIS_URL, ""
    return url, f"{prefix}:api:forget"


def listener(settings, forget) -> Listener | None:
    """This process's listener for the settings' Redis (a new one after a fork, or when the
    settings changed), started on first use; None without REDIS_URL."""
    global _listener
    place = where(settings)
    if place is None:
        return None
    current = _listener
    if current is not None and current.pid == os.getpid() and current.stopped.is_set() is False:
        if (current.url, current.channel) == place:
            return current
    with _listener_lock:
        current = _listener
        if current is None or current.pid != os.getpid() or (current.url, current.channel) != place:
            if current is not None and current.pid == os.getpid():
                current.stop()
            _listener = Listener(*place, forget)
            # The process's first request waits for its subscription (a millisecond; at most
            # FIRST_WAIT_SECONDS when Redis does not answer), so that what it reads is kept.
            _listener.tried.wait(FIRST_WAIT_SECONDS)
        return _listener


def publish(settings) -> None:
    """Tell every process to drop its cache. A Redis that cannot be reached is logged: the
    processes that cannot hear it either have lost their subscription (and read the
    database); the others keep an entry at most auth.CACHE_SECONDS."""
    place = where(settings)
    if place is None:
        return
    url, channel = place
    try:
        client = _publishers.get(url)
        if client is None:
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
            _publishers[url] = client
        client.publish(channel, "forget")
    except Exception:
        log.warning("Could not tell the other processes to forget the API tokens", exc_info=True)


def wait_subscribed(settings, forget, seconds: float = 5.0) -> bool:
    """For the tests: wait (up to `seconds`) until the listener is live."""
    found = listener(settings, forget)
    if found is None:
        return False
    deadline = time.monotonic() + seconds
    while not found.usable() and time.monotonic() < deadline:
        found.subscribed.wait(0.05)
    return found.usable()
