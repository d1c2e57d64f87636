"""Django's SMTP backend, with the server's certificate verified against EMAIL_SSL_CAFILE
when one is given (a private mail server's authority), else against the system's
authorities, as Django does. STARTTLS (EMAIL_USE_TLS) and implicit TLS (EMAIL_USE_SSL) both
verify the certificate and the host name; EMAIL_SSL_CERTFILE / EMAIL_SSL_KEYFILE still give
a client certificate. Set by EMAIL_URL (portal.emailurl)."""

from __future__ import annotations

import ssl

from django.conf import settings
from django.core.mail.backends import smtp
from django.utils.functional import cached_property


class EmailBackend(smtp.EmailBackend):
    @cached_property
    def ssl_context(self):
        context = ssl.create_default_context(cafile=getattr(settings, "EMAIL_SSL_CAFILE", None))
        if self.ssl_certfile or self.ssl_keyfile:
            context.load_cert_chain(self.ssl_certfile, self.ssl_keyfile)
        return context
