"""How a workbook becomes tables: every sheet read, the header found under its title block, sheets without a
table (notes, 说明, empty, hidden) skipped and named."""
from __future__ import annotations

import io
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from etl.sources.registers import EXPECTED, find_header, shape
from etl.sources.tables import HEAD_ROWS, FileRefused

def _cell_text(value, number_format: str):
    """A cell as the text a person sees: percent-formatted numbers keep their %, dates lose their midnight."""
    if value is None or isinstance(value, str):
        return value
    fmt = (number_format or "").lower()
    if isinstance(value, (datetime, date)) and not isinstance(value, time):
        day = value.date() if isinstance(value, datetime) else value
        has_time = isinstance(value, datetime) and value.time() != time(0)
        if has_time:
            return value.isoformat(sep=" ")
        if "d" not in fmt and "m" in fmt:
            return f"{day:%Y-%m}"
        if "d" not in fmt and "m" not in fmt and "y" in fmt:
            return f"{day:%Y}"
        return day.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if "%" in fmt:
            return f"{round(value * 100, 10)!r}%"
        return str(value)
    return str(value)


def _sheet_rows(ws) -> list[tuple[int, list]]:
    """(sheet row number, cell texts) of every row with something in it."""
    ws.reset_dimensions()  # some writers record a wrong sheet size
    rows = []
    for number, cells in enumerate(ws.iter_rows(min_row=1), start=1):  # gaps come as empty rows: count them
        texts = [_cell_text(c.value, getattr(c, "number_format", "")) for c in cells]
        if any(t is not None and str(t).strip() for t in texts):
            rows.append((number, texts))
    return rows


def _sheet(path: Path, ws) -> tuple[pd.DataFrame | None, str]:
    """The sheet's records, or None and why it holds no table."""
    if getattr(ws, "sheet_state", "visible") != "visible":
        return None, "hidden sheet"
    rows = _sheet_rows(ws)
    if not rows:
        return None, "empty"
    found = find_header([cells for _, cells in rows])
    if not found:
        return None, f"no header row in the first {HEAD_ROWS} rows ({EXPECTED})"
    at, header = found
    width = len(header.cells)
    body = rows[at + 1:]
    df = pd.DataFrame([(cells + [None] * width)[:width] for _, cells in body], columns=range(width), dtype=object)
    title = [cells for _, cells in rows[:at]]
    return shape(df, header, [n for n, _ in body], f"{path}#{ws.title}", f"sheet {ws.title}, row {rows[at][0]}",
                 title), ""


def read_workbook(path: Path) -> tuple[list[pd.DataFrame], list[tuple[str, str]]]:
    """One frame per sheet that holds a table, and (sheet, why) for each sheet skipped. A workbook where no sheet
    holds a table is refused, naming every sheet."""
    import openpyxl  # only file drops with workbooks pay for it

    try:  # from an open file: openpyxl refuses a name not ending .xlsx, and a workbook may come named .csv
        wb = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    except OSError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise FileRefused(f"unreadable workbook: {exc}; open it in Excel or WPS and save it again as .xlsx") from exc
    frames, skipped = [], []
    try:
        for ws in wb.worksheets:
            try:
                frame, why = _sheet(path, ws)
            except FileRefused:
                raise
            except Exception as exc:
                raise FileRefused(f"sheet {ws.title}: unreadable: {exc}") from exc
            if frame is None:
                skipped.append((ws.title, why))
            else:
                frames.append(frame)
        skipped += [(cs.title, "a chart sheet, no table") for cs in wb.chartsheets]
    finally:
        wb.close()
    if not frames:
        sheets = "; ".join(f"sheet {name}: {why}" for name, why in skipped) or "the workbook has no sheets"
        raise FileRefused(f"no sheet holds a table ({sheets})")
    return frames, skipped
