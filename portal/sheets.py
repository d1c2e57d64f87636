"""The one writer of every spreadsheet (.xlsx) and CSV file the portal produces.

Callers describe what to write — sheets of tables with typed columns — and this module
decides how: real Excel dates and durations (numbers with a number format, never text),
column widths from the content (capped), long text wrapped, a bold and frozen header row,
an optional totals row, and no cell ever stored as a formula. It knows nothing of the
portal's apps (they import it, never the reverse).

Values by type:
- ``str``: text. In a workbook every string is written as a string cell (openpyxl would
  make a formula of a string starting with "=", an error of "#N/A"); a string that a
  spreadsheet would read as a formula (= + - @ tab CR) also gets Excel's "quote prefix",
  so that editing the cell keeps it text. In a CSV file such a cell gets a leading
  apostrophe (OWASP's advice against CSV injection).
- ``datetime`` / ``date``: a date cell. An aware datetime is converted to the table's
  ``tz`` when one is given, then written at that wall-clock time without tzinfo (Excel has
  none): callers pass the account's zone or local times.
- ``timedelta``: a duration (a fraction of a day) with the column's duration format,
  ``[hh]:mm:ss`` by default.
- ``int`` / ``float`` / ``Decimal``: a number with the column's number format.
- ``Value(value, number_format)``: one cell whose format differs from its column's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import pickle
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

CAP = 60  # the widest a column gets, in characters
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # what .xlsx cannot hold
MAX_TEXT = 32767  # Excel's limit for one cell

DATETIME = "yyyy-mm-dd hh:mm:ss"
DATE = "yyyy-mm-dd"
DURATION = "[hh]:mm:ss"  # hours may pass 24
MINUTES_SECONDS = "[mm]:ss"  # minutes may pass 60 (the billed time, "01:45")
INTEGER = "0"
ONE_DECIMAL = "0.0"
TWO_DECIMALS = "0.00"

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Column:
    header: str
    number_format: str | None = None  # for its dates, durations and numbers
    wrap: bool = False  # wrap every text cell (long or multi-line text wraps anyway)


@dataclass(frozen=True)
class Value:
    """A cell with its own number format (e.g. a statistic with one decimal among
    whole numbers)."""

    value: Any
    number_format: str


@dataclass
class Table:
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    totals: Sequence[Sequence[Any]] = ()  # bold rows after a blank one, label first
    title: str | None = None  # a bold line above the header ("Per agent")
    tz: dt.tzinfo | None = None  # aware datetimes are shown in this zone


@dataclass
class Sheet:
    title: str
    tables: Sequence[Table]
    lines: Sequence[str] = field(default_factory=list)  # above the first table, first bold


# --- cells -------------------------------------------------------------------------------


def _plain(value: Any, tz: dt.tzinfo | None) -> Any:
    """The value as Excel can hold it: text cleaned, Decimal as float, datetimes naive."""
    if isinstance(value, Value):
        return Value(_plain(value.value, tz), value.number_format)
    if value is None or isinstance(value, (bool, int, float, dt.timedelta)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = (value.astimezone(tz) if tz is not None else value).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        return value
    return ILLEGAL.sub("", str(value))[:MAX_TEXT]


def _split(value: Any, column: Column | None) -> tuple[Any, str | None]:
    """(value, number format) of one cell."""
    if isinstance(value, Value):
        return value.value, value.number_format
    fmt = column.number_format if column is not None else None
    if isinstance(value, dt.datetime):
        return value, fmt if fmt and ("y" in fmt or "d" in fmt) else DATETIME
    if isinstance(value, dt.date):
        return value, fmt if fmt and ("y" in fmt or "d" in fmt) else DATE
    if isinstance(value, dt.timedelta):
        return value, fmt if fmt and fmt.startswith("[") else DURATION
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value, fmt
    return value, None


def duration_text(value: dt.timedelta, fmt: str | None = DURATION) -> str:
    seconds = int(round(value.total_seconds()))
    if fmt == MINUTES_SECONDS:
        return f"{seconds // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _places(fmt: str | None) -> int | None:
    if not fmt or not re.fullmatch(r"[#0,]*0(\.0+)?", fmt):
        return None
    return len(fmt.split(".")[1]) if "." in fmt else 0


def text_of(value: Any, fmt: str | None = None) -> str:
    """A value as the file shows it: what a CSV cell holds, what a column must fit."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S" if fmt != DATE else "%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.timedelta):
        return duration_text(value, fmt)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        places = _places(fmt)
        return f"{value:.{places}f}" if places is not None else str(value)
    return str(value)


