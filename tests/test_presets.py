"""portal.presets: which span a search form means, its radios or the dates typed beside them."""

import pytest

from portal.presets import WHOLE_PERIOD, effective_preset


def decide(data, typed_dates=False, typed_other=False):
    return effective_preset(
        data, default="hour", dates="dates", typed_dates=typed_dates, typed_other=typed_other
    )


@pytest.mark.parametrize(
    "data, typed_dates, typed_other, expected",
    [
        ({"preset": "3hours", "preset_shown": "hour"}, True, True, "3hours"),  # radio changed
        ({"preset": "hour", "preset_shown": "hour"}, True, False, "dates"),  # dates win
        ({"preset": "hour", "preset_shown": "hour"}, False, True, WHOLE_PERIOD),  # caller alone
        ({"preset": "3hours", "preset_shown": "3hours"}, False, True, "3hours"),  # kept choice
        ({"preset": "hour", "preset_shown": "hour"}, False, False, "hour"),  # nothing typed
        ({"preset_shown": "hour"}, False, False, "hour"),
        ({"preset": "hour"}, True, True, None),  # no preset_shown: the older reading
    ],
)
def test_the_rule(data, typed_dates, typed_other, expected):
    assert decide(data, typed_dates, typed_other) == expected
