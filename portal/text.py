"""Text at the edges: names that must stay on one line, and text written into e-mail headers
and calendar feeds.

A name (an account, a contact, a schedule, a shift, a role) is shown on one line and goes
into e-mail subjects and iCalendar lines, where a line break either breaks the format or
lets a sender add headers. So names are refused at the door when they hold a control
character (`validate_single_line`: the API's schemas, the back office's forms through the
models' ``clean``), and everything written into a header or a feed goes through
`single_line` / `multi_line`, so that a name stored before the check never causes an error.

Control characters here: C0 (U+0000–U+001F, tab, line feed and carriage return included),
DEL (U+007F), C1 (U+0080–U+009F, where NEL is a line break) and the Unicode line and
paragraph separators (U+2028, U+2029). This module imports nothing of the portal's apps.
"""

from __future__ import annotations

import re
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
CONTROL_RUN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# In multi-line text: every control character but the line feed (CR LF and CR become LF).
CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")

MESSAGE = _("Line breaks, tabs and other control characters are not allowed here.")
API_MESSAGE = "Line breaks, tabs and other control characters are not allowed here."


def has_control(value: str | None) -> bool:
    return bool(value) and CONTROL.search(value) is not None


def validate_single_line(value: str | None) -> None:
    """Django validator: refuse a value holding a control character."""
    if has_control(value):
        raise ValidationError(MESSAGE, code="control_characters")


def clean_single_line(instance, *fields: str) -> None:
    """For a model's ``clean``: a ValidationError naming each of `fields` that holds a
    control character (the back office shows it beside the field)."""
    errors = {
        name: ValidationError(MESSAGE, code="control_characters")
        for name in fields
        if has_control(getattr(instance, name, None))
    }
    if errors:
        raise ValidationError(errors)


def _pydantic_single_line(value: str | None) -> str | None:
    if has_control(value):
        raise PydanticCustomError("control_characters", API_MESSAGE)
    return value


# For the API's schemas: `name: SingleLine` (with Field(...) constraints beside it).
SingleLine = Annotated[str, AfterValidator(_pydantic_single_line)]


def single_line(value: object) -> str:
    """Text safe in an e-mail header or one iCalendar property: each run of control
    characters (a line break, a tab) becomes one space."""
    text = "" if value is None else str(value)
    return CONTROL_RUN.sub(" ", text).strip()


def multi_line(value: object) -> str:
    """Text that may keep its line breaks (a description): CR LF and CR become LF, every
    other control character goes."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n")
    return CONTROL_BUT_NEWLINE.sub("", text)
