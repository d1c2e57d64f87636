"""EMAIL_URL (portal/emailurl.py) and report e-mail over TLS, for real: aiosmtpd with a
certificate made for the test by its own authority (openssl), STARTTLS on one server,
TLS from the first byte on another, the password checked by the server after it was
URL-decoded, and a certificate the portal does not trust refused."""

import os
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal import emailurl, reportmail
from tests.conftest import free_port
from tests.stats.smtp import Inbox

ROOT = Path(__file__).resolve().parent.parent
# smtplib sends a password as ASCII only: the characters a URL must encode, none beyond.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS:UserWarning"  # aiosmtpd, TLS from byte 1
)

USER, PASSWORD = "reports@clinic.example", "p@ss/word:#1%"
USER_URL, PASSWORD_URL = "reports%40clinic.example", "p%40ss%2Fword%3A%231%25"


# --- parsing -------------------------------------------------------------------------------


def test_unset_or_console_is_the_console():
    for url in ("", None, "console://"):
        assert emailurl.parse(url) == {"EMAIL_BACKEND": emailurl.CONSOLE_BACKEND}


@pytest.mark.parametrize(
    "url, port, tls, ssl_",
    [
        ("smtp://mail.example.com", 25, False, False),
        ("smtp://mail.example.com:1025", 1025, False, False),
        ("smtp+tls://mail.example.com", 587, True, False),
        ("submission://mail.example.com", 587, True, False),
        ("submission://mail.example.com:2587", 2587, True, False),
        ("smtps://mail.example.com", 465, False, True),
        ("smtp+ssl://mail.example.com", 465, False, True),
        ("SMTPS://mail.example.com", 465, False, True),
    ],
)
def test_schemes_give_their_port_and_tls(url, port, tls, ssl_):
    got = emailurl.parse(url)
    assert got["EMAIL_BACKEND"] == "portal.smtp.EmailBackend"
    assert got["EMAIL_HOST"] == "mail.example.com"
    assert (got["EMAIL_PORT"], got["EMAIL_USE_TLS"], got["EMAIL_USE_SSL"]) == (port, tls, ssl_)
    assert got["EMAIL_TIMEOUT"] == 30 and got["EMAIL_SSL_CAFILE"] is None


def test_user_and_password_are_url_decoded():
    got = emailurl.parse(f"smtps://{USER_URL}:{PASSWORD_URL}@mail.example.com")
    assert got["EMAIL_HOST_USER"] == USER and got["EMAIL_HOST_PASSWORD"] == PASSWORD
    assert got["EMAIL_HOST"] == "mail.example.com"
    plain = emailurl.parse("smtp://127.0.0.1:1025")
    assert plain["EMAIL_HOST_USER"] == "" and plain["EMAIL_HOST_PASSWORD"] == ""


def test_timeout_and_cafile_parameters():
    got = emailurl.parse("submission://mail.example.com?timeout=7.5&cafile=/etc/ssl/ca.pem")
    assert got["EMAIL_TIMEOUT"] == 7.5 and got["EMAIL_SSL_CAFILE"] == "/etc/ssl/ca.pem"


@pytest.mark.parametrize(
    "url, says",
    [
        ("imap://mail.example.com", "unknown scheme"),
        ("smtp://mail.example.com:99999", "port"),
        ("smtp://mail.example.com?tls=1", "unknown parameter"),
        ("smtp://mail.example.com?timeout=soon", "timeout"),
    ],
)
def test_a_wrong_url_says_what_is_wrong(url, says):
    with pytest.raises(ImproperlyConfigured, match=says):
        emailurl.parse(url)


def test_the_settings_read_email_url():
    """portal/settings.py itself, in a fresh process, with EMAIL_URL set."""
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, "
        "s.EMAIL_USE_SSL, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "EMAIL_URL": f"submission://{USER_URL}:{PASSWORD_URL}@smtp.example.com",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == (
        '["portal.smtp.EmailBackend", "smtp.example.com", 587, true, false, '
        '"reports@clinic.example", "p@ss/word:#1%"]'
    )


# --- for real, over TLS ------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A test authority and a certificate for 127.0.0.1 signed by it (openssl)."""
    d = tmp_path_factory.mktemp("tls")

    def run(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Portal test authority",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    run("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (d / "ext.cnf").write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
        "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
    )
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")  # fmt: skip
    return d


