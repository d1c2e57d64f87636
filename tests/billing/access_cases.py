from tests.access import AccessCase

CASES = [
    AccessCase("billing"),
    AccessCase("billable"),
    AccessCase("billable_export"),
    AccessCase(
        "billable_email", method="post", data={"email": "boss@example.com"}, member_status=302
    ),
]
