from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "portal.oncall"
    label = "oncall"

    def ready(self):
        from portal.oncall.services import contacts

        contacts.connect()
