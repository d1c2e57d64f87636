"""The on-call tests' clock: the tests written before the past became history (issue 12)
act on the seed's example (April and May 2023) as a schedule planned ahead, so they run with
the services' clock on 2023-01-01 (portal.clock), before its shifts, where every client
action is still allowed. Other tests keep the real clock (2023 is then the past), and a test
about the past moves the clock itself (`services.clock_at` / `services.set_clock`);
`@pytest.mark.real_clock` keeps the real one in the modules below too."""

import datetime as dt

import pytest

from portal.oncall import services

BEFORE_THE_SEED = dt.datetime(2023, 1, 1, 12, tzinfo=dt.UTC)


PLANNED_AHEAD = {
    "test_api",
    "test_back_office",
    "test_browser",
    "test_dst",
    "test_outputs",
    "test_page",
    "test_properties",
    "test_services",
}


@pytest.fixture(autouse=True)
def seed_clock(request):
    module = request.node.module.__name__.rsplit(".", 1)[-1]
    if module not in PLANNED_AHEAD or request.node.get_closest_marker("real_clock"):
        yield None
        return
    with services.clock_at(BEFORE_THE_SEED):
        yield BEFORE_THE_SEED
