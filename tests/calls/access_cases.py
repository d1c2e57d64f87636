from tests.access import AccessCase
from tests.calls.helpers import add_recording, make_call


def _voice(account):
    return {"call_id": add_recording(make_call(account)).call_id}


def _transaction(account):
    return {"call_id": make_call(account, kind="transaction").call_id}


CASES = [
    AccessCase("calls"),
    AccessCase("calls_excel"),
    AccessCase("calls_email", method="post", data={"email": "not an address"}, member_status=302),
    AccessCase("calls_download", method="post", data={"ids": ["none"]}, member_status=302),
    AccessCase("call_details", setup=_transaction),
    AccessCase("call_voice", setup=_voice),
    AccessCase("call_recording", setup=_voice),
]
