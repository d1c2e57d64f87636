"""EMAIL_URL, read into Django's e-mail settings (portal/settings.py calls `parse`).

    smtp://host[:port]            plain SMTP (port 25)
    smtp+tls://… , submission://…  SMTP with STARTTLS (port 587)
    smtps://… , smtp+ssl://…       SMTP over TLS from the first byte (port 465)
    console://                     e-mails printed on standard output (also when unset)

A user name and password go before the host, URL-encoded (`smtps://me%40example.com:p%2Fss@
mail.example.com`). Query parameters: `timeout` (seconds, default 30), `cafile` (a PEM file
of the authorities to trust instead of the system's, for a private mail server). With TLS
the server's certificate and name are always verified (portal.smtp.EmailBackend).

Imports nothing of Django's settings, so that the settings module can use it.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP_BACKEND = "portal.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"

# scheme: (default port, STARTTLS, implicit TLS)
SCHEMES = {
    "smtp": (25, False, False),
    "smtp+tls": (587, True, False),
    "submission": (587, True, False),
    "smtps": (465, False, True),
    "smtp+ssl": (465, False, True),
}
DEFAULT_TIMEOUT = 30


def parse(url: str | None) -> dict:
    """The Django settings EMAIL_URL stands for (EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT,
    EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL, EMAIL_TIMEOUT,
    EMAIL_SSL_CAFILE). ImproperlyConfigured names what is wrong."""
    url = (url or "").strip()
    if not url or url.split(":", 1)[0].lower() == "console":
        return {"EMAIL_BACKEND": CONSOLE_BACKEND}
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ImproperlyConfigured(
            f"EMAIL_URL: unknown scheme {parts.scheme!r}; use one of "
            + ", ".join(f"{s}://" for s in [*SCHEMES, "console"])
        )
    default_port, starttls, implicit = SCHEMES[scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL: the port is not a number from 1 to 65535") from None
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"timeout", "cafile"}
    if unknown:
        raise ImproperlyConfigured(f"EMAIL_URL: unknown parameter(s) {', '.join(sorted(unknown))}")
    try:
        timeout = float(query.get("timeout", DEFAULT_TIMEOUT))
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL: timeout is a number of seconds") from None
    return {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname or "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": starttls,
        "EMAIL_USE_SSL": implicit,
        "EMAIL_TIMEOUT": timeout,
        "EMAIL_SSL_CAFILE": query.get("cafile") or None,
    }
