"""Back office: the accounts' directory contacts and the agents' information pages."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from portal.accounts import backoffice as text
from portal.directory.models import Contact, InfoPage
from portal.directory.services import ALLOWED_TAGS, delete_contact


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "phone1", "sms", "email", "external_id"]
    list_filter = ["account"]
    search_fields = ["name", "external_id", "email", "phone1", "phone2", "phone3", "sms"]
    list_select_related = ["account"]
    autocomplete_fields = ["account"]
    fields = ["account", "external_id", "name", "phone1", "phone2", "phone3", "sms", "email"]

    # Deleting goes through the same service as the API's DELETE: a soft delete (the history
    # keeps who it was), every shift or override it held a gap from now on. A deleted contact
    # is gone from the back office's list too.
    def get_queryset(self, request):
        return super().get_queryset(request).filter(removed_at=None)

    def delete_model(self, request, obj):
        delete_contact(obj, user=request.user, actor_name=request.user.get_username())

    def delete_queryset(self, request, queryset):
        for contact in queryset:
            self.delete_model(request, contact)


@admin.register(InfoPage)
class InfoPageAdmin(admin.ModelAdmin):
    list_display = ["title", "account", "position", "updated_at"]
    list_filter = ["account"]
    search_fields = ["title", "body", "account__number"]
    list_select_related = ["account"]
    autocomplete_fields = ["account"]
    fields = ["account", "title", "position", "body", "preview"]
    readonly_fields = ["preview"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        tags = ", ".join(f"<{t}>" for t in sorted(ALLOWED_TAGS))
        form.base_fields["body"].help_text = text.INFO_PAGE_HELP % {"tags": tags}
        form.base_fields["body"].widget.attrs.update({"rows": 18, "class": "vLargeTextField"})
        return form

    @admin.display(description=text.PREVIEW)
    def preview(self, obj: InfoPage):
        if not obj.body:
            return "—"
        # The body was sanitised on save (InfoPage.save), so it is safe to show as HTML.
        return format_html('<div class="info-page-preview">{}</div>', mark_safe(obj.body))
