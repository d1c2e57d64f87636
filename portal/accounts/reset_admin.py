"""The back office's part of the password reset: staff e-mail a login a reset link (the same
as "Forgot your password?" sends) instead of choosing its password: a button on the login's
page (with a confirmation) and an action on the list of logins. Each link sent is audited
(password.reset_link_sent, by staff)."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal.accounts.reset import send_reset_link

FIELD = "password_reset_link"


@admin.action(description=gettext_lazy("Send a password reset link to the selected logins"))
def send_reset_links(modeladmin, request, queryset):
    sent, without = 0, []
    for login in queryset:
        if send_reset_link(login, request=request, by_staff=True):
            sent += 1
        else:
            without.append(login.get_username())
    modeladmin.message_user(
        request,
        ngettext(
            "A password reset link was e-mailed to %(count)d login.",
            "A password reset link was e-mailed to %(count)d logins.",
            sent,
        )
        % {"count": sent},
        messages.SUCCESS,
    )
    if without:
        modeladmin.message_user(
            request,
            ngettext(
                "Not sent (no e-mail address, or inactive): %(names)s.",
                "Not sent (no e-mail address, or inactive): %(names)s.",
                len(without),
            )
            % {"names": ", ".join(without)},
            messages.WARNING,
        )


class ResetLinkAdmin:
    """Mixed into the logins' admin (portal.accounts.admin.UserAdmin)."""

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/password/send-link/",
                self.admin_site.admin_view(self.reset_link_view),
                name="accounts_user_password_reset_link",
            )
        ]
        return urls + super().get_urls()

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_change_permission(request):
            actions["send_reset_links"] = (
                send_reset_links,
                "send_reset_links",
                send_reset_links.short_description,
            )
        return actions

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        changed = []
        for name, options in fieldsets:
            fields = list(options.get("fields", []))
            if "password" in fields and FIELD not in fields:
                fields.insert(fields.index("password") + 1, FIELD)
            changed.append((name, {**options, "fields": fields}))
        return changed

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + [FIELD] if obj is not None else fields

    @admin.display(description=gettext_lazy("password reset by e-mail"))
    def password_reset_link(self, obj):
        if not obj.email:
            return _("No e-mail address: add one to send a reset link.")
        url = reverse("admin:accounts_user_password_reset_link", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Send a reset link"))

    def reset_link_view(self, request, object_id):
        login = self.get_object(request, unquote(object_id))
        if login is None or not self.has_change_permission(request, login):
            raise Http404
        change_url = reverse("admin:accounts_user_change", args=[login.pk])
        if request.method == "POST":
            if send_reset_link(login, request=request, by_staff=True):
                self.message_user(
                    request,
                    _("A password reset link was e-mailed to %(login)s at %(email)s.")
                    % {"login": login.get_username(), "email": login.email},
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    _("Not sent: %(login)s has no e-mail address, or is inactive.")
                    % {"login": login.get_username()},
                    messages.WARNING,
                )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Send a reset link"),
            "login": login,
            "opts": self.model._meta,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/accounts/user/password_reset_link.html", context)
