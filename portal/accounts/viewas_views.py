"""The pages of staff "view as client" (accounts.viewas): the back office's confirmation
form, which asks for the reason, and the banner's "Stop viewing" button."""

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.accounts import viewas
from portal.accounts.signedout import signed_out


class ViewAsForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=viewas.REASON_MAX,
        help_text=gettext_lazy(
            "Why you view this account as the client: the ticket, or the client's request "
            "(for example “ticket 4521: the client cannot find a message”)."
        ),
        error_messages={
            "required": gettext_lazy(
                "Give the reason for viewing this account as the client (a ticket, a request)."
            )
        },
        widget=forms.TextInput(attrs={"size": 60, "autocomplete": "off"}),
    )

    def clean_reason(self):
        return viewas.clean_reason(self.cleaned_data["reason"])


class ViewAsAdmin:
    """For the client account's admin: a "View as client" page under each account
    (<pk>/view-as/), linked from the account's page (admin/accounts/account/change_form.html)."""

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_view_as"
        own = [
            path(
                "<path:object_id>/view-as/",
                self.admin_site.admin_view(self.view_as_view),
                name=name,
            )
        ]
        return own + super().get_urls()

    def view_as_view(self, request, object_id):
        account = self.get_object(request, unquote(object_id))
        if account is None:
            raise Http404
        if not self.has_view_permission(request, account) or not viewas.may_view_as(request.user):
            raise PermissionDenied
        form = ViewAsForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                viewas.start(request, account, form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_error("reason", error)
            else:
                return redirect("home", account_number=account.number)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "account": account,
            "form": form,
            "minutes": viewas.minutes(),
            "title": _("View %(account)s as the client") % {"account": account.label},
        }
        return TemplateResponse(request, "admin/accounts/account/view_as.html", context)


@require_POST
def stop(request):
    """The banner's "Stop viewing": the grant ends (recorded), back to the account in the
    back office."""
    if not request.user.is_authenticated:
        return signed_out(request)
    account = viewas.stop(request)
    if not request.user.is_staff:
        return redirect("root")
    if account is not None:
        return redirect("admin:accounts_account_change", account.pk)
    return redirect("admin:index")
