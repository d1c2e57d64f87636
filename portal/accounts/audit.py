"""The audit log: one function that every view, API endpoint and command calls."""

from typing import Any

from portal.accounts.models import Account, AuditLog, User


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    request=None,
    user: User | None = None,
    actor: str = "",
    account: Account | None = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    **detail: Any,
) -> AuditLog:
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    if not actor and user is not None:
        actor = user.get_username()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditLog.objects.create(
        user=user,
        actor=actor,
        account=account,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        ip=client_ip(request),
        detail=detail,
    )
