"""Sending a report by e-mail, with its Excel file attached (SMTP per settings.EMAIL_URL)."""

from django.conf import settings
from django.core.mail import EmailMessage

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_report(
    to: list[str], subject: str, body: str, attachments: list[tuple[str, bytes]]
) -> int:
    """Send one message to `to` with .xlsx attachments (name, bytes); returns 1 when sent."""
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    for name, content in attachments:
        message.attach(name, content, XLSX)
    return message.send(fail_silently=False)