class TlsInbox(Inbox):
    """The test SMTP server's inbox, noting for each message whether it came over TLS and
    who had authenticated."""

    def __init__(self):
        super().__init__()
        self.sessions = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.sessions.append(
            {
                "tls": server.transport.get_extra_info("ssl_object") is not None,
                "login": session.auth_data,
            }
        )
        return await super().handle_DATA(server, session, envelope)


def _authenticator(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult

    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    if not ok:
        return AuthResult(success=False, handled=False)  # the server answers 535
    return AuthResult(success=True, auth_data=auth_data.login.decode())


@pytest.fixture
def tls_server(certificates):
    """tls_server(implicit): a running aiosmtpd that requires TLS (STARTTLS, or TLS from the
    first byte) and a login; returns (inbox, port)."""
    from aiosmtpd.controller import Controller

    controllers = []

    def start(implicit: bool):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certificates / "server.pem", certificates / "server.key")
        inbox, port = TlsInbox(), free_port()
        common = {"authenticator": _authenticator, "auth_required": True}
        if implicit:
            # aiosmtpd sees only STARTTLS as TLS when it decides to offer AUTH; here the
            # connection is TLS from the first byte (each message checks it: "tls").
            controller = Controller(
                inbox,
                hostname="127.0.0.1",
                port=port,
                ssl_context=context,
                auth_require_tls=False,
                **common,
            )
        else:
            controller = Controller(
                inbox,
                hostname="127.0.0.1",
                port=port,
                tls_context=context,
                require_starttls=True,
                **common,
            )
        controller.start()
        controllers.append(controller)
        return inbox, port

    yield start
    for controller in controllers:
        controller.stop()


def _configure(settings, url: str):
    for name, value in emailurl.parse(url).items():
        setattr(settings, name, value)


def _send():
    return reportmail.send_report(
        ["boss@clinic.example"], "Billable Calls — 4000-TEST", "Total Calls: 4", [("r.xlsx", b"x")]
    )


@pytest.mark.parametrize("scheme, implicit", [("submission", False), ("smtp+tls", False),
                                              ("smtps", True)])  # fmt: skip
def test_a_report_goes_over_tls_with_the_url_decoded_login(
    settings, certificates, tls_server, scheme, implicit
):
    inbox, port = tls_server(implicit)
    cafile = certificates / "ca.pem"
    _configure(settings, f"{scheme}://{USER_URL}:{PASSWORD_URL}@127.0.0.1:{port}?cafile={cafile}")
    assert _send() == 1
    [message] = inbox.messages
    assert message["Subject"] == "Billable Calls — 4000-TEST"
    assert message["To"] == "boss@clinic.example"
    assert inbox.sessions == [{"tls": True, "login": USER}]
    assert inbox.attachments(message) == [("r.xlsx", b"x")]


@pytest.mark.parametrize("scheme, implicit", [("submission", False), ("smtps", True)])
def test_a_certificate_the_portal_does_not_trust_is_refused(settings, tls_server, scheme, implicit):
    """Without the test authority (the system's authorities only) nothing is sent: the
    certificate is verified, not just encrypted to."""
    inbox, port = tls_server(implicit)
    _configure(settings, f"{scheme}://{USER_URL}:{PASSWORD_URL}@127.0.0.1:{port}")
    with pytest.raises(ssl.SSLCertVerificationError):
        _send()
    assert inbox.messages == []


def test_a_wrong_password_is_refused_by_the_server(settings, certificates, tls_server):
    import smtplib

    inbox, port = tls_server(False)
    cafile = certificates / "ca.pem"
    _configure(settings, f"submission://{USER_URL}:wrong@127.0.0.1:{port}?cafile={cafile}")
    with pytest.raises(smtplib.SMTPAuthenticationError):
        _send()
    assert inbox.messages == []


def test_a_server_that_requires_starttls_gets_nothing_from_plain_smtp(settings, tls_server):
    """smtp:// (no TLS) to a server that requires STARTTLS: refused, nothing sent."""
    import smtplib

    inbox, port = tls_server(False)
    _configure(settings, f"smtp://{USER_URL}:{PASSWORD_URL}@127.0.0.1:{port}")
    with pytest.raises(smtplib.SMTPException):
        _send()
    assert inbox.messages == []
