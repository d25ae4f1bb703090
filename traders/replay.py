"""Recorded-HTTP transport for ccxt: answers an exchange instance's `fetch` from recorded responses.

For tests and demos only (accounts whose exchange id is "replay:<ccxt id>", allowed only when
settings.EXCHANGE_REPLAY_ENABLED, which defaults to DEBUG). Only the HTTP layer is replaced: ccxt still signs every
request, parses every response and maps every error, exactly as against the real exchange.

Recorded files have the form of ccxt's static test responses ({"exchange", "methods": {name: [case, ...]}}), each
case with the request path it answers ("url", relative to the API root) and its "httpResponse". A list response is
served as an exchange's server would: records filtered by the request's `from`/`to` (seconds) on the endpoint's
time field, newest first, at most `limit`.
"""

import json
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import ccxt
from django.conf import settings

# Which field of a record holds its time, per endpoint (seconds, possibly fractional).
TIME_FIELDS = {
    "my_trades_timerange": "create_time",
    "my_trades": "create_time",
    "position_close": "time",
    "account_book": "time",
}


@dataclass
class HttpError:
    """A recorded error answer: ccxt turns it into its exception exactly as from the network."""

    status: int
    body: dict
    reason: str = ""


@dataclass
class RecordedHttp:
    """A callable to put in place of `exchange.fetch`. `routes` maps a path suffix to a response."""

    exchange: ccxt.Exchange
    routes: dict = field(default_factory=dict)
    # path suffix -> list of (call number, answer) to inject: an HttpError or an exception instance
    failures: dict = field(default_factory=dict)
    calls: list = field(default_factory=list)
    latency_ms: int = 0  # each answer's simulated network delay (demos; tests that need a task to take a while)

    def route(self, path: str):
        for suffix in sorted(self.routes, key=len, reverse=True):
            if path.endswith(suffix):
                return suffix, self.routes[suffix]
        raise ccxt.ExchangeError(f"replay: no recorded response for {path}")

    def __call__(self, url, method="GET", headers=None, body=None):
        parsed = urlparse(url)
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        suffix, response = self.route(parsed.path)
        self.calls.append((method, parsed.path, query))
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        number = sum(1 for _, p, _q in self.calls if p.endswith(suffix))
        for at, answer in self.failures.get(suffix, []):
            if at == number:
                return self._fail(answer, url, method)
        if isinstance(response, HttpError):
            return self._fail(response, url, method)
        if callable(response):
            response = response(query)
        if isinstance(response, list):
            return serve_list(response, query, TIME_FIELDS.get(suffix.rsplit("/", 1)[-1]))
        return json.loads(json.dumps(response))

    def _fail(self, answer, url, method):
        if isinstance(answer, Exception):
            raise answer
        text = json.dumps(answer.body)
        # What ccxt's fetch does with a non-2xx response: the exchange's error map, then the HTTP status map.
        self.exchange.handle_errors(answer.status, answer.reason, url, method, {}, text, answer.body, {}, None)
        self.exchange.handle_http_status_code(answer.status, answer.reason, url, method, text)
        raise ccxt.ExchangeError(f"{self.exchange.id} {method} {url}")


def serve_list(records: list, query: dict, time_field: str | None) -> list:
    """Server-side paging of a recorded list: from <= time <= to (seconds, both inclusive), newest first, at most
    limit: the least convenient of the plausible server behaviours, so a client that pages correctly here pages
    correctly against any order."""
    rows = list(records)
    if time_field:
        key = lambda r: Decimal(str(r[time_field]))  # noqa: E731
        if "from" in query:
            rows = [r for r in rows if key(r) >= Decimal(query["from"])]
        if "to" in query:
            rows = [r for r in rows if key(r) <= Decimal(query["to"])]
        rows.sort(key=key, reverse=True)
    if "limit" in query:
        rows = rows[: int(query["limit"])]
    return json.loads(json.dumps(rows))


def cassette_routes(cassette: dict) -> dict:
    """{path suffix: httpResponse} from a recorded file's cases that name their url.

    A case with "httpStatus" (not 2xx) is a recorded error answer, its httpResponse the error body.
    """
    routes = {}
    for cases in cassette.get("methods", {}).values():
        for case in cases:
            if not case.get("url"):
                continue
            status = int(case.get("httpStatus", 200))
            routes[case["url"]] = case["httpResponse"] if status < 300 else HttpError(status, case["httpResponse"])
    return routes


def shared_static_routes() -> dict:
    """Real recorded Gate responses that the ingestion needs, from ccxt's own static fixture (MIT; shipped in data/)."""
    path = Path(settings.SNAPSHOT_DATA_DIR) / "ccxt-gate-static-response.json"
    static = json.loads(path.read_text())
    return {"/spot/currencies": static["methods"]["fetchCurrencies"][0]["httpResponse"]}


def replay_dir() -> Path:
    return Path(getattr(settings, "EXCHANGE_REPLAY_DIR", Path(settings.BASE_DIR) / "tests" / "fixtures" / "exchange"))


def replay_attach(*, exchange: ccxt.Exchange, cassette: dict | None = None, **kwargs) -> RecordedHttp:
    """Answer the exchange's HTTP from its recorded file (replay_dir()/<id>.json) or the cassette given."""
    if cassette is None:
        cassette = json.loads((replay_dir() / f"{exchange.id}.json").read_text())
    routes = {**(shared_static_routes() if exchange.id == "gate" else {}), **cassette_routes(cassette)}
    transport = RecordedHttp(exchange=exchange, routes=routes, **kwargs)
    exchange.fetch = transport
    return transport
