"""The account's directory (contacts) and the agents' information pages."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Account


class Contact(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    external_id = models.CharField(_("contact id"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    phone1 = models.CharField(_("Tel (1)"), max_length=64, blank=True)
    phone2 = models.CharField(_("Tel (2)"), max_length=64, blank=True)
    phone3 = models.CharField(_("Tel (3)"), max_length=64, blank=True)
    sms = models.CharField(_("SMS"), max_length=64, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # Filled on every save from the fields above (services.contact_search_columns): the name
    # and e-mail folded (no accents, no case) and each number's digits, so that a search is
    # one LIKE on the same database whether it is SQLite or PostgreSQL.
    search_text = models.TextField(blank=True, default="", editable=False)
    search_digits = models.TextField(blank=True, default="", editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Deleted (services.delete_contact): gone from the directory and the pickers; the shifts
    # and overrides it held are gaps from this moment on, the history keeps who it was.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="uniq_contact")
        ]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from portal.directory.services import contact_search_columns

        self.search_text, self.search_digits = contact_search_columns(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text", "search_digits"}
        super().save(*args, **kwargs)

    def clean(self):
        from portal.text import clean_single_line

        super().clean()
        clean_single_line(self, "external_id", "name", "phone1", "phone2", "phone3", "sms")

    @property
    def phones(self) -> list[str]:
        return [p for p in (self.phone1, self.phone2, self.phone3) if p]


class InfoPage(models.Model):
    """An agent instruction page for the account; `body` is sanitised HTML."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="info_pages")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("information page")
        verbose_name_plural = _("information pages")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        from portal.directory.services import sanitize_html

        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)
