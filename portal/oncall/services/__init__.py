"""On-call services: the one code path for every change to schedules, shifts and who is on call.

Views, the API, the back office, commands and the demo seeder all call these functions.
Each one runs in its own transaction, writes a `ScheduleEvent` (who, when, what, before and
after) and refreshes the stored `OnCallInterval` rows of the shifts it touched, so that "who
is on call" is always a plain indexed look-up and always agrees with the history.

Rules:
- assignments are never edited or deleted: unassigning revokes (`revoked_at`);
- an override lies inside its shift, else nothing is saved;
- where overrides overlap, the newest wins; an override always wins over the base assignment;
- `Shift.version` is bumped on every change to who is on call; an action that names the
  version it saw is refused with `StaleShift` when someone else changed the shift meanwhile.
"""

# The package's modules, each small; every name is read from here, as before the split.
from portal.oncall.services.actions import (  # noqa: F401
    _assign_one,
    _end_bases,
    _grant,
    _who_state,
    assign,
    check_override_times,
    comment,
    override,
    swap,
    unassign,
    unassign_override,
)
from portal.oncall.services.base import (  # noqa: F401
    END_AFTER_SHIFT,
    END_BEFORE_START,
    OUT_OF_RANGE,
    OVERRIDE_FINISHED,
    REASON_REQUIRED,
    SHIFT_FINISHED,
    STALE,
    START_BEFORE_NOW,
    START_BEFORE_SHIFT,
    START_GRACE,
    SYSTEM,
    Actor,
    OnCallError,
    StaleShift,
    _actor,
    _assignment_state,
    _aware,
    _bump,
    _check_contact,
    _contact_state,
    _event,
    _from_now,
    _iso,
    _lock,
    _now,
    _past_reason,
    _refuse_finished,
    _revoke,
    _shift_state,
    _with_reason,
    active_base,
    active_overrides,
    clock_at,
    counting,
    set_clock,
)
from portal.oncall.services.contacts import (  # noqa: F401
    contact_removed,
    contact_restored,
)
from portal.oncall.services.coverage import (  # noqa: F401
    Gap,
    gaps,
    merge,
    schedule_coverage,
    seconds_within,
    uncovered,
)
from portal.oncall.services.engine import (  # noqa: F401
    Piece,
    refresh_intervals,
    resolve,
)
from portal.oncall.services.history import (  # noqa: F401
    history_events,
    history_shifts,
    mentions,
)
from portal.oncall.services.lookup import (  # noqa: F401
    _db_datetime,
    _on_call_entries,
    _on_call_rows,
    _on_call_sql,
    _prepared_cursor,
    _prepared_cursor_class,
    contact_json,
    covered,
    on_call_at,
    on_call_by_number,
    shifts_between,
    visible_schedules,
)
from portal.oncall.services.roles import may_change_oncall  # noqa: F401
from portal.oncall.services.structure import (  # noqa: F401
    _fit_assignments,
    add_local_days,
    copy_schedule,
    copy_shifts,
    delete_schedule,
    delete_shift,
    series,
    upsert_schedule,
    upsert_shift,
)
from portal.oncall.services.upcoming import (  # noqa: F401
    next_on_call,
)
from portal.oncall.services.warnings import (  # noqa: F401
    GAP_DAYS,
    DoubleBooking,
    GapLeft,
    assign_double_bookings,
    gaps_left,
    override_double_bookings,
    swap_double_bookings,
)
