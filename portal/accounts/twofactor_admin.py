"""The back office's part of two-step verification: on a login's page, whether it is on and
a button to reset it (a lost phone), also as an action on the list of logins. Audited as
two_factor.reset (portal.accounts.twofactor.reset)."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal.accounts import twofactor


@admin.action(description=gettext_lazy("Reset two-step verification of the selected logins"))
def reset_two_factor(modeladmin, request, queryset):
    count = sum(1 for login in queryset if twofactor.reset(request, login))
    modeladmin.message_user(
        request,
        ngettext(
            "Two-step verification reset for %(count)d login.",
            "Two-step verification reset for %(count)d logins.",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )


class TwoFactorAdmin:
    """Mixed into the logins' admin (portal.accounts.admin.UserAdmin)."""

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/two-factor/reset/",
                self.admin_site.admin_view(self.two_factor_reset_view),
                name="accounts_user_two_factor_reset",
            )
        ]
        return urls + super().get_urls()

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_change_permission(request):
            actions["reset_two_factor"] = (
                reset_two_factor,
                "reset_two_factor",
                reset_two_factor.short_description,
            )
        return actions

    @admin.display(description=gettext_lazy("two-step verification"))
    def two_factor_status(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        state = twofactor.settings_state(obj, [m.account for m in obj.memberships.all()])
        if not state["on"]:
            if state["required"]:
                return _("Off (required: set up at the next sign-in)")
            return _("Off")
        url = reverse("admin:accounts_user_two_factor_reset", args=[obj.pk])
        return format_html(
            '{} · {} <a class="button" href="{}">{}</a>',
            _("On"),
            ngettext(
                "%(count)d recovery code left", "%(count)d recovery codes left", state["codes_left"]
            )
            % {"count": state["codes_left"]},
            url,
            _("Reset two-step verification"),
        )

    def two_factor_reset_view(self, request, object_id):
        login = self.get_object(request, unquote(object_id))
        if login is None or not self.has_change_permission(request, login):
            raise Http404
        change_url = reverse("admin:accounts_user_change", args=[login.pk])
        if request.method == "POST":
            if twofactor.reset(request, login):
                self.message_user(
                    request,
                    _(
                        "Two-step verification of %(login)s is reset: it signs in with its "
                        "password, and sets it up again where it is required."
                    )
                    % {"login": login.get_username()},
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    _("%(login)s had no two-step verification.") % {"login": login.get_username()},
                    messages.INFO,
                )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reset two-step verification"),
            "login": login,
            "opts": self.model._meta,
            "change_url": change_url,
            "on": twofactor.is_on(login),
        }
        return TemplateResponse(request, "admin/accounts/user/two_factor_reset.html", context)
