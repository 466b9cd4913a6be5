"""Sending one alert to one channel: (ok, error), never an exception.

E-mail and the generic JSON webhook go through Apprise (mailto:// / mailtos://, json:// / jsons://: its JSON
body carries version, title, message and type, plus our rule, key, kind and link as extra fields). DingTalk and
WeCom group robots are posted here with requests: Apprise's plugins for them fix the vendors' public hosts,
while a government deployment runs its own (COCKPIT_DINGTALK_BASE, COCKPIT_WECOM_BASE), and DingTalk's signed
robots need the timestamp and HMAC-SHA256 sign of the "加签" setting."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from urllib.parse import quote, urlencode, urlsplit

import apprise
import requests

TIMEOUT = 10  # seconds per message: a channel that hangs must not hold the check


def _env(name: str) -> str:
    return os.environ.get(name, "") if name else ""


def markdown(title: str, text: str, link: str, lang_zh: bool = True) -> str:
    more = "查看详情" if lang_zh else "Details"
    return f"### {title}\n\n{text}\n\n[{more}]({link})" if text else f"### {title}\n\n[{more}]({link})"


def configured(channel) -> bool:
    """Whether the channel's address (and token) settings are set: an unset one is skipped, not failed (the
    shipped data/alerts.toml names settings a deployment fills in)."""
    if channel.kind in ("dingtalk", "wecom"):
        return bool(_env(channel.token_env))
    return bool(channel.url or _env(channel.url_env))


def send(channel, settings, title: str, text: str, link: str, extra: dict, attach=None) -> tuple[bool, str]:
    try:
        if channel.kind == "dingtalk":
            return _dingtalk(channel, settings, title, text, link)
        if channel.kind == "wecom":
            return _wecom(channel, settings, title, text, link)
        return _apprise(channel, title, text, link, extra, attach if channel.kind == "email" else None)
    except Exception as exc:  # a bad host, a refused connection: recorded, the next channel still gets its message
        return False, f"{exc.__class__.__name__}: {exc}"[:500]


def _robot_answer(response) -> tuple[bool, str]:
    if response.status_code != 200:
        return False, f"HTTP {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        return False, "answer is not JSON"
    code = body.get("errcode", 0)
    return (code == 0, "" if code == 0 else f"errcode {code}: {body.get('errmsg', '')}")


def _dingtalk(channel, settings, title, text, link) -> tuple[bool, str]:
    token = _env(channel.token_env)
    if not token:
        return False, f"not configured: {channel.token_env or 'token_env'} is empty"
    params = {"access_token": token}
    secret = _env(channel.secret_env)
    if secret:  # 加签: timestamp in ms and the base64 HMAC-SHA256 of "timestamp\nsecret"
        stamp = str(round(time.time() * 1000))
        digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
        params.update(timestamp=stamp, sign=base64.b64encode(digest).decode())
    body = {"msgtype": "markdown", "markdown": {"title": title, "text": markdown(title, text, link, settings.language != "en")}}
    url = settings.dingtalk_base.rstrip("/") + "/robot/send?" + urlencode(params)
    return _robot_answer(requests.post(url, json=body, timeout=TIMEOUT))


def _wecom(channel, settings, title, text, link) -> tuple[bool, str]:
    key = _env(channel.token_env)
    if not key:
        return False, f"not configured: {channel.token_env or 'token_env'} is empty"
    body = {"msgtype": "markdown", "markdown": {"content": markdown(title, text, link, settings.language != "en")}}
    url = settings.wecom_base.rstrip("/") + "/cgi-bin/webhook/send?" + urlencode({"key": key})
    return _robot_answer(requests.post(url, json=body, timeout=TIMEOUT))


def apprise_url(channel, extra: dict) -> str:
    """The Apprise URL of an e-mail or webhook channel (secrets filled from their settings)."""
    url = channel.url or _env(channel.url_env)
    if not url:
        raise ValueError(f"not configured: channel {channel.name!r} has no url (or {channel.url_env or 'url_env'} is empty)")
    parts = urlsplit(url)
    if channel.kind == "webhook":
        scheme = {"http": "json", "https": "jsons"}.get(parts.scheme, parts.scheme)
        query = "&".join(f":{quote(k)}={quote(str(v), safe='')}" for k, v in extra.items())
        return f"{scheme}://{parts.netloc}{parts.path or '/'}" + (f"?{parts.query}&{query}" if parts.query else f"?{query}")
    password = _env(channel.password_env)
    auth = f"{quote(channel.user, safe='')}:{quote(password, safe='')}@" if channel.user else ""
    args = {"to": ",".join(channel.to), "from": channel.sender or "cockpit@localhost"}
    return f"{parts.scheme}://{auth}{parts.netloc}/?" + urlencode(args)


def _apprise(channel, title, text, link, extra, attach=None) -> tuple[bool, str]:
    url = apprise_url(channel, {**extra, "link": link})
    box = apprise.Apprise()
    if not box.add(url):
        return False, f"Apprise refused the {channel.kind} URL of channel {channel.name!r}"
    body = f"{text}\n\n{link}" if text else link
    ok = box.notify(title=title, body=body, attach=str(attach) if attach else None)  # a report: the PDF itself
    return (True, "") if ok else (False, f"{channel.kind} channel {channel.name!r} did not accept the message")
