"""The one reader of Excel workbooks (.xlsx, .xlsm).

Every table or export that arrives as a workbook is read here: the size of the
unpacked parts is checked before openpyxl inflates them (a zip bomb is refused
with a message), damaged files give an :class:`~rmresearch.errors.InputError`
naming the file, and the workbook's **date system** is reported with the cells.

Excel stores a date as a number of days since an origin. Workbooks saved with
the 1904 date system (old Mac Excel, and still an option in every Excel) count
from 1904-01-01 instead of 1899-12-30; openpyxl applies it to cells formatted as
dates, but a date column typed as plain numbers (a "General" column of serials)
is converted later, by the schema converter, which must use the same origin:
:func:`read_sheet` returns it beside the cells.

>>> excel_date_origin(1904)
Timestamp('1904-01-01 00:00:00')
>>> excel_date_origin(1900) + pd.Timedelta(days=45566)
Timestamp('2024-10-01 00:00:00')
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from ..errors import InputError

__all__ = ["EXCEL_SUFFIXES", "Sheet", "check_workbook_size", "excel_date_origin", "read_sheet", "sheet_names"]

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: Day 0 of each Excel date system (the 1900 system's origin is 1899-12-30 because of Lotus' leap-year bug).
_ORIGINS = {1900: pd.Timestamp("1899-12-30"), 1904: pd.Timestamp("1904-01-01")}


class Sheet(NamedTuple):
    """One worksheet: its cells (objects as openpyxl gives them, NaN when empty, no header applied) and the day
    that Excel serial number 0 stands for in this workbook's date system."""

    cells: pd.DataFrame
    date_origin: pd.Timestamp


def excel_date_origin(system: int = 1900) -> pd.Timestamp:
    """The date an Excel serial number counts from, for the 1900 or the 1904 date system."""
    try:
        return _ORIGINS[system]
    except KeyError:
        raise InputError(f"Excel date system {system!r} is unknown; workbooks use the 1900 or the 1904 system.") from None


def check_workbook_size(path: Path, limit: int) -> None:
    """Refuse an .xlsx whose parts unpack beyond ``limit`` bytes (a zip bomb) before openpyxl inflates them."""
    try:
        with zipfile.ZipFile(path) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot be read as an Excel workbook ({exc}). Open it in Excel and save it again.") from None
    if inflated > limit:
        raise InputError(f"{path}: the workbook unpacks to {inflated / 1e6:,.0f} MB, more than the {limit / 1e6:,.0f} MB limit "
                         "for an input table. Check that it is the right file; save the one sheet as CSV UTF-8.")


def _open(path: Path, limit: int) -> pd.ExcelFile:
    check_workbook_size(path, limit)
    try:
        return pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise InputError(f"{path}: cannot be read as an Excel workbook ({exc}).") from None


def _date_system(book) -> int:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    return 1904 if getattr(book, "epoch", None) == CALENDAR_MAC_1904 else 1900


def read_sheet(path: str | Path, *, sheet: str | int | None = 0, limit: int) -> Sheet:
    """Read one worksheet of a workbook (``sheet``: its name or position, first = 0) without interpreting it.

    ``limit`` is the most bytes the workbook's parts may unpack to. Raises
    :class:`~rmresearch.errors.InputError` for a damaged or oversized workbook and for a missing sheet.
    """
    path = Path(path)
    with _open(path, limit) as workbook:
        origin = excel_date_origin(_date_system(workbook.book))
        try:
            cells = pd.read_excel(workbook, sheet_name=sheet, header=None, dtype=object)
        except Exception as exc:  # a missing sheet (ValueError) or damaged parts (openpyxl's many kinds)
            raise InputError(f"{path}: cannot be read as an Excel workbook ({exc}).") from None
    return Sheet(cells, origin)


def sheet_names(path: str | Path, *, limit: int) -> list[str]:
    """Names of the workbook's sheets, first to last."""
    path = Path(path)
    with _open(path, limit) as workbook:
        return list(workbook.sheet_names)
