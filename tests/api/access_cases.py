"""A client admin's API tokens on the Settings page (portal.api.client_views)."""

from tests.access import AccessCase


def _a_token(account) -> dict:
    from portal.api.services import create_token

    token, _raw = create_token("Clinic system", "client", [account])
    return {"token_id": token.pk}


CASES = [
    # A GET of the form's address goes back to Settings.
    AccessCase("client_token_create", member_status=302),
    # The member is a client admin: the answer page shows the new token once.
    AccessCase(
        "client_token_create",
        method="post",
        data={"name": "Clinic system", "accounts": ["4000"]},
        member_status=200,
    ),
    AccessCase("client_token_revoke", method="post", setup=_a_token, member_status=302),
]
