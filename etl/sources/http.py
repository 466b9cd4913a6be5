"""HTTP JSON API source: paginated GET with timeout, retries with backoff, ETag/Last-Modified, a field mapping."""
from __future__ import annotations

import json
import re
from typing import Iterator
from urllib.parse import urljoin

import pandas as pd
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from etl.sources.base import Batch, SourceError, require_columns, with_location

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


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


def _scalar(value):
    """A mapped field as a table cell: a dict or list where a scalar belongs becomes its JSON text, so that it
    is rejected with its row like any other bad value instead of breaking the batch."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value


class HttpJsonSource:
    """Pages through a JSON API: `?page=1,2,...` until an empty page (or follows a `next` link), maps each record
    with `fields` ({target column: path in record}) into observations or matter cases."""
    name = "http_json"

    def __init__(self, url: str, fields: dict[str, str], records: str = "$", kind: str = "observations",
                 params: dict | None = None, page_param: str | None = "page", page_start: int = 1,
                 page_size_param: str | None = None, page_size: int = 500, next_path: str | None = None,
                 max_pages: int = 1000, timeout: float = 10.0, retries: int = 3, backoff: float = 0.5,
                 headers: dict | None = None, is_demo: bool = False, retry_after_max: float = 60.0):
        self.url, self.fields, self.records, self.kind = url, fields, records, kind
        self.params = dict(params or {})
        self.page_param, self.page_start, self.page_size_param, self.page_size = page_param, page_start, page_size_param, page_size
        self.next_path, self.max_pages, self.timeout = next_path, max_pages, timeout
        self.headers, self.is_demo, self.key = dict(headers or {}), is_demo, url
        retry_options = dict(total=retries, connect=retries, read=retries, status=retries, backoff_factor=backoff,
                             status_forcelist=(429, 500, 502, 503, 504), allowed_methods=("GET",),
                             respect_retry_after_header=True, raise_on_status=False)
        try:  # urllib3 would otherwise honour a Retry-After of up to six hours, holding the job that long
            retry = Retry(**retry_options, retry_after_max=retry_after_max)
        except TypeError:  # an older urllib3 has no cap to set
            retry = Retry(**retry_options)
        self.session = requests.Session()
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))

    def _get(self, url: str, params: dict, headers: dict) -> requests.Response:
        try:
            resp = self.session.get(url, params=params, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SourceError(f"GET {url} failed: {exc}") from exc
        if resp.status_code == 304:
            return resp
        if resp.status_code >= 400:
            raise SourceError(f"GET {resp.url} answered HTTP {resp.status_code}")
        return resp

    def extract(self, state: dict) -> Iterator[Batch]:
        validators = state.get(self.url, {})
        url, params, page = self.url, dict(self.params), self.page_start
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
            try:
                body = resp.json()
            except ValueError as exc:
                raise SourceError(f"GET {resp.url} did not return JSON: {resp.text[:80]!r}") from exc
            items = pick(body, self.records) if self.records not in ("$", "") else body
            if not isinstance(items, list):
                raise SourceError(f"GET {resp.url}: no record list at {self.records!r}")
            if not items:
                return
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
