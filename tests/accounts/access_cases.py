from tests.access import AccessCase

CASES = [
    AccessCase("home"),
    AccessCase("settings"),
]

# Two-step verification (portal.accounts.twofactor_views), for a login that has not turned
# it on: the setup page shows; the codes page has no new codes to show; the actions go back
# to Settings.
CASES += [
    AccessCase("two_factor_setup_account"),
    AccessCase("two_factor_codes_account", member_status=302),
    AccessCase("two_factor_new_codes", method="post", member_status=302),
    AccessCase("two_factor_off", method="post", data={"password": "x"}, member_status=302),
]
