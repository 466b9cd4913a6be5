"""HTTP JSON API source: paged GETs (bounded: a repeated page or too many fail the run), the envelope's code,
ETag/Last-Modified, a field mapping; each GET's deadline, retries and Retry-After are etl.sources.fetch's."""
from __future__ import annotations

import json
import time
from typing import Callable, Iterator
from urllib.parse import urljoin

import pandas as pd
import requests
from urllib3.util.retry import Retry

from etl.sources.base import Batch, SourceError, require_columns, with_location
from etl.sources.answer import Envelope, fingerprint, parse, pick
from etl.sources.fetch import Fetcher


def _scalar(value):
    """A mapped field as a table cell: a dict or list where a scalar belongs becomes its JSON text, so that it
    is rejected with its row like any other bad value instead of breaking the batch."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value


class HttpJsonSource:
    """Pages through a JSON API: `?page=1,2,...` until an empty page (or follows a `next` link), maps each record
    with `fields` ({target column: path in record}) into observations or matter cases. Each GET is complete within
    `timeout` s, the whole run within `run_deadline` s; a page that repeats an earlier one, or `max_pages` pages
    without an end, fail the run; `ok` names the envelope's code and its success values."""
    name = "http_json"

    def __init__(self, url: str, fields: dict[str, str], records: str = "$", kind: str = "observations",
                 params: dict | None = None, page_param: str | None = "page", page_start: int = 1,
                 page_size_param: str | None = None, page_size: int = 500, next_path: str | None = None,
                 max_pages: int = 200, timeout: float = 10.0, retries: int = 3, backoff: float = 0.5,
                 headers: dict | None = None, is_demo: bool = False, retry_after_max: float | None = None,
                 run_deadline: float = 300.0, ok: dict | None = None, max_bytes: int = 64 << 20,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.url, self.fields, self.records, self.kind = url, fields, records, kind
        self.params = dict(params or {})
        self.page_param, self.page_start, self.page_size_param, self.page_size = page_param, page_start, page_size_param, page_size
        self.next_path, self.max_pages, self.timeout, self.ok = next_path, max_pages, timeout, ok
        self.headers, self.is_demo, self.key = dict(headers or {}), is_demo, url
        retry = Retry(total=retries, connect=retries, read=retries, status=retries, backoff_factor=backoff,
                      status_forcelist=(429, 500, 502, 503, 504), allowed_methods=("GET",),
                      respect_retry_after_header=True, raise_on_status=False)
        self.fetcher = Fetcher(timeout, run_deadline, retry, retry_after_max, max_bytes, clock, sleep)

    def _get(self, url: str, params: dict, headers: dict) -> requests.Response:
        resp = self.fetcher.get(url, params, headers)
        if resp.status_code >= 400:
            raise SourceError(f"GET {resp.url} answered HTTP {resp.status_code}")
        return resp

    def extract(self, state: dict) -> Iterator[Batch]:
        envelope = Envelope.from_option(self.ok)
        self.fetcher.start()
        validators = state.get(self.url, {})
        url, params, page = self.url, dict(self.params), self.page_start
        seen: dict[str, int] = {}  # the fingerprint of each page's records → the page it was first seen on
        for n in range(self.max_pages):
            following = bool(self.next_path) and n > 0  # a next link carries its own query string
            if self.page_param and not self.next_path:
                params[self.page_param] = page
            if self.page_size_param and not following:
                params[self.page_size_param] = self.page_size
            headers = dict(self.headers)
            if n == 0:
                if validators.get("etag"):
                    headers["If-None-Match"] = validators["etag"]
                if validators.get("last_modified"):
                    headers["If-Modified-Since"] = validators["last_modified"]
            resp = self._get(url, params, headers)
            if resp.status_code == 304:
                return  # unchanged since the last successful run
            if n == 0:
                state[self.url] = {k: v for k, v in (("etag", resp.headers.get("ETag")),
                                                       ("last_modified", resp.headers.get("Last-Modified"))) if v}
            body = parse(resp.content, resp.headers.get("Content-Type", ""), resp.url)
            envelope.check(body, resp.url)
            items = pick(body, self.records) if self.records not in ("$", "") else body
            if not isinstance(items, list):
                found = "nothing" if items is None else f"an object with keys {', '.join(map(str, list(items)[:8]))}" \
                    if isinstance(items, dict) else f"a {type(items).__name__}"
                raise SourceError(f"GET {resp.url}: no record list at {self.records!r} (found {found}); "
                                  "set records to the path of the list")
            if not items:
                return
            repeated = seen.setdefault(fingerprint(items), n + 1)
            if repeated != n + 1:
                raise SourceError(f"GET {resp.url}: page {n + 1} repeats page {repeated} (the same records): "
                                  f"{self._looping()}; stopped rather than read it again and again")
            location = resp.url
            frame = pd.DataFrame([{col: _scalar(pick(item, path)) if isinstance(item, dict) else None
                                   for col, path in self.fields.items()} for item in items],
                                 columns=list(self.fields))
            require_columns(frame, self.kind, f"GET {self.url}: fields")
            yield Batch(self.kind, location, with_location(frame, location), is_demo=self.is_demo)
            if self.next_path:
                link = pick(body, self.next_path)
                if not link or not isinstance(link, str):
                    return
                url, params = urljoin(resp.url, link), {}  # next links are often relative
            elif self.page_param:
                page += 1
            else:
                return
        raise SourceError(f"GET {self.url}: no last page after max_pages={self.max_pages} pages; "
                          "raise max_pages if the API really has more")

    def _looping(self) -> str:
        if self.next_path:
            return f"the next link at {self.next_path!r} leads back to a page already read"
        return f"the API seems to ignore the page parameter {self.page_param!r}"
