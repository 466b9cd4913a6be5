"""File-drop source: CSV and XLSX files in the long format (indicator, period, scope, value[, unit, source, note])."""
from __future__ import annotations

import io
import shutil
from datetime import date, datetime, time
from pathlib import Path
from typing import Iterator

import pandas as pd

from etl.sources.base import Batch, with_location

REQUIRED = ("indicator", "period", "scope", "value")
HEADER_ALIASES = {
    "indicator": "indicator", "指标": "indicator", "指标代码": "indicator", "指标名称": "indicator",
    "period": "period", "期间": "period", "时期": "period", "年份": "period",
    "scope": "scope", "范围": "scope", "主体": "scope",
    "value": "value", "数值": "value", "值": "value",
    "unit": "unit", "单位": "unit",
    "source": "source", "来源": "source",
    "note": "note", "备注": "note",
}
SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
CHINESE = {"indicator": "指标", "period": "期间", "scope": "范围", "value": "数值"}


class FileRefused(Exception):
    """The file as a whole cannot be loaded; nothing of it is."""


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding that read it: UTF-8 (with or without BOM), else GB18030 (a superset of GBK);
    UTF-16 only with its BOM (Excel's "Unicode text"). NUL bytes mean a binary file, which GB18030 would
    otherwise happily decode into nonsense."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise FileRefused("unreadable: a binary file, not UTF-8 or GBK/GB18030 text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise FileRefused("unreadable: the file is neither UTF-8 nor GBK/GB18030 text")


def canonical_columns(columns) -> dict[str, str]:
    mapping = {}
    for col in columns:
        key = HEADER_ALIASES.get(str(col).strip().lstrip("\ufeff").casefold())
        if key and key not in mapping.values():
            mapping[col] = key
    return mapping


def _frame(df: pd.DataFrame, location: str, first_row: int) -> pd.DataFrame:
    mapping = canonical_columns(df.columns)
    missing = [c for c in REQUIRED if c not in mapping.values()]
    if missing:
        names = ", ".join(f"{c} ({CHINESE[c]})" for c in missing)
        raise FileRefused(f"required column missing: {names}")
    df = df[list(mapping)].rename(columns=mapping)
    df = df.dropna(how="all")
    return with_location(df, location, first_row)


def read_file(path: Path) -> list[pd.DataFrame]:
    """Raw records of one file, one frame per sheet; raises FileRefused for a file that cannot be read."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_workbook(path)
    text, _ = decode(path.read_bytes())
    if not text.strip():
        raise FileRefused("empty file")
    try:
        # Blank lines are kept (then dropped with their index) so that row numbers stay the file's line numbers.
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""],
                         skipinitialspace=True, skip_blank_lines=False, engine="c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise FileRefused(f"not a CSV table: {exc}") from exc
    frame = _frame(df, str(path), first_row=2)
    frame["_row"] = frame.index.to_numpy() + 2  # header is line 1
    return [frame]


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


def read_workbook(path: Path) -> list[pd.DataFrame]:
    """One frame per non-empty sheet, the first row its header; row numbers are the sheet's own."""
    import openpyxl  # only file drops with workbooks pay for it

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise FileRefused(f"unreadable workbook: {exc}") from exc
    frames = []
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()  # some writers record a wrong sheet size
            rows = [(cells[0].row, [_cell_text(c.value, getattr(c, "number_format", "")) for c in cells])
                    for cells in ws.iter_rows() if cells and any(c.value is not None for c in cells)]
            if not rows:
                continue
            (_, header), body = rows[0], rows[1:]
            width = len(header)
            df = pd.DataFrame([(cells + [None] * width)[:width] for _, cells in body],
                              columns=[h if h is not None else f"column {i + 1}" for i, h in enumerate(header)],
                              dtype=object)
            frame = _frame(df, f"{path}#{ws.title}", first_row=2)
            frame["_row"] = [number for number, _ in body]
            frames.append(frame)
    except FileRefused:
        raise
    except Exception as exc:
        raise FileRefused(f"unreadable workbook: {exc}") from exc
    finally:
        wb.close()
    if not frames:
        raise FileRefused("empty workbook: no sheet has rows")
    return frames


class FileDropSource:
    """Every CSV/XLSX file in `folder` (or the given `files`); loaded files go to processed/, refused ones to
    failed/ with a .error.txt beside them. Nothing is deleted."""
    name = "file_drop"

    def __init__(self, folder: str | None = None, files: list[str] | None = None, move: bool = True,
                 is_demo: bool = False):
        self.folder = Path(folder) if folder else None
        self.files = [Path(f) for f in files] if files else None
        self.move = move
        self.is_demo = is_demo
        self.key = str(self.folder or ",".join(map(str, self.files or [])))

    def paths(self) -> list[Path]:
        if self.files is not None:
            return self.files
        if not self.folder or not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)

    def extract(self, state: dict) -> Iterator[Batch]:
        for path in self.paths():
            try:
                frames = read_file(path)
            except FileRefused as exc:
                yield Batch("observations", str(path), refused=str(exc), is_demo=self.is_demo)
                continue
            except OSError as exc:
                yield Batch("observations", str(path), refused=f"cannot open: {exc.strerror or exc}",
                            is_demo=self.is_demo)
                continue
            for frame in frames:
                yield Batch("observations", str(path), frame, is_demo=self.is_demo)

    def finish(self, batches: list[Batch], committed: bool) -> None:
        if not (self.move and committed):
            return
        done = {}
        for b in batches:
            done[b.location] = done.get(b.location) or b.refused
        for location, refused in done.items():
            path = Path(location)
            if not path.exists():
                continue
            target_dir = path.parent / ("failed" if refused else "processed")
            target_dir.mkdir(exist_ok=True)
            target = target_dir / path.name
            if target.exists():
                target = target_dir / f"{path.stem}.{datetime.now():%Y%m%d%H%M%S%f}{path.suffix}"
            shutil.move(str(path), target)
            if refused:
                Path(f"{target}.error.txt").write_text(f"{refused}\n", encoding="utf-8")
