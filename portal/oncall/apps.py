from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "portal.oncall"
    label = "oncall"
