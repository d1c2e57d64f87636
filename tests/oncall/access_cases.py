from tests.access import AccessCase


def _shift(account):
    from tests.oncall.helpers import seed_schedule

    _schedule, _first, second, _anthony, _luc = seed_schedule(account)
    return {}


CASES = [
    AccessCase("oncall", setup=_shift),
    AccessCase("oncall_assign"),
    AccessCase("oncall_override"),
    AccessCase("oncall_unassign"),
    AccessCase("oncall_swap"),
    AccessCase("oncall_comment"),
    AccessCase("oncall_assign", method="post", setup=_shift),
    AccessCase("oncall_history", setup=_shift),
    AccessCase("oncall_history_csv", setup=_shift),
    AccessCase("oncall_history_xlsx", setup=_shift),
    AccessCase("oncall_pdf", setup=_shift),
    AccessCase("oncall_feeds"),
]
