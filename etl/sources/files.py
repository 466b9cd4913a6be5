"""File-drop source: CSV and XLSX files in the long format (indicator, period, scope, value[, unit, source, note])."""
from __future__ import annotations

import io
import shutil
from datetime import datetime
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
    """Text and the encoding that read it: UTF-8 (with or without BOM), else GB18030 (a superset of GBK)."""
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
        try:
            sheets = pd.read_excel(path, sheet_name=None, dtype=str, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many kinds for a broken workbook
            raise FileRefused(f"unreadable workbook: {exc}") from exc
        frames = []
        for name, df in sheets.items():
            if df.dropna(how="all").empty:
                continue
            frame = _frame(df, f"{path}#{name}", first_row=2)
            frame["_row"] = df.dropna(how="all").index.to_numpy() + 2
            frames.append(frame)
        if not frames:
            raise FileRefused("empty workbook: no sheet has rows")
        return frames
    text, _ = decode(path.read_bytes())
    if not text.strip():
        raise FileRefused("empty file")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""],
                         skipinitialspace=True, engine="c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise FileRefused(f"not a CSV table: {exc}") from exc
    frame = _frame(df, str(path), first_row=2)
    frame["_row"] = frame.index.to_numpy() + 2  # header is line 1
    return [frame]


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
                yield Batch("observations", str(path), refused=f"cannot open: {exc.strerror or exc}")
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
