from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "portal.stats"
    label = "stats"
