"""A real SMTP server on a free local port (aiosmtpd): the edge of the world, not a mock."""

import email
from email import policy

import pytest

from tests.conftest import free_port


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def attachments(self, message):
        return [
            (part.get_filename(), part.get_payload(decode=True))
            for part in message.iter_attachments()
        ]


@pytest.fixture
def smtp_inbox(settings):
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield inbox
    finally:
        controller.stop()
