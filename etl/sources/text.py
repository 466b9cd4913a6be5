"""How a text file becomes a table: its encoding (UTF-8, GBK/GB18030, UTF-16), its delimiter (comma, tab,
semicolon, bar) and its header row under a title block, found together on the first lines only."""
from __future__ import annotations

import csv
import io
import re
import warnings
from pathlib import Path

import pandas as pd

from etl.sources.registers import EXPECTED, read_header, shape
from etl.sources.tables import HEAD_ROWS, FileRefused, is_note_row

DELIMITERS = (",", "\t", ";", "|")
LISTED_LINES = 10


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding that read it: UTF-8 (with or without BOM), else GB18030 (a superset of GBK);
    UTF-16 only with its BOM (Excel's "Unicode text"). NUL bytes mean a binary file, which GB18030 would
    otherwise happily decode into nonsense. Mostly UTF-8 with a few lines that are not: refused, by line."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise FileRefused("unreadable: a binary file, not UTF-8 or GBK/GB18030 text; save the table as .xlsx or "
                          ".csv")
    try:
        return data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError:
        pass
    bad = _mixed_lines(data)
    if bad:
        shown = ", ".join(map(str, bad[:LISTED_LINES])) + (f" and {len(bad) - LISTED_LINES} more"
                                                           if len(bad) > LISTED_LINES else "")
        raise FileRefused(f"line{'s' if len(bad) > 1 else ''} {shown} {'are' if len(bad) > 1 else 'is'} not UTF-8 "
                          "(GBK?) while the rest of the file is: save the whole file as UTF-8")
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise FileRefused("unreadable: the file is neither UTF-8 nor GBK/GB18030 text") from None


def _mixed_lines(data: bytes) -> list[int]:
    """Line numbers that are not UTF-8, when the file's other non-ASCII lines are: a file pasted together from
    two sources. A file that is GBK throughout (where a line may pass as UTF-8 by chance) gives []."""
    good, bad = 0, []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            bad.append(number)
    return bad if good >= len(bad) else []


def head_lines(text: str, n: int = HEAD_ROWS) -> list[str]:
    """The first n lines, without splitting the rest of a possibly huge text."""
    lines, start = [], 0
    while len(lines) < n and start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        lines.append(text[start:end].rstrip("\r"))
        start = end + 1
    return lines


def sniff(lines: list[str]):
    """(delimiter, header line index, header) for the first line that reads as a header with some delimiter;
    on that line the delimiter that splits it into more known columns wins. None when no line does."""
    for i, line in enumerate(lines):
        found = []
        for delimiter in DELIMITERS:
            if delimiter in line:
                header = _read_line(line, delimiter)
                if header:
                    found.append((sum(1 for n in header.names if n), delimiter, header))
        if found:
            _, delimiter, header = max(found, key=lambda f: f[0])
            return delimiter, i, header
    return None


def _read_line(line: str, delimiter: str):
    return read_header(next(csv.reader([line], delimiter=delimiter), []))


def read_text(path: Path, data: bytes) -> list[pd.DataFrame]:
    """Raw records of one delimited text file; raises FileRefused naming the line where it can."""
    text, _ = decode(data)
    if not text or text.isspace():  # isspace stops at the first letter; strip() would copy the whole text
        raise FileRefused("empty file")
    head = head_lines(text)
    found = sniff(head)
    if not found:
        raise FileRefused(f"no header row in the first {HEAD_ROWS} lines: {EXPECTED}")
    delimiter, at, header = found
    title = [next(csv.reader([line], delimiter=delimiter), []) for line in head[:at]]
    first = at + 2  # line number of the first body line
    try:
        # Blank lines are kept (then dropped with their index) so that row numbers stay the file's line numbers.
        # A line with more cells than the header is no warning to print and data to drop ('3,305' unquoted would
        # load as 3): it takes the slow path, which keeps it only when its extra cells are empty.
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(io.StringIO(text), sep=delimiter, skiprows=at + 1, header=None,
                             names=range(len(header.cells)), index_col=False, dtype=str, keep_default_na=False,
                             na_values=[""], skipinitialspace=True, skip_blank_lines=False, engine="c")
    except pd.errors.EmptyDataError:
        df = pd.DataFrame(columns=range(len(header.cells)), dtype=object)
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        df = _read_ragged(text, delimiter, at, len(header.cells), exc)
    rows = df.index.to_numpy() + first if "_line" not in df else df.pop("_line").to_numpy()
    return [shape(df, header, rows, str(path), f"line {at + 1}", title)]


def _read_ragged(text: str, delimiter: str, at: int, width: int, exc: Exception) -> pd.DataFrame:
    """The slow path for a body pandas will not split: a row with more cells than the header is kept when
    its extra cells are empty and skipped when it is a footnote; any other is refused by its line."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
    rows, lines = [], []
    for cells in reader:
        if reader.line_num <= at + 1:
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            if is_note_row(cells):
                continue
            raise FileRefused(f"line {reader.line_num}: {len(cells)} cells where the header has {width} "
                              "(a delimiter inside a value? put the value in double quotes)") from exc
        rows.append([c if c.strip() else None for c in (cells + [""] * width)[:width]])
        lines.append(reader.line_num)
    df = pd.DataFrame(rows, columns=range(width), dtype=object)
    df["_line"] = lines
    return df


def looks_like_workbook(data: bytes) -> str | None:
    """What a file that is not text really is, from its first bytes."""
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"  # an old .xls, or a password-protected .xlsx
    if re.match(rb"\s*<(?:!doctype|html|table|\?xml)", data[:200], re.IGNORECASE):
        return "html"
    return None
