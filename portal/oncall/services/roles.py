"""Who may change who is on call: client admins always; client users unless their account
makes the On Call page view-only for them (Account.oncall_users_may_change)."""

from __future__ import annotations


def may_change_oncall(membership) -> bool:
    """`membership` is the signed-in login's membership of the account (request.membership)."""
    if membership is None:
        return False
    return membership.is_admin or membership.account.oncall_users_may_change
