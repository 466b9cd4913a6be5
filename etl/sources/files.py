"""File-drop source: CSV/text and XLSX files as county offices send them (title blocks, notes sheets, wide
year-by-column tables, GBK or UTF-16 text), read into the long format (indicator, period, scope, value[, unit,
source, note]). Reading a file into tables lives in text.py, workbook.py and tables.py; this module picks the
files up from the drop folder and moves them on."""
from __future__ import annotations

import logging
import re
import shutil
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from etl import clock
from etl.sources.base import Batch
from etl.sources.tables import CHINESE, HEADER_ALIASES, REQUIRED, FileRefused  # noqa: F401 (the reader's API)
from etl.sources.text import decode, looks_like_workbook, read_text  # noqa: F401
from etl.sources.workbook import read_workbook

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
BOOK_SUFFIXES = (".xlsx", ".xlsm")
SUFFIXES = TEXT_SUFFIXES + BOOK_SUFFIXES + (".xls",)  # an .xls is read when it is really text or a new workbook
SAVE_AS = "save it as .xlsx or .csv (UTF-8) and drop it again"
REFUSED_SUFFIXES = {
    ".ods": "an OpenDocument spreadsheet (.ods) is not read",
    ".numbers": "an Apple Numbers file is not read: export it to Excel (.xlsx)",
    ".json": "JSON is not read from the drop folder (the http_json source reads JSON)",
    ".xlsb": "a binary Excel workbook (.xlsb) is not read",
    ".et": "a WPS spreadsheet (.et) is not read",
}
# Not data: what editors, browsers and copy tools leave behind while they work, and what Windows adds to a share.
_IGNORED = re.compile(r"^(~.*|.*\.(tmp|temp|part|partial|crdownload|download|swp)|.*#|thumbs\.db|desktop\.ini)$",
                      re.IGNORECASE)


def read_table(path: Path) -> tuple[list[pd.DataFrame], list[tuple[str, str]]]:
    """Raw records of one file, one frame per table, and the sheets skipped (sheet, why); raises FileRefused
    for a file that cannot be read, with what to do about it."""
    suffix = path.suffix.lower()
    if suffix in REFUSED_SUFFIXES:
        raise FileRefused(f"{REFUSED_SUFFIXES[suffix]}: {SAVE_AS}")
    if suffix not in SUFFIXES:
        raise FileRefused(f"not a table file ({suffix or 'no suffix'}); the drop reads .csv, .txt, .tsv and .xlsx: "
                          f"{SAVE_AS}")
    data = path.read_bytes()
    kind = looks_like_workbook(data)
    if kind == "xlsx":
        return read_workbook(path)
    if kind == "ole":
        what = "an old Excel workbook (.xls)" if suffix != ".xlsx" else "a password-protected workbook"
        raise FileRefused(f"{what} is not read: {'remove the password and ' if suffix == '.xlsx' else ''}{SAVE_AS}")
    if kind == "html":
        raise FileRefused(f"a web page (HTML) saved as {suffix}, not a table file: open it in Excel or WPS and "
                          f"{SAVE_AS}")
    if suffix in BOOK_SUFFIXES:
        raise FileRefused(f"unreadable workbook: not an .xlsx inside; open it in Excel or WPS and {SAVE_AS}")
    return read_text(path, data), []


def read_file(path: Path) -> list[pd.DataFrame]:
    """Raw records of one file, one frame per table (sheet)."""
    return read_table(path)[0]


def ignored(path: Path) -> str | None:
    """Why the drop folder leaves this entry alone, or None: symlinks (never followed out of the folder),
    folders, hidden files, and the temporary and lock files of editors, browsers and copy tools."""
    if path.is_symlink():
        return "symlink"
    if not path.is_file():
        return "not a file"
    if path.name.startswith("."):
        return "hidden file"
    if _IGNORED.match(path.name):
        return "temporary or lock file"
    return None


class FileDropSource:
    """Every file in `folder` (or the given `files`); loaded files go to processed/, refused ones to failed/
    with a .error.txt beside them. Nothing is deleted. A file in the folder is picked up once it has been left
    alone for `settle_seconds` (its modification time that long before `now()`), so that one still being
    copied in is not read half-written; the next run takes it."""
    name = "file_drop"

    def __init__(self, folder: str | None = None, files: list[str] | None = None, move: bool = True,
                 is_demo: bool = False, settle_seconds: float = 5, now: Callable[[], float] = time.time):
        self.folder = Path(folder) if folder else None
        self.files = [Path(f) for f in files] if files else None
        self.move = move
        self.is_demo = is_demo
        self.settle_seconds = settle_seconds
        self.now = now
        self.key = str(self.folder or ",".join(map(str, self.files or [])))
        self.skipped: list[tuple[str, str]] = []  # (file#sheet or file, why) left out of the last run

    def paths(self) -> list[Path]:
        if self.files is not None:
            return self.files
        if not self.folder or not self.folder.is_dir():
            return []
        picked, now = [], self.now()
        for path in sorted(self.folder.iterdir()):
            try:
                why = ignored(path)
                if why is None and self.settle_seconds > 0 and now - path.stat().st_mtime < self.settle_seconds:
                    why = f"still being written (changed less than {self.settle_seconds:g} s ago)"
            except OSError:  # gone since the listing (moved by its sender): nothing to read
                continue
            if why is None:
                picked.append(path)
            elif why != "not a file":
                self.skipped.append((str(path), why))
        return picked

    def extract(self, state: dict) -> Iterator[Batch]:
        self.skipped = []
        for path in self.paths():
            try:
                frames, sheets = read_table(path)
            except FileRefused as exc:
                yield Batch("observations", str(path), refused=str(exc), is_demo=self.is_demo)
                continue
            except OSError as exc:
                yield Batch("observations", str(path), refused=f"cannot open: {exc.strerror or exc}",
                            is_demo=self.is_demo)
                continue
            self.skipped += [(f"{path}#{sheet}", why) for sheet, why in sheets]
            for frame in frames:  # a table is observations or, by its plan and target columns, targets
                yield Batch(frame.attrs.get("kind", "observations"), str(path), frame, is_demo=self.is_demo)
        for where, why in self.skipped:
            log.info("file drop %s: skipped %s: %s", self.key, where, why)

    def finish(self, batches: list[Batch], committed: bool) -> None:
        if not (self.move and committed):
            return
        done = {}
        for b in batches:
            done[b.location] = done.get(b.location) or b.refused
        for location, refused in done.items():
            path = Path(location)
            if not path.exists() or path.is_symlink():
                continue
            target_dir = path.parent / ("failed" if refused else "processed")
            target_dir.mkdir(exist_ok=True)
            target = target_dir / path.name
            if target.exists():
                target = target_dir / f"{path.stem}.{datetime.now(clock.zone()):%Y%m%d%H%M%S%f}{path.suffix}"
            shutil.move(str(path), target)
            if refused:
                Path(f"{target}.error.txt").write_text(f"{path.name}: {refused}\n", encoding="utf-8")
