"""The back office's part of the password reset: staff e-mail a login a reset link (the same
as "Forgot your password?" sends) instead of choosing its password; an action on the list of
logins. Each link sent is audited (password.reset_link_sent, by staff)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy, ngettext

from portal.accounts.reset import send_reset_link


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

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_change_permission(request):
            actions["send_reset_links"] = (
                send_reset_links,
                "send_reset_links",
                send_reset_links.short_description,
            )
        return actions
