"""Back office: the webhooks (staff register them too, through the API's service) and the
delivery log of each (status, tries, the receiver's last answer, dates), read-only, with
"Send again" (an action on the log and a button on a delivery's page; audited)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal.accounts import audit
from portal.accounts.backoffice import ReadOnlyAdmin, ReadOnlyInline
from portal.accounts.models import Account
from portal.webhooks.delivery import send_again
from portal.webhooks.events import send_soon
from portal.webhooks.models import EVENTS, Webhook, WebhookAttempt, WebhookDelivery
from portal.webhooks.services import (
    WebhookInvalid,
    account_numbers,
    check,
    delete_webhook,
    save_webhook,
)

SECRET_HELP = gettext_lazy(
    "The receiver checks each delivery's X-Portal-Signature with it. It is not shown again; "
    "leave it empty to keep the current one."
)
ACCOUNTS_HELP = gettext_lazy("None chosen: the events of every account.")


class WebhookForm(forms.ModelForm):
    """The API's checks (services.check), their messages on the fields."""

    url = forms.URLField(label=gettext_lazy("URL"), max_length=1000, assume_scheme="https")
    secret = forms.CharField(
        label=gettext_lazy("secret"),
        required=False,
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=SECRET_HELP,
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("events"), choices=EVENTS, widget=forms.CheckboxSelectMultiple
    )
    accounts = forms.ModelMultipleChoiceField(
        Account.objects.order_by("number"),
        required=False,
        label=gettext_lazy("accounts"),
        help_text=ACCOUNTS_HELP,
    )

    class Meta:
        model = Webhook
        fields = ["webhook_id", "url", "secret", "events", "accounts"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields.pop("webhook_id", None)
            self.initial["accounts"] = (
                [] if self.instance.all_accounts else list(self.instance.accounts.all())
            )

    def clean(self):
        cleaned = super().clean()
        webhook_id = self.instance.webhook_id if self.instance.pk else cleaned.get("webhook_id")
        secret = cleaned.get("secret") or (self.instance.secret if self.instance.pk else "")
        accounts = cleaned.get("accounts")
        self.webhook_data = {
            "url": cleaned.get("url") or self.data.get("url", ""),
            "secret": secret,
            "events": cleaned.get("events") or [],
            "accounts": [a.number for a in accounts] if accounts else None,
        }
        try:
            check(webhook_id or "", self.webhook_data)
        except WebhookInvalid as exc:
            for error in exc.errors:
                field = error["field"].split(".")[0]
                if field not in self.fields or self.has_error(field):
                    field = None
                self.add_error(field, error["message"])
        return cleaned


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["webhook_id", "url", "event_list", "account_list", "log", "updated_at"]
    search_fields = ["webhook_id", "url"]
    readonly_fields = ["log", "created_at", "updated_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["webhook_id", "url", "secret", "events", "accounts"]
        return ["url", "secret", "events", "accounts", "log", "created_at", "updated_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("accounts")
            .annotate(
                n_deliveries=Count("deliveries"),
                n_failed=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.FAILED)),
                n_pending=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.PENDING)),
            )
        )

    @admin.display(description=gettext_lazy("events"))
    def event_list(self, obj: Webhook) -> str:
        return ", ".join(obj.events)

    @admin.display(description=gettext_lazy("accounts"))
    def account_list(self, obj: Webhook) -> str:
        numbers = account_numbers(obj)
        return _("every account") if numbers is None else ", ".join(numbers)

    @admin.display(description=gettext_lazy("delivery log"))
    def log(self, obj: Webhook):
        if obj.pk is None:
            return "—"
        url = (
            reverse("admin:webhooks_webhookdelivery_changelist")
            + "?"
            + urlencode({"webhook__id__exact": obj.pk})
        )
        counts = _("%(total)s deliveries, %(pending)s pending, %(failed)s failed") % {
            "total": getattr(obj, "n_deliveries", obj.deliveries.count()),
            "pending": getattr(
                obj, "n_pending", obj.deliveries.filter(status=WebhookDelivery.PENDING).count()
            ),
            "failed": getattr(
                obj, "n_failed", obj.deliveries.filter(status=WebhookDelivery.FAILED).count()
            ),
        }
        return format_html('<a href="{}">{}</a>', url, counts)

    def save_model(self, request, obj, form, change):
        hook, outcome = save_webhook(
            obj.webhook_id if change else form.cleaned_data["webhook_id"],
            form.webhook_data,
            request=request,
        )
        obj.pk, obj.webhook_id = hook.pk, hook.webhook_id
        obj.created_at, obj.updated_at = hook.created_at, hook.updated_at

    def save_related(self, request, form, formsets, change):
        pass  # the accounts were saved by save_webhook

    def delete_model(self, request, obj):
        delete_webhook(obj.webhook_id, request=request)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def get_deleted_objects(self, objs, request):
        """A webhook goes with its delivery log, which nobody deletes on its own."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for model in (WebhookDelivery, WebhookAttempt):
            perms_needed.discard(model._meta.verbose_name)
        return deleted, counts, perms_needed, protected


class AttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = ["at", "status_code", "answer", "error", "duration_ms"]
    readonly_fields = fields


def _send_again(request, deliveries) -> int:
    ids = []
    for d in deliveries:
        fresh = send_again(d)
        audit.record(
            "webhook.send_again",
            request=request,
            account=d.account,
            obj=d,
            webhook_id=d.webhook.webhook_id,
            event=d.event,
            delivery=str(d.id),
        )
        ids.append(str(fresh.id))
    send_soon(ids)
    return len(ids)


@admin.action(description=gettext_lazy("Send the selected deliveries again"))
def send_again_action(modeladmin, request, queryset):
    count = _send_again(request, queryset.select_related("webhook", "account"))
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d delivery was sent again.", "%(count)d deliveries were sent again.", count
        )
        % {"count": count},
        messages.SUCCESS,
    )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: read-only (a delivery's page reads its times in its account's zone);
    "Send again" sends the same body (same id, same signature) with 24 more hours of tries."""

    list_display = [
        "created_at",
        "webhook",
        "event",
        "account",
        "status",
        "tries",
        "last_status_code",
        "answer_start",
        "last_try_at",
        "next_try_at",
        "delivered_at",
    ]
    list_filter = ["status", "event", "webhook"]
    search_fields = ["id", "webhook__webhook_id", "account__number"]
    list_select_related = ["webhook", "account"]
    date_hierarchy = "created_at"
    actions = [send_again_action]
    inlines = [AttemptInline]
    fields = [
        "id",
        "webhook",
        "event",
        "account",
        "status",
        "tries",
        "created_at",
        "last_try_at",
        "next_try_at",
        "give_up_at",
        "delivered_at",
        "last_status_code",
        "last_answer",
        "last_error",
        "body",
        "send_again_button",
    ]
    readonly_fields = fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_view_permission(request):
            actions.pop("send_again_action", None)
        return actions

    @admin.display(description=gettext_lazy("last answer"))
    def answer_start(self, obj: WebhookDelivery) -> str:
        text = obj.last_error or obj.last_answer
        return text[:80] + ("…" if len(text) > 80 else "")

    @admin.display(description=gettext_lazy("send again"))
    def send_again_button(self, obj: WebhookDelivery):
        url = reverse("admin:webhooks_webhookdelivery_send_again", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Send again"))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/send-again/",
                self.admin_site.admin_view(self.send_again_view),
                name="webhooks_webhookdelivery_send_again",
            )
        ] + super().get_urls()

    def send_again_view(self, request, object_id):
        delivery = self.get_object(request, unquote(object_id))
        if delivery is None or not self.has_view_permission(request, delivery):
            raise Http404
        page = reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk])
        if request.method == "POST":
            _send_again(request, [delivery])
            delivery.refresh_from_db()
            self.message_user(
                request,
                _("The delivery was sent again; its status: %(status)s.")
                % {"status": delivery.get_status_display()},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(page)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Send again"),
            "delivery": delivery,
            "opts": self.model._meta,
            "change_url": page,
        }
        return TemplateResponse(request, "admin/webhooks/webhookdelivery/send_again.html", context)
