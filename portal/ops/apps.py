from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "portal.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self):
        from portal.ops import metrics

        metrics.connect_task_signals()
