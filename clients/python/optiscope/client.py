"""Optiscope Python client: log DSPy prompt-optimization runs to an Optiscope server.

The core client needs nothing beyond the Python standard library (``pip install
./clients/python``); ``optiscope.dspy`` adds the DSPy integration (extra ``[dspy]``).

    from optiscope import Optiscope

    client = Optiscope("http://127.0.0.1:3000", "osk_...")
    with client.run("miprov2 gsm8k", "miprov2", config={"model": "gpt-4o-mini"}) as run:
        for trial in range(10):
            run.log_iteration(trial, score=0.5 + trial / 40, params={"trial": trial})
            run.log_samples([{"sample_index": i, "score": 1.0} for i in range(20)], iteration=trial)

Python arguments are snake_case; the client turns the top-level keys of what it sends
into the API's camelCase (``final_score`` -> ``finalScore``). Keys inside your own JSON
(``config``, ``params``, ``program_state``, ``metadata``, sample inputs and outputs) are
sent exactly as given. Responses are returned as the API sends them: plain dicts with
camelCase keys (``run["finalScore"]``), the same documents curl shows.

Every write is idempotent, so the client retries 429 (honouring Retry-After), 5xx and
connection errors with exponential backoff and jitter:

* ``create_run`` always sends a client-generated run id (uuid4): a retried create
  returns the run the first attempt created instead of creating a second one;
* iterations are upserted on their number, samples on (iteration, sample_index);
* updates set fields to values (a retried PATCH sets the same values again).

Other 4xx errors are not retried. Every error raises ``OptiscopeError`` with the HTTP
status and the API's ``{"error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import email.utils
import http.client
import json
import math
import os
import random
import re
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Union

__all__ = [
    "Optiscope",
    "OptiscopeError",
    "OptiscopeConnectionError",
    "RunLogger",
    "MAX_SAMPLES_PER_REQUEST",
    "MAX_ITERATIONS_PER_REQUEST",
]

__version__ = "0.2.0"

# The API's limits (lib/supabase-optimization/schemas.ts).
MAX_SAMPLES_PER_REQUEST = 5000
MAX_ITERATIONS_PER_REQUEST = 1000
# The server refuses bodies over API_MAX_BODY_BYTES (10 MiB by default): batches are
# also split so that no request body exceeds this many bytes.
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024

DEFAULT_URL = "http://127.0.0.1:3000"
API_PREFIX = "/api/v1"

# Longest wait the client accepts from a Retry-After header (seconds).
MAX_RETRY_AFTER = 120.0
# Longest exponential backoff step (seconds).
MAX_BACKOFF = 30.0

JsonDict = Dict[str, Any]


class OptiscopeError(Exception):
    """An error answer of the API (or a request that never got one).

    ``status`` is the HTTP status (``None`` when no answer arrived), ``code`` the API's
    error code (``validation_failed``, ``not_found``, ``forbidden``, ``rate_limited``, ...),
    ``message`` its message and ``details`` its details (for ``validation_failed``:
    ``{"issues": [{"path": ..., "message": ...}]}``).
    """

    def __init__(
        self,
        status: Optional[int],
        code: str,
        message: str,
        details: Any = None,
        request_id: Optional[str] = None,
        method: Optional[str] = None,
        url: Optional[str] = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.request_id = request_id
        self.method = method
        self.url = url
        where = f" ({method} {url})" if method and url else ""
        super().__init__(f"{status if status is not None else '-'} {code}: {message}{where}")

    @property
    def issues(self) -> List[JsonDict]:
        """The field problems of a ``validation_failed`` error (empty otherwise)."""
        if isinstance(self.details, dict) and isinstance(self.details.get("issues"), list):
            return list(self.details["issues"])
        return []


class OptiscopeConnectionError(OptiscopeError):
    """No HTTP answer: the server could not be reached or did not answer in time."""


# --- key and value conversion -------------------------------------------------------

_SNAKE = re.compile(r"_([a-z0-9])")


def _camel(key: str) -> str:
    """``final_score`` -> ``finalScore``; camelCase keys pass through unchanged."""
    return _SNAKE.sub(lambda m: m.group(1).upper(), key)


def _camel_keys(fields: Mapping[str, Any]) -> JsonDict:
    """Top-level keys to camelCase; values (the caller's own JSON) are left alone."""
    out: JsonDict = {}
    for key, value in fields.items():
        name = _camel(key)
        if name in out:
            raise ValueError(f"field {name!r} is given twice (as {key!r} and another spelling)")
        out[name] = value
    return out


def _timestamp(value: Any) -> Any:
    """datetimes to ISO 8601 with an offset (a naive datetime is taken as UTC)."""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return value.isoformat()
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day, tzinfo=_dt.timezone.utc).isoformat()
    return value


