from tests.access import AccessCase
from tests.calls.helpers import make_message


def _message(account):
    return {"message_id": make_message(account).message_id}


CASES = [
    AccessCase("inbox"),
    AccessCase("inbox_poll"),
    AccessCase("inbox_export", method="post", data={"format": "csv"}),
    AccessCase("message_detail", setup=_message),
    AccessCase(
        "message_confirm",
        setup=lambda account: {"message_id": make_message(account, urgent=True).message_id},
        method="post",
        member_status=302,
    ),
    AccessCase(
        "message_status",
        setup=_message,
        method="post",
        data={"status": "closed"},
        member_status=302,
    ),
]
