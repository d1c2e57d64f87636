"""A real SMTP server for the e-mailed report (the edge of the world is a local server)."""

import pytest


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port that keeps what it receives."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message as MessageHandler

    received = []

    class Keep(MessageHandler):
        def handle_message(self, message):
            received.append(message)

    from tests.conftest import free_port

    port = free_port()
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield received
    controller.stop()