def csv_safe(value: Any) -> str:
    """A CSV cell that no spreadsheet runs as a formula: a leading = + - @ tab or CR is
    quoted with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _width(value: Any, fmt: str | None) -> int:
    text = text_of(value, fmt)
    return max((len(line) for line in text.split("\n")), default=0)


# --- workbooks ---------------------------------------------------------------------------


class _Styles:
    """The few styles a workbook uses, each made once: a cell's style is one of a handful
    (format, bold, wrapped, quoted), so each new cell shares its ready style array."""

    def __init__(self, ws):
        from openpyxl.styles import Alignment, Font

        self.ws = ws
        self.bold = Font(bold=True)
        self.top = Alignment(vertical="top")
        self.wrap = Alignment(vertical="top", wrap_text=True)
        self.arrays: dict[tuple, Any] = {}

    def array(self, fmt: str | None, bold: bool, wrap: bool, quote: bool):
        key = (fmt, bold, wrap, quote)
        found = self.arrays.get(key)
        if found is None:
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(self.ws)
            cell.alignment = self.wrap if wrap else self.top
            if fmt:
                cell.number_format = fmt
            if bold:
                cell.font = self.bold
            if quote:
                cell.quotePrefix = True
            found = self.arrays[key] = cell._style
        return found


def _cell(ws, styles: _Styles, value: Any, fmt: str | None, *, bold=False, wrap=False):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula ("=…") nor an error ("#N/A")
        long = wrap or len(value) > CAP - 2 or "\n" in value
        cell._style = styles.array(None, bold, long, value.startswith(FORMULA_START))
    else:
        cell._style = styles.array(fmt, bold, False, False)
    return cell


SAFE_AS_IS = FORMULA_START + ("#",)  # what openpyxl would not take as text by itself


def _row(ws, styles: _Styles, cells: list, wraps: list[bool], bold: bool) -> list:
    """One row's cells. A plain string goes as it is (openpyxl stores it as text, and this
    is much faster); one that openpyxl would read as a formula or an error, a date, a
    number with a format, and every cell of a row with wrapped text (aligned at the top
    together) or in bold gets its own cell."""
    wrapped = any(
        isinstance(v, str) and (wrap or len(v) > CAP - 2 or "\n" in v)
        for (v, _f), wrap in zip(cells, wraps, strict=True)
    )
    out = []
    for (value, fmt), wrap in zip(cells, wraps, strict=True):
        if value is None:
            out.append(None)
        elif isinstance(value, str) and not (wrapped or bold or value.startswith(SAFE_AS_IS)):
            out.append(value)
        elif fmt is None and not (wrapped or bold or isinstance(value, str)):
            out.append(value)
        else:
            out.append(_cell(ws, styles, value, fmt, bold=bold, wrap=wrap))
    return out


def _prepare(sheet: Sheet, spool) -> tuple[list[int], int]:
    """Read every row once: clean it, measure it, keep it in `spool` (a file) so that the
    widths are known before the first row is written. Returns the widths and the number
    of data rows."""
    widths: list[int] = []

    def measure(i: int, n: int) -> None:
        while len(widths) <= i:
            widths.append(0)
        widths[i] = max(widths[i], n)

    count = 0
    for table in sheet.tables:
        columns = list(table.columns)
        for i, column in enumerate(columns):
            measure(i, len(column.header) + 3)  # bold
        for kind, rows in (("row", table.rows), ("total", table.totals)):
            for row in rows:
                cells = []
                for i, raw in enumerate(row):
                    column = columns[i] if i < len(columns) else None
                    value, fmt = _split(_plain(raw, table.tz), column)
                    measure(i, _width(value, fmt) + 2)
                    cells.append((value, fmt))
                pickle.dump((kind, cells), spool, protocol=pickle.HIGHEST_PROTOCOL)
                count += kind == "row"
        pickle.dump(("end", None), spool, protocol=pickle.HIGHEST_PROTOCOL)
    return [min(w, CAP) for w in widths], count


def _spooled(spool) -> Iterator[tuple[str, Any]]:
    while True:
        item = pickle.load(spool)
        yield item
        if item[0] == "end":
            return


def _write_sheet(wb, sheet: Sheet) -> int:
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title=_plain(sheet.title, None)[:31])
    styles = _Styles(ws)
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        widths, count = _prepare(sheet, spool)
        spool.seek(0)
        for i, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        row_number = 0
        lines = [_plain(line, None) for line in sheet.lines]
        frozen = False
        rows: list[list] = []
        for n, line in enumerate(lines):
            rows.append([_cell(ws, styles, line, None, bold=n == 0)])
        if lines:
            rows.append([])
        for t, table in enumerate(sheet.tables):
            if t:
                rows.append([])
            if table.title:
                rows.append([_cell(ws, styles, _plain(table.title, None), None, bold=True)])
            columns = list(table.columns)
            rows.append(
                [_cell(ws, styles, _plain(c.header, None), None, bold=True) for c in columns]
            )
            if not frozen:
                ws.freeze_panes = f"A{len(rows) + 1}"
                frozen = True
            for row in rows:
                ws.append(row)
            row_number += len(rows)
            rows = []
            first_total = True
            for kind, cells in _spooled(spool):
                if kind == "end":
                    break
                total = kind == "total"
                if total and first_total:
                    ws.append([])
                    first_total = False
                wraps = [i < len(columns) and columns[i].wrap for i in range(len(cells))]
                ws.append(_row(ws, styles, cells, wraps, bold=total))
        for row in rows:
            ws.append(row)
    return count


def write_xlsx(sheets: Sequence[Sheet], out) -> int:
    """Write the sheets as an .xlsx to a binary file object; returns the number of data
    rows (totals not counted). Rows are read once and need not fit in memory."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    count = sum(_write_sheet(wb, sheet) for sheet in sheets)
    wb.save(out)
    return count


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    out = io.BytesIO()
    write_xlsx(sheets, out)
    return out.getvalue()


# --- CSV ---------------------------------------------------------------------------------


def write_csv(table: Table, out) -> int:
    """Write the table as CSV (UTF-8 with a BOM, so that Excel reads accents) to a text file
    object: the header, the rows, then its totals after a blank line. Returns the number of
    data rows."""
    out.write("\ufeff")
    writer = csv.writer(out)
    columns = list(table.columns)
    writer.writerow([csv_safe(_plain(c.header, None)) for c in columns])
    count = 0

    def line(row):
        cells = []
        for i, raw in enumerate(row):
            value, fmt = _split(_plain(raw, table.tz), columns[i] if i < len(columns) else None)
            text = text_of(value, fmt)
            cells.append(csv_safe(text) if isinstance(value, str) else text)
        return cells

    for row in table.rows:
        writer.writerow(line(row))
        count += 1
    if table.totals:
        writer.writerow([])
        for row in table.totals:
            writer.writerow(line(row))
    return count
