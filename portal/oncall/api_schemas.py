"""The on-call API's bodies and answers (portal/oncall/api.py), as the OpenAPI document
shows them: each answer is what the endpoint's code builds (shift_state, _warnings,
services.contact_json and the look-up's entries)."""

import datetime as dt
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from portal.api.ingest import BatchCounts
from portal.text import SingleLine

# --- Bodies ----------------------------------------------------------------------------

Name = Annotated[SingleLine, Field(min_length=1, max_length=200)]
VERSION = "the shift's `version` you saw; 409 if someone changed the shift since"


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="ignore", title="ScheduleIn")
    name: Name


class ShiftIn(BaseModel):
    model_config = ConfigDict(extra="ignore", title="ShiftIn")
    start: AwareDatetime
    end: AwareDatetime
    rank: Annotated[int, Field(ge=0)] = 0
    name: Annotated[SingleLine, Field(min_length=1, max_length=100)] = "Rotation"
    role: Annotated[SingleLine, Field(min_length=1, max_length=32)] = "OC"


class AssignmentIn(BaseModel):
    model_config = ConfigDict(extra="ignore", title="AssignmentIn")
    contact: Annotated[str, Field(min_length=1, max_length=64)]
    comment: Annotated[str, Field(max_length=2000)] = ""
    recurring_until: dt.date | None = None
    version: int | None = Field(None, description=VERSION)


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="ignore", title="OverrideIn")
    contact: Annotated[str, Field(min_length=1, max_length=64)]
    start: AwareDatetime
    end: AwareDatetime
    comment: Annotated[str, Field(max_length=2000)] = ""
    version: int | None = Field(None, description=VERSION)


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="ignore", title="CommentIn")
    comment: Annotated[str, Field(min_length=1, max_length=2000)]


class SwapIn(BaseModel):
    model_config = ConfigDict(extra="ignore", title="SwapIn")
    shifts: Annotated[list[str], Field(min_length=2, max_length=2)]


# --- Answers ---------------------------------------------------------------------------


class ContactOut(BaseModel):
    model_config = ConfigDict(title="OnCallContact")
    id: str
    name: str
    phones: list[str]
    sms: str | None
    email: str | None


class EntryOut(BaseModel):
    schedule: str
    schedule_name: str
    shift: str
    shift_id: str
    role: str
    rank: int
    start: str
    end: str
    source: Literal["override", "assignment", "unassigned"]
    on_call_from: str
    on_call_until: str
    contact: ContactOut | None


class OnCallOut(BaseModel):
    account: str
    at: str
    covered: bool = Field(
        description="true when at least one entry has a contact; false where nobody is on "
        "call (every entry unassigned, or no shift covers `at`: `entries` is [])"
    )
    entries: list[EntryOut]


class OverrideState(BaseModel):
    override_id: int
    contact: ContactOut | None
    start: str
    end: str
    comment: str


class ShiftState(BaseModel):
    """A shift as it is after the change: its version (send it back as `version`), times,
    base contact (null: nobody) and overrides."""

    shift_id: str
    version: int
    start: str
    end: str
    rank: int
    name: str
    role: str
    contact: ContactOut | None
    overrides: list[OverrideState]


class DoubleBooking(BaseModel):
    contact: str
    shift: str
    role: str
    other_schedule: str
    other_shift: str
    other_role: str
    start: str
    end: str


class Gap(BaseModel):
    shift: str | None
    start: str
    end: str


class Warnings(BaseModel):
    """What the On Call page would warn of; they never block a change."""

    double_bookings: list[DoubleBooking] = Field(
        description="the contact is on call in two roles at once"
    )
    gaps: list[Gap] = Field(description="stretches of the next days left with nobody on call")


class ScheduleOut(BatchCounts):
    schedule: str
    name: str


class ShiftOut(BatchCounts):
    shift: ShiftState


class ScheduleRemoved(BaseModel):
    schedule: str
    deleted: bool


class ShiftRemoved(BaseModel):
    shift: str
    deleted: bool


class Assigned(BaseModel):
    assigned: list[str] = Field(description="the shifts assigned (with recurring_until, more)")
    shift: ShiftState
    warnings: Warnings


class ShiftChanged(BaseModel):
    shift: ShiftState
    warnings: Warnings


class OverrideCreated(BaseModel):
    override_id: int
    shift: ShiftState
    warnings: Warnings


class CommentOut(BaseModel):
    comment: str
    at: str


class Swapped(BaseModel):
    shifts: list[ShiftState]
    warnings: Warnings
