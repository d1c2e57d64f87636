"""Which time span a search form means: its preset radios or the dates typed beside them.

The rule (the call log's; the inbox may use it too). A form draws, beside its preset radios, a
hidden input `preset_shown` holding the preset that was checked when the page was drawn. On
submit:

1. the person changed the radio (preset != preset_shown): the chosen preset wins;
2. otherwise typed dates or times win (the form's "specific dates" preset);
3. otherwise, when other criteria are typed and the radio was left on the form's default
   preset, the whole period kept is searched (no date bounds: WHOLE_PERIOD);
4. otherwise the radio as it stands (the default on a fresh page).

A request without `preset_shown` (an old bookmark, a hand-written link) is not judged by this
rule: `effective_preset` answers None and the form keeps its older reading.
"""

from collections.abc import Mapping

SHOWN = "preset_shown"
WHOLE_PERIOD = "whole-period"


def typed(data: Mapping, names) -> bool:
    """Whether any of the fields `names` holds something other than blanks."""
    return any(str(data.get(name) or "").strip() for name in names)


def effective_preset(
    data: Mapping,
    *,
    default: str,
    dates: str,
    typed_dates: bool,
    typed_other: bool,
    field: str = "preset",
) -> str | None:
    """The preset the submitted `data` means (see the module's rule): a preset's value,
    `dates`, WHOLE_PERIOD, or None when `data` has no `preset_shown` (the older reading)."""
    if SHOWN not in data:
        return None
    shown = data.get(SHOWN) or ""
    chosen = data.get(field) or ""
    if chosen and chosen != shown:
        return chosen
    if typed_dates:
        return dates
    current = chosen or shown or default
    if typed_other and current == default:
        return WHOLE_PERIOD
    return current
