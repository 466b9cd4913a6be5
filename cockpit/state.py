"""The drill-down pages' URL state, as a pure module (no Dash, no Flask): every view is a path plus a query (lang,
from, to, indicator, sort, matter, firm), parsed and validated here (a bad value is a BadParam → the 400 page) and
written back into hrefs; components and pages both import it."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, fields, replace
from urllib.parse import quote, urlencode

from cockpit.i18n import DEFAULT, LANGS, t

YEAR = re.compile(r"^[0-9]{4}$")  # ASCII digits only: \d also matches full-width ones, which compare wrongly
SHOWN = 80  # characters of a bad value a message repeats (a 3 MB value is not echoed into the page)
MAX_PATH = 256  # a drill view's path: three codes of at most 64 characters
CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
FIRST_YEAR, LAST_YEAR = 1990, 2100
QUERY_KEYS = ("lang", "from", "to", "indicator", "sort", "matter", "firm")  # the order hrefs write them in


class BadInput(ValueError):
    """A value the client sent that the server cannot use: a 400, never a 500 (cockpit.web.hardening answers a
    callback that raises it with 400; any other exception in a callback is the server's own bug, a 500)."""


class BadParam(BadInput):
    """A query value the page cannot understand (the 400 page): a label key of cockpit.i18n and its values, so
    the page says what is wrong in the page's language; str() is the English text (logs, tests)."""

    def __init__(self, key: str, **values):
        self.key = key
        self.values = {k: _shown(v) for k, v in values.items()}
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        return t(self.key, lang).format(**self.values)


def _shown(value):
    return value[:SHOWN] + "…" if isinstance(value, str) and len(value) > SHOWN else value


class Missing(LookupError):
    """A code in the path that names nothing (the 404 page)."""


@dataclass(frozen=True)
class State:
    """One drill-down view: the path and the query values that differ from the defaults."""
    path: str = "/"
    lang: str = DEFAULT
    start: str | None = None  # first year shown (query `from`)
    end: str | None = None    # last year shown (query `to`)
    indicator: str | None = None
    sort: str | None = None
    matter: str | None = None
    firm: str | None = None

    def query(self) -> dict:
        values = {"lang": None if self.lang == DEFAULT else self.lang, "from": self.start, "to": self.end,
                  "indicator": self.indicator, "sort": self.sort, "matter": self.matter, "firm": self.firm}
        return {k: values[k] for k in QUERY_KEYS if values[k]}

    def href(self, path: str | None = None, **changes) -> str:
        """This view's URL, or a neighbour's: another path keeps lang and the period; `changes` override."""
        base = self if path is None else State(path=path, lang=self.lang, start=self.start, end=self.end)
        state = replace(base, **changes)
        query = urlencode(state.query())
        return quote(state.path, safe="/.-_~") + (f"?{query}" if query else "")

    def to_dict(self) -> dict:
        return asdict(self)


def _one(value, name: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, list):  # ?from=2020&from=2021
        raise BadParam("bad_repeated", name=name, n=len(value))
    return str(value).strip()


def _ascii_digits(value: str) -> str:
    """Any script's decimal digits as ASCII ones (٢٠٢٠ and ２０２０ are 2020), so one year is one view and one
    cache key however it was typed; other characters stay as they are (and fail the YEAR pattern)."""
    return "".join(str(unicodedata.decimal(c)) if not c.isascii() and c.isdecimal() else c for c in value)


def _year(value, name: str) -> str | None:
    value = _one(value, name)
    if value is None:
        return None
    value = _ascii_digits(value)
    if not YEAR.match(value) or not FIRST_YEAR <= int(value) <= LAST_YEAR:
        raise BadParam("bad_year", name=name, value=value)
    return value


def _code(value, name: str, allowed=None) -> str | None:
    value = _one(value, name)
    if value is None:
        return None
    if not CODE.match(value) or (allowed is not None and value not in allowed):
        raise BadParam("bad_value", name=name, value=value)
    return value


def parse(path: str, query: dict, *, indicators=None, sorts=None) -> State:
    """The State of `path` with the layout's query kwargs; raises BadParam naming the first bad value."""
    lang = _one(query.get("lang"), "lang") or DEFAULT
    if lang not in LANGS:
        raise BadParam("bad_lang", value=lang)
    start, end = _year(query.get("from"), "from"), _year(query.get("to"), "to")
    if start and end and start > end:
        raise BadParam("bad_span", start=start, end=end)
    return State(path=path, lang=lang, start=start, end=end,
                 indicator=_code(query.get("indicator"), "indicator", indicators),
                 sort=_code(query.get("sort"), "sort", sorts),
                 matter=_code(query.get("matter"), "matter"), firm=_code(query.get("firm"), "firm"))


def lang_only(query: dict) -> str:
    """The language of a page whose other parameters are bad (the 400 page still speaks the asked language)."""
    lang = query.get("lang")
    return lang if lang in LANGS else DEFAULT


NAMES = {f.name for f in fields(State)}


def from_dict(data: dict | None) -> State:
    """The State a page stored in the browser (dcc.Store), sent back by a callback: checked like a URL, since the
    client can send anything (BadInput for what no page wrote)."""
    data = data or {}
    if not isinstance(data, dict) or not set(data) <= NAMES \
            or not all(v is None or isinstance(v, str) for v in data.values()):
        raise BadInput("the view's state is not one a page wrote")
    path = data.get("path") or "/"
    if len(path) > MAX_PATH or not path.startswith("/"):
        raise BadInput("the view's path is not one a page wrote")
    query = {"lang": data.get("lang"), "from": data.get("start"), "to": data.get("end"), "sort": data.get("sort"),
             "indicator": data.get("indicator"), "matter": data.get("matter"), "firm": data.get("firm")}
    return parse(path, query)


def period_href(data: dict, start, end) -> str | None:
    """The URL after the period filter changed to [start, end] (swapped when reversed); None when unchanged."""
    state = from_dict(data)
    start, end = (str(start) if start else None), (str(end) if end else None)
    if start and end and start > end:
        start, end = end, start
    if (start, end) == (state.start, state.end):
        return None
    return state.href(start=start, end=end)


def clicked(click) -> str | None:
    """The code a chart click carries (its point's customdata), or None."""
    try:
        value = click["points"][0]["customdata"]
    except (TypeError, KeyError, IndexError):
        return None
    value = value[0] if isinstance(value, list) else value
    return str(value) if value is not None and CODE.match(str(value)) else None
