from tests.access import AccessCase

CASES = [
    AccessCase("home"),
    AccessCase("settings"),
]
