"""Forms of the accounts app: the client's password change and the back office's new login."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Account, Membership, User


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form (old password required), with wording of our own."""

    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": _("Your current password is not correct. Please enter it again."),
        "password_mismatch": _("The two new passwords differ. Please type the same one twice."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Current password")
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("New password (again)")


class ClientUserCreationForm(auth_forms.UserCreationForm):
    """The back office's "add login" form: the accounts and role come with the user name.

    The login itself is created by `portal.accounts.users.create_client_user` (see the admin),
    the same function as the `create_client_user` command.
    """

    accounts = forms.ModelMultipleChoiceField(
        Account.objects.all(),
        required=False,
        label=_("client accounts"),
        help_text=_("The accounts this login may see. Leave empty for a staff login."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    role = forms.ChoiceField(choices=Membership.ROLES, initial=Membership.USER, label=_("role"))
    is_staff = forms.BooleanField(
        required=False,
        label=_("staff status"),
        help_text=_("Staff of the answering service: may use this back office."),
    )

    class Meta:
        model = User
        fields = ("username",)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("accounts") and not cleaned.get("is_staff"):
            raise ValidationError(
                _("Choose at least one client account, or make this a staff login.")
            )
        return cleaned
