import os
import sys

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "portal.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        # Without a task queue the serving process makes the later tries itself
        # (portal.webhooks.retrier): runserver's from the start, any other from its first
        # request.
        from django.core.signals import request_started

        from portal.webhooks import retrier

        request_started.connect(retrier.on_request, dispatch_uid="portal.webhooks.retrier")
        if retrier.serving_runserver(sys.argv, os.environ):
            retrier.ensure_started()