def _json_default(value: Any) -> Any:
    """Makes common non-JSON values (numpy scalars, datetimes, sets, dataclasses,
    pydantic models) JSON; anything else becomes its ``str()``."""
    if isinstance(value, (_dt.datetime, _dt.date)):
        return _timestamp(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    for method in ("item", "tolist", "model_dump", "toDict", "to_dict"):
        fn = getattr(value, method, None)
        if callable(fn):
            try:
                return fn()
            except Exception:  # pragma: no cover - best effort only
                pass
    return str(value)


def _dumps(body: Any) -> bytes:
    try:
        return json.dumps(body, default=_json_default, allow_nan=False, ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8"
        )
    except ValueError as error:
        # NaN and infinities are not JSON (a metric that returned nan): say so clearly
        raise ValueError(f"cannot send a NaN or infinite number to Optiscope ({error}); use None instead") from error


def _json_value(value: Any) -> str:
    """A config filter value as JSON, so the server keeps its type (10 vs "10")."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("config filter values must be finite numbers")
    if value is not None and not isinstance(value, (str, int, float, bool)):
        raise ValueError(f"config filter values must be strings, numbers, booleans or None, got {type(value).__name__}")
    return json.dumps(value)


def _flatten_config(config: Mapping[str, Any], prefix: str = "") -> List[tuple]:
    """{"miprov2": {"num_candidates": 10}} -> [("miprov2.num_candidates", 10)]."""
    out: List[tuple] = []
    for key, value in config.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            out.extend(_flatten_config(value, path))
        else:
            out.append((path, value))
    return out


def _as_list(value: Any) -> List[Any]:
    if value is None:
        return []
    if isinstance(value, (str, bytes)):
        return [value]
    return list(value)


def _retry_after_seconds(header: Optional[str]) -> Optional[float]:
    if header is None:
        return None
    header = header.strip()
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return max(0.0, (when - _dt.datetime.now(_dt.timezone.utc)).total_seconds())


# --- the client ---------------------------------------------------------------------


class Optiscope:
    """A client of one Optiscope server, authenticated with a project API key.

    ``base_url`` and ``api_key`` default to the ``OPTISCOPE_URL`` and ``OPTISCOPE_API_KEY``
    environment variables (and ``http://127.0.0.1:3000``). ``timeout`` is per attempt, in
    seconds. A failed attempt is retried up to ``max_retries`` times, waiting
    ``backoff * 2**attempt`` seconds with full jitter (or what Retry-After asks).
    """

    def __init__(
        self,
        base_url: Optional[str] = None,
        api_key: Optional[str] = None,
        timeout: float = 30,
        max_retries: int = 5,
        backoff: float = 0.5,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        user_agent: Optional[str] = None,
    ) -> None:
        url = base_url if base_url is not None else os.environ.get("OPTISCOPE_URL") or DEFAULT_URL
        url = url.strip().rstrip("/")
        if url.endswith(API_PREFIX):
            url = url[: -len(API_PREFIX)]
        if not re.match(r"^https?://", url):
            raise ValueError(f"base_url must start with http:// or https://, got {url!r}")
        self.base_url = url
        self.api_key = api_key if api_key is not None else os.environ.get("OPTISCOPE_API_KEY") or None
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_body_bytes = max_body_bytes
        self.user_agent = user_agent or f"optiscope-python/{__version__} (Python {sys.version_info[0]}.{sys.version_info[1]})"
        # replaceable in tests
        self._sleep = time.sleep
        self._random = random.random

    def __repr__(self) -> str:
        return f"Optiscope({self.base_url!r})"

    # --- transport ----------------------------------------------------------------

    def run_url(self, run_id: str) -> str:
        """The dashboard page of a run."""
        return f"{self.base_url}/runs/{run_id}"

    def _url(self, path: str, query: Optional[Sequence[tuple]] = None) -> str:
        url = f"{self.base_url}{API_PREFIX}{path}"
        pairs = [(k, v) for k, v in (query or []) if v is not None]
        if pairs:
            url += "?" + urllib.parse.urlencode(pairs)
        return url

    def _backoff_delay(self, attempt: int) -> float:
        # full jitter: a random wait between 0 and the exponential step
        return min(MAX_BACKOFF, self.backoff * (2 ** attempt)) * self._random()

    def _request(
        self,
        method: str,
        path: str,
        query: Optional[Sequence[tuple]] = None,
        body: Any = None,
        *,
        missing_ok_on_retry: bool = False,
        encoded: Optional[bytes] = None,
    ) -> Any:
        """Sends one API request, retrying what is safe to retry. Returns the parsed
        JSON answer (None for 204). ``encoded``: ``body`` already as JSON bytes."""
        url = self._url(path, query)
        data = encoded if encoded is not None else None if body is None else _dumps(body)
        headers = {"Accept": "application/json", "User-Agent": self.user_agent}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"

        attempt = 0
        while True:
            try:
                return self._send(method, url, data, headers)
            except OptiscopeError as error:
                if missing_ok_on_retry and attempt > 0 and error.status == 404:
                    # an earlier attempt did it; its answer was lost on the way back
                    return None
                retryable = isinstance(error, OptiscopeConnectionError) or error.status == 429 or (
                    error.status is not None and error.status >= 500
                )
                if not retryable or attempt >= self.max_retries:
                    raise
                wait = getattr(error, "_retry_after", None)
                if wait is None:
                    wait = self._backoff_delay(attempt)
                else:
                    wait = min(wait, MAX_RETRY_AFTER)
                attempt += 1
                self._sleep(wait)

    def _send(self, method: str, url: str, data: Optional[bytes], headers: Dict[str, str]) -> Any:
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
                if response.status == 204 or not raw:
                    return None
                return json.loads(raw.decode("utf-8"))
        except urllib.error.HTTPError as http_error:
            raise self._http_error(method, url, http_error) from None
        except (urllib.error.URLError, http.client.HTTPException, socket.timeout, OSError) as error:
            reason = getattr(error, "reason", error)
            raise OptiscopeConnectionError(None, "connection_error", f"{type(reason).__name__}: {reason}", method=method, url=url) from None
        except ValueError as error:  # a 2xx answer that is not JSON
            raise OptiscopeError(None, "invalid_response", f"the server's answer is not JSON ({error})", method=method, url=url) from None

    @staticmethod
    def _http_error(method: str, url: str, http_error: urllib.error.HTTPError) -> OptiscopeError:
        status = http_error.code
        try:
            raw = http_error.read()
        except Exception:  # pragma: no cover - the connection broke while reading
            raw = b""
        finally:
            http_error.close()
        code, message, details = f"http_{status}", http_error.reason or "HTTP error", None
        try:
            payload = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            payload = None
        if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
            err = payload["error"]
            code = str(err.get("code") or code)
            message = str(err.get("message") or message)
            details = err.get("details")
        elif raw:
            message = raw.decode("utf-8", errors="replace").strip()[:500] or str(message)
        error = OptiscopeError(
            status, code, str(message), details, request_id=http_error.headers.get("x-request-id"), method=method, url=url
        )
        error._retry_after = _retry_after_seconds(http_error.headers.get("retry-after"))  # type: ignore[attr-defined]
        return error

    # --- runs -----------------------------------------------------------------------

    def create_run(
        self,
        run_name: str,
        optimizer_type: str,
        config: Optional[Mapping[str, Any]] = None,
        tags: Optional[Sequence[str]] = None,
        id: Optional[str] = None,
        **fields: Any,
    ) -> JsonDict:
        """Creates a run and returns it. Other fields: description, status, metadata,
        started_at, ended_at, initial_score, final_score, best_score, samples_*,
        error_message, project_id (an API key's own project by default).

        A uuid4 run id is generated here unless ``id`` is given, so a retried create
        returns the run it created the first time."""
        body = _camel_keys(fields)
        body.update(
            id=str(id) if id is not None else str(uuid.uuid4()),
            runName=run_name,
            optimizerType=optimizer_type,
        )
        if config is not None:
            body["config"] = dict(config)
        if tags is not None:
            body["tags"] = _as_list(tags)
        for key in ("startedAt", "endedAt"):
            if key in body:
                body[key] = _timestamp(body[key])
        return self._request("POST", "/runs", body=body)

    def get_run(self, run_id: str) -> JsonDict:
        return self._request("GET", f"/runs/{_seg(run_id)}")

    def update_run(self, run_id: str, **fields: Any) -> JsonDict:
        """Updates fields of a run (run_name, status, config, metadata, tags, scores,
        counters, error_message, ...). Status only moves forward."""
        if not fields:
            raise ValueError("update_run needs at least one field")
        body = _camel_keys(fields)
        for key in ("startedAt", "endedAt"):
            if key in body:
                body[key] = _timestamp(body[key])
        return self._request("PATCH", f"/runs/{_seg(run_id)}", body=body)

    def start_run(self, run_id: str, **fields: Any) -> JsonDict:
        """Marks a run running (sets started_at)."""
        return self.update_run(run_id, status="running", **fields)

    def finish_run(
        self,
        run_id: str,
        status: str = "completed",
        final_score: Optional[float] = None,
        **fields: Any,
    ) -> JsonDict:
        """Finishes a run: completed (default), failed or cancelled; sets ended_at."""
        if final_score is not None:
            fields["final_score"] = final_score
        return self.update_run(run_id, status=status, **fields)

    def delete_run(self, run_id: str) -> None:
        """Deletes a run with its iterations and samples."""
        self._request("DELETE", f"/runs/{_seg(run_id)}", missing_ok_on_retry=True)

    def list_runs(
        self,
        *,
        status: Union[str, Sequence[str], None] = None,
        optimizer_type: Union[str, Sequence[str], None] = None,
        tags: Union[str, Sequence[str], None] = None,
        config: Optional[Mapping[str, Any]] = None,
        min_score: Optional[float] = None,
        max_score: Optional[float] = None,
        search: Optional[str] = None,
        created_after: Any = None,
        created_before: Any = None,
        order_by: Optional[str] = None,
        order_direction: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        project_id: Optional[str] = None,
    ) -> JsonDict:
        """One page of runs: ``{"data": [...], "nextCursor", "total", "totalIsExact"}``.

        ``config`` filters on config values with their JSON type kept: a dict of dotted
        paths (``{"miprov2.num_candidates": 10}``) or nested dicts
        (``{"miprov2": {"num_candidates": 10}}``); 10 and "10" are different filters.
        ``tags``: runs carrying all of them. ``status``/``optimizer_type``: any of them.
        """
        query: List[tuple] = []
        if project_id is not None:
            query.append(("projectId", project_id))
        for value in _as_list(status):
            query.append(("status", value))
        for value in _as_list(optimizer_type):
            query.append(("optimizerType", value))
        for value in _as_list(tags):
            query.append(("tags", value))
        for path, value in _flatten_config(config or {}):
            query.append((f"config.{path}", _json_value(value)))
        if min_score is not None:
            query.append(("minScore", repr(float(min_score))))
        if max_score is not None:
            query.append(("maxScore", repr(float(max_score))))
        if search is not None:
            query.append(("search", search))
        if created_after is not None:
            query.append(("createdAfter", _timestamp(created_after)))
        if created_before is not None:
            query.append(("createdBefore", _timestamp(created_before)))
        if order_by is not None:
            query.append(("orderBy", _snake(order_by)))
        if order_direction is not None:
            query.append(("orderDirection", order_direction))
        if limit is not None:
            query.append(("limit", str(int(limit))))
        if cursor is not None:
            query.append(("cursor", cursor))
        return self._request("GET", "/runs", query=query)

    def iter_runs(self, **filters: Any) -> Iterator[JsonDict]:
        """Every run matching the filters of ``list_runs``, following ``nextCursor``
        (``limit`` is the page size, 100 by default)."""
        filters.setdefault("limit", 100)
        filters.pop("cursor", None)
        cursor: Optional[str] = None
        # Defensive: a page that starts with runs already yielded (seen with ascending
        # created_at order, whose cursor loses sub-millisecond precision on the server)
        # must not yield them twice, and a cursor that does not move must not loop.
        seen = set()
        while True:
            page = self.list_runs(cursor=cursor, **filters)
            for run in page.get("data", []):
                if run.get("id") in seen:
                    continue
                seen.add(run.get("id"))
                yield run
            next_cursor = page.get("nextCursor")
            if not next_cursor:
                return
            if next_cursor == cursor:
                raise OptiscopeError(
                    None,
                    "pagination_stalled",
                    "the server returned the same nextCursor twice; use a larger limit or another order",
                )
            cursor = next_cursor

    def summary(self, run_id: str) -> JsonDict:
        """Scores, best iteration, sample and cost totals of a run."""
        return self._request("GET", f"/runs/{_seg(run_id)}/summary")

    # --- iterations -----------------------------------------------------------------

    def log_iteration(
        self,
        run_id: str,
        iteration: int,
        score: Optional[float] = None,
        params: Optional[Mapping[str, Any]] = None,
        program_state: Any = None,
        **fields: Any,
    ) -> JsonDict:
        """Records (or replaces) iteration ``iteration`` of a run. Other fields:
        program_hash, samples_evaluated, latency_ms, tokens, cost_usd, duration_ms."""
        body = _iteration_body(iteration, score, params, program_state, fields)
        return self._request("POST", f"/runs/{_seg(run_id)}/iterations", body=body)

    def log_iterations(self, run_id: str, items: Iterable[Mapping[str, Any]]) -> List[JsonDict]:
        """Records many iterations (dicts with snake_case or camelCase keys), sent in
        requests of at most 1,000. Returns the stored iterations."""
        bodies = []
        for item in items:
            fields = dict(item)
            if "iteration" not in fields:
                raise ValueError("every iteration needs an 'iteration' number")
            iteration = fields.pop("iteration")
            score = fields.pop("score", None)
            params = fields.pop("params", None)
            program_state = fields.pop("program_state", fields.pop("programState", None))
            bodies.append(_iteration_body(iteration, score, params, program_state, fields))
        stored: List[JsonDict] = []
        for chunk in self._chunks(bodies, MAX_ITERATIONS_PER_REQUEST):
            page = self._request("POST", f"/runs/{_seg(run_id)}/iterations", body=chunk)
            stored.extend(page.get("data", []))
        return stored

    def list_iterations(self, run_id: str) -> List[JsonDict]:
        """Every iteration of a run in order."""
        return self._request("GET", f"/runs/{_seg(run_id)}/iterations").get("data", [])

    # --- samples --------------------------------------------------------------------

    def log_samples(
        self,
        run_id: str,
        samples: Iterable[Mapping[str, Any]],
        iteration: Optional[int] = None,
    ) -> JsonDict:
        """Records samples (dicts: iteration, sample_index, input, output, expected,
        score, error, latency_ms, tokens, cost_usd, program_hash, metadata), sent in
        requests of at most 5,000 (and ~8 MiB). ``iteration`` fills in a missing
        iteration; a missing sample_index is the sample's position in ``samples``.

        Upserts on (iteration, sample_index); returns ``{"inserted": n, "updated": m}``
        summed over the requests. Each request is all-or-nothing; re-sending the same
        samples after a failure is safe."""
        bodies = []
        for position, sample in enumerate(samples):
            body = _camel_keys(sample)
            body.pop("runId", None)
            if "iteration" not in body:
                if iteration is None:
                    raise ValueError(f"sample {position} has no 'iteration' (pass iteration=...)")
                body["iteration"] = iteration
            body.setdefault("sampleIndex", position)
            bodies.append(body)
        total = {"inserted": 0, "updated": 0}
        for chunk in self._chunks(bodies, MAX_SAMPLES_PER_REQUEST):
            result = self._request("POST", f"/runs/{_seg(run_id)}/samples", body=chunk)
            total["inserted"] += int(result.get("inserted", 0))
            total["updated"] += int(result.get("updated", 0))
        return total

    def list_samples(
        self,
        run_id: str,
        *,
        iteration: Optional[int] = None,
        min_score: Optional[float] = None,
        max_score: Optional[float] = None,
        errors_only: Optional[bool] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> JsonDict:
        """One page of samples in (iteration, sample_index) order:
        ``{"data": [...], "nextCursor"}``; ``limit`` up to 500."""
        query: List[tuple] = []
        if iteration is not None:
            query.append(("iteration", str(int(iteration))))
        if min_score is not None:
            query.append(("minScore", repr(float(min_score))))
        if max_score is not None:
            query.append(("maxScore", repr(float(max_score))))
        if errors_only is not None:
            query.append(("errorsOnly", "true" if errors_only else "false"))
        if limit is not None:
            query.append(("limit", str(int(limit))))
        if cursor is not None:
            query.append(("cursor", cursor))
        return self._request("GET", f"/runs/{_seg(run_id)}/samples", query=query)

    def iter_samples(self, run_id: str, **filters: Any) -> Iterator[JsonDict]:
        """Every sample matching the filters of ``list_samples`` (pages of 500)."""
        filters.setdefault("limit", 500)
        filters.pop("cursor", None)
        cursor: Optional[str] = None
        while True:
            page = self.list_samples(run_id, cursor=cursor, **filters)
            for sample in page.get("data", []):
                yield sample
            cursor = page.get("nextCursor")
            if not cursor:
                return

    # --- optimizer structure: candidates, candidate pool, Pareto fronts, proposals ---

    STRUCTURE_RESOURCES = ("candidates", "candidate-pool", "pareto", "proposals")

    def log_structure(self, run_id: str, resource: str, items: Iterable[Mapping[str, Any]]) -> JsonDict:
        """Upserts items of one of ``candidates``, ``candidate-pool``, ``pareto``,
        ``proposals`` (camelCase dicts, batches of 1,000). Returns summed
        ``{"inserted", "updated"}``."""
        if resource not in self.STRUCTURE_RESOURCES:
            raise ValueError(f"resource must be one of {', '.join(self.STRUCTURE_RESOURCES)}")
        total = {"inserted": 0, "updated": 0}
        for chunk in self._chunks([_camel_keys(item) for item in items], 1000):
            result = self._request("POST", f"/runs/{_seg(run_id)}/{resource}", body=chunk) or {}
            total["inserted"] += int(result.get("inserted", 0))
            total["updated"] += int(result.get("updated", 0))
        return total

    def list_structure(self, run_id: str, resource: str) -> List[JsonDict]:
        """Every item of ``candidates``, ``candidate-pool``, ``pareto`` or ``proposals`` of
        a run, in key order (all pages)."""
        if resource not in self.STRUCTURE_RESOURCES:
            raise ValueError(f"resource must be one of {', '.join(self.STRUCTURE_RESOURCES)}")
        out: List[JsonDict] = []
        cursor: Optional[str] = None
        while True:
            query = [("limit", "200"), ("cursor", cursor)]
            page = self._request("GET", f"/runs/{_seg(run_id)}/{resource}", query=query)
            out.extend(page.get("data", []))
            cursor = page.get("nextCursor")
            if not cursor:
                return out

    # --- project-wide views ---------------------------------------------------------

    def leaderboard(
        self,
        limit: int = 10,
        optimizer_type: Optional[str] = None,
        tag: Optional[str] = None,
        project_id: Optional[str] = None,
    ) -> List[JsonDict]:
        """Top completed runs by final score (optionally of one optimizer or tag)."""
        query = [("projectId", project_id), ("limit", str(int(limit))), ("optimizerType", optimizer_type), ("tag", tag)]
        return self._request("GET", "/leaderboard", query=query).get("data", [])

    def analytics(self, project_id: Optional[str] = None) -> JsonDict:
        """Per optimizer and status: runs, scores, spend (``{"rows", "lastRefreshedAt"}``;
        refreshed periodically by the server or a project admin)."""
        return self._request("GET", "/analytics", query=[("projectId", project_id)])

    def projects(self) -> List[JsonDict]:
        """The projects this key (or user) can see."""
        return self._request("GET", "/projects").get("data", [])

    # --- helpers --------------------------------------------------------------------

    def run(
        self,
        run_name: Optional[str] = None,
        optimizer_type: Optional[str] = None,
        config: Optional[Mapping[str, Any]] = None,
        tags: Optional[Sequence[str]] = None,
        *,
        run_id: Optional[str] = None,
        **fields: Any,
    ) -> "RunLogger":
        """A context manager that creates a run (or attaches to ``run_id``), marks it
        running, and on exit marks it completed — or failed with the exception as
        error_message (cancelled on KeyboardInterrupt)::

            with client.run("my run", "miprov2", config={...}) as run:
                run.log_iteration(0, score=0.41)
        """
        return RunLogger(self, run_name, optimizer_type, config=config, tags=tags, run_id=run_id, **fields)

    def _chunks(self, bodies: List[JsonDict], max_items: int) -> Iterator[List[JsonDict]]:
        """Splits a batch by item count and by serialized size."""
        chunk: List[JsonDict] = []
        size = 2
        for body in bodies:
            item_size = len(_dumps(body)) + 1
            if chunk and (len(chunk) >= max_items or size + item_size > self.max_body_bytes):
                yield chunk
                chunk, size = [], 2
            chunk.append(body)
            size += item_size
        if chunk:
            yield chunk


def _seg(value: str) -> str:
    return urllib.parse.quote(str(value), safe="")


def _snake(name: str) -> str:
    """orderBy values are column names (finalScore -> final_score); a config path is the user's own key."""
    if name.startswith("config."):
        return name
    return re.sub(r"(?<!^)([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def _iteration_body(iteration: Any, score: Any, params: Any, program_state: Any, fields: Mapping[str, Any]) -> JsonDict:
    body = _camel_keys(fields)
    body.pop("runId", None)
    body["iteration"] = iteration
    if score is not None:
        body["score"] = score
    if params is not None:
        body["params"] = dict(params)
    if program_state is not None:
        body["programState"] = program_state
    return body


class RunLogger:
    """Logs one run: created (or attached) and marked running on enter; completed on a
    clean exit, failed (error_message = the exception) on an error, cancelled on
    KeyboardInterrupt. The exception is never swallowed.

    On a completed exit without an explicit ``finish()``, the run's initial_score is the
    first score logged and final_score the best score logged, unless already set; its
    sample counters count the distinct samples logged through the logger (those without
    an error succeeded).
    """

    def __init__(
        self,
        client: Optiscope,
        run_name: Optional[str],
        optimizer_type: Optional[str],
        config: Optional[Mapping[str, Any]] = None,
        tags: Optional[Sequence[str]] = None,
        run_id: Optional[str] = None,
        **fields: Any,
    ) -> None:
        if run_id is None and (not run_name or not optimizer_type):
            raise ValueError("give run_name and optimizer_type (or run_id of an existing run)")
        self.client = client
        self._create = dict(run_name=run_name, optimizer_type=optimizer_type, config=config, tags=tags, **fields)
        self.id: Optional[str] = run_id
        self.run: Optional[JsonDict] = None
        self.finished = False
        self.initial_score: Optional[float] = None
        self.best_score: Optional[float] = None
        # (iteration, sample_index) -> succeeded (no error), for the run's sample counters
        self._samples: Dict[tuple, bool] = {}

    @property
    def url(self) -> str:
        return self.client.run_url(self._run_id)

    @property
    def _run_id(self) -> str:
        if self.id is None:
            raise RuntimeError("the run is created when the `with` block starts")
        return self.id

    def __enter__(self) -> "RunLogger":
        if self.id is None:
            create = dict(self._create)
            create.setdefault("status", "running")
            self.run = self.client.create_run(**create)
            self.id = self.run["id"]
            if self.run.get("status") == "pending":
                self.run = self.client.start_run(self.id)
        else:
            self.run = self.client.get_run(self.id)
            if self.run.get("status") == "pending":
                self.run = self.client.start_run(self.id)
        if self.run is not None:
            self.initial_score = self.run.get("initialScore")
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self.finished or self.id is None:
            return False
        try:
            if exc_type is None:
                self.finish("completed")
            elif issubclass(exc_type, KeyboardInterrupt):
                self.finish("cancelled", error_message="interrupted (KeyboardInterrupt)")
            else:
                message = f"{exc_type.__name__}: {exc}"[:10_000]
                self.finish("failed", error_message=message)
        except OptiscopeError as error:
            if exc_type is None:
                raise
            # never hide the exception that ended the run behind a logging problem
            print(f"optiscope: could not mark run {self.id} as finished: {error}", file=sys.stderr)
        return False

    def _track(self, score: Any) -> None:
        if isinstance(score, (int, float)) and not isinstance(score, bool):
            if self.initial_score is None:
                self.initial_score = float(score)
            if self.best_score is None or score > self.best_score:
                self.best_score = float(score)

    def log_iteration(self, iteration: int, score: Optional[float] = None, params: Any = None, program_state: Any = None, **fields: Any) -> JsonDict:
        row = self.client.log_iteration(self._run_id, iteration, score=score, params=params, program_state=program_state, **fields)
        self._track(score)
        return row

    def log_iterations(self, items: Iterable[Mapping[str, Any]]) -> List[JsonDict]:
        items = list(items)
        rows = self.client.log_iterations(self._run_id, items)
        for item in items:
            self._track(item.get("score"))
        return rows

    def log_samples(self, samples: Iterable[Mapping[str, Any]], iteration: Optional[int] = None) -> JsonDict:
        samples = list(samples)
        result = self.client.log_samples(self._run_id, samples, iteration=iteration)
        for position, sample in enumerate(samples):
            key = (
                sample.get("iteration", iteration),
                sample.get("sample_index", sample.get("sampleIndex", position)),
            )
            self._samples[key] = sample.get("error") is None
        return result

    def update(self, **fields: Any) -> JsonDict:
        self.run = self.client.update_run(self._run_id, **fields)
        return self.run

    def summary(self) -> JsonDict:
        return self.client.summary(self._run_id)

    def finish(self, status: str = "completed", final_score: Optional[float] = None, **fields: Any) -> JsonDict:
        """Finishes the run now (the `with` block then leaves it as it is).

        The run's sample counters (samples_evaluated/successful/failed) are filled in from
        the samples logged through this logger unless given: the server does not derive
        them from the samples."""
        if self._samples and not any(
            k in fields for k in ("samples_evaluated", "samplesEvaluated", "samples_successful", "samplesSuccessful", "samples_failed", "samplesFailed")
        ):
            ok = sum(1 for succeeded in self._samples.values() if succeeded)
            fields.update(samples_evaluated=len(self._samples), samples_successful=ok, samples_failed=len(self._samples) - ok)
        if status == "completed":
            current = self.run or {}
            if final_score is None and "finalScore" not in fields and current.get("finalScore") is None:
                final_score = self.best_score
            if (
                "initial_score" not in fields
                and "initialScore" not in fields
                and current.get("initialScore") is None
                and self.initial_score is not None
            ):
                fields["initial_score"] = self.initial_score
        self.run = self.client.finish_run(self._run_id, status=status, final_score=final_score, **fields)
        self.finished = True
        return self.run
