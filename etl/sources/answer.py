"""Reading a JSON answer: paths into it, the envelope's own code (HTTP 200 that says 系统繁忙), a page's fingerprint."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from etl.sources.base import SourceError

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
MESSAGE_PATHS = ("msg", "message", "errmsg")  # where Chinese government APIs put the reason, most common first


def pick(obj, path: str):
    """A JSON-path-like lookup: '$.data.items', 'stats.value', 'rows[0].v'; None when any step is missing."""
    path = path.removeprefix("$").lstrip(".")
    for name, index in _TOKEN.findall(path):
        if index:
            obj = obj[int(index)] if isinstance(obj, list) and int(index) < len(obj) else None
        else:
            obj = obj.get(name) if isinstance(obj, dict) else None
        if obj is None:
            return None
    return obj


def parse(data: bytes, content_type: str, where: str):
    """The answer's JSON. JSON is UTF-8 (a BOM as .NET and Java servers write it is fine) unless the answer names
    its charset; without one, requests would read text/plain as Latin-1 and Chinese names as mojibake. An HTML page
    (a gateway's error or login page answered with 200) is said to be one."""
    charset = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.IGNORECASE)
    try:
        text = data.decode(charset.group(1) if charset else "utf-8-sig")
    except (LookupError, UnicodeDecodeError):
        text = data.decode("gb18030", errors="replace")
    try:
        return json.loads(text.lstrip("\ufeff"))
    except ValueError:
        pass
    shown = re.sub(r"\s+", " ", text.strip())[:80]
    if "html" in (content_type or "").lower() or re.match(r"\s*<(?:!doctype|html)", text, re.IGNORECASE):
        raise SourceError(f"GET {where} did not return JSON but an HTML page (a gateway error or login page?): "
                          f"{shown!r}")
    raise SourceError(f"GET {where} did not return JSON: {shown!r}")


def fingerprint(records: list) -> str:
    """The same for two pages with the same set of records, whatever their order: how a page that repeats an
    earlier one (an API ignoring the page parameter) is recognised."""
    texts = sorted({json.dumps(r, sort_keys=True, ensure_ascii=False, default=str) for r in records})
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()


def _same(value) -> str:
    return str(value).strip().lower()  # 200 and "200", true and "True" are one code


@dataclass(frozen=True)
class Envelope:
    """`ok = { path = "code", values = [0, 200], message = "msg" }`: the answer's code at `path` must be one of
    `values`, else the run fails with the API's own message (at `message`, or the first of msg/message/errmsg)."""
    path: str | None = None
    values: tuple = ()
    messages: tuple[str, ...] = MESSAGE_PATHS

    @classmethod
    def from_option(cls, ok: dict | None) -> "Envelope":
        if ok is None:
            return cls()
        example = 'e.g. ok = { path = "code", values = [0, 200] }'
        if not isinstance(ok, dict) or set(ok) - {"path", "values", "message"}:
            raise SourceError(f"option ok takes path, values and message, {example}; got {ok!r}")
        values = ok.get("values")
        if not isinstance(ok.get("path"), str) or not ok["path"] or not isinstance(values, list) or not values:
            raise SourceError(f"option ok needs a path and a list of success values, {example}; got {ok!r}")
        return cls(ok["path"], tuple(values), (ok["message"],) if ok.get("message") else MESSAGE_PATHS)

    def check(self, body, where: str) -> None:
        if not self.path:
            return
        code = pick(body, self.path)
        if code is None:
            raise SourceError(f"GET {where}: the answer has no code at {self.path!r}")
        if _same(code) in {_same(v) for v in self.values}:
            return
        said = next((m for m in (pick(body, p) for p in self.messages) if m not in (None, "")), None)
        shown = code if isinstance(code, str) else json.dumps(code)
        raise SourceError(f"GET {where}: the API answered code {shown}" + (f": {str(said)[:200]}" if said else ""))
