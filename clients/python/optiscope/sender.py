"""Background delivery of run records, with a local spool for when the server is away.

Every record is one idempotent API write (a run created with a client-chosen id, upserts
keyed by iteration, (iteration, sample_index), candidate id, ...), so a record may be sent
more than once and replaying a spool twice creates nothing twice.

``Sender`` takes records from the caller without ever blocking it (a bounded queue; when
the queue is full the record goes straight to the spool) and a daemon thread sends them
in order, retrying transient failures. When the server cannot be reached, that record and
every later one of the run go to ``<spool_dir>/<run_id>.jsonl`` (order kept); ``sync``
(``optiscope sync``) sends spooled files later. Standard library only.
"""

from __future__ import annotations

import json
import os
import queue
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from .client import MAX_SAMPLES_PER_REQUEST, Optiscope, OptiscopeConnectionError, OptiscopeError, _dumps, _json_default

__all__ = ["Sender", "Spool", "default_spool_dir", "sync", "SyncResult"]

# Fields newer servers accept on iterations and samples; an older server refuses them
# (validation_failed), so they are dropped for that server rather than losing the record.
NEW_ITERATION_FIELDS = (
    "evalKind", "rawScore", "scoreScale", "selected", "candidateId", "parentCandidateIds",
    "trial", "budgetUsed", "elapsedMs", "dataset", "usageByRole",
)
NEW_SAMPLE_FIELDS = ("exampleId", "feedback")
NEW_RESOURCES = ("candidates", "candidate-pool", "pareto", "proposals")


def default_spool_dir() -> Path:
    """``OPTISCOPE_SPOOL_DIR``, else ``~/.optiscope/spool``."""
    configured = os.environ.get("OPTISCOPE_SPOOL_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".optiscope" / "spool"


def _resource(path: str) -> str:
    """``/runs/<id>/samples`` -> ``samples``; ``/runs`` -> ``runs``."""
    parts = [p for p in path.split("/") if p]
    return parts[2] if len(parts) >= 3 else parts[0] if parts else ""


class _Compat:
    """What an older server does not accept, learnt from its answers."""

    def __init__(self) -> None:
        self.strip_iteration_fields = False
        self.strip_sample_fields = False
        self.unsupported: set = set()

    def adapt(self, path: str, body: Any) -> Any:
        resource = _resource(path)
        fields = ()
        if resource == "iterations" and self.strip_iteration_fields:
            fields = NEW_ITERATION_FIELDS
        elif resource == "samples" and self.strip_sample_fields:
            fields = NEW_SAMPLE_FIELDS
        if not fields:
            return body
        strip = lambda item: {k: v for k, v in item.items() if k not in fields}  # noqa: E731
        items = [strip(item) for item in body] if isinstance(body, list) else [strip(body)]
        # an older server replaces a whole iteration: a write of new fields only is skipped
        items = [item for item in items if set(item) - {"iteration", "sampleIndex"}]
        if not items:
            return None
        return items if isinstance(body, list) else items[0]

    def learn(self, path: str, error: OptiscopeError) -> bool:
        """True when the error says the server lacks a newer field or resource (resend adapted)."""
        resource = _resource(path)
        if resource in NEW_RESOURCES and error.status in (404, 405):
            self.unsupported.add(resource)
            return True
        if error.status in (400, 422) and error.code == "validation_failed":
            text = json.dumps(error.details, default=str) + error.message
            if resource == "iterations" and not self.strip_iteration_fields and any(f in text for f in NEW_ITERATION_FIELDS):
                self.strip_iteration_fields = True
                return True
            if resource == "samples" and not self.strip_sample_fields and any(f in text for f in NEW_SAMPLE_FIELDS):
                self.strip_sample_fields = True
                return True
        return False


def _deliver(client: Optiscope, compat: _Compat, method: str, path: str, body: Any, data: Optional[bytes] = None) -> str:
    """Sends one record: 'sent', 'unsupported' (the server lacks it) or 'conflict' (a
    status that already moved on). ``data``: the body as encoded at submit (sent as is
    unless it has to be adapted). Raises OptiscopeConnectionError / OptiscopeError."""
    for _ in range(3):
        if _resource(path) in compat.unsupported:
            return "unsupported"
        try:
            adapted = compat.adapt(path, body)
            if adapted is None:
                return "unsupported"
            if adapted is body and data is not None:
                client._request(method, path, body=adapted, encoded=data)
            else:
                client._request(method, path, body=adapted)
            return "sent"
        except OptiscopeConnectionError:
            raise
        except OptiscopeError as error:
            if error.status == 409 and method == "PATCH":
                return "conflict"
            if compat.learn(path, error):
                continue
            raise
    return "unsupported"


def _transient(error: OptiscopeError) -> bool:
    return isinstance(error, OptiscopeConnectionError) or error.status == 429 or (error.status or 0) >= 500


class Spool:
    """Append-only JSON lines per run under ``directory``."""

    def __init__(self, directory: Optional[os.PathLike] = None) -> None:
        self.directory = Path(directory) if directory is not None else default_spool_dir()
        self._lock = threading.Lock()

    def path(self, run_id: str) -> Path:
        return self.directory / f"{run_id}.jsonl"

    def append(self, run_id: str, records: List[Dict[str, Any]]) -> None:
        if not records:
            return
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(self.path(run_id), "a", encoding="utf-8") as handle:
                for record in records:
                    handle.write(json.dumps(record, default=_json_default, ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())

    def files(self) -> List[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob("*.jsonl"), key=lambda p: p.stat().st_mtime)


class SyncResult:
    def __init__(self) -> None:
        self.sent = 0
        self.failed = 0
        self.unsupported = 0
        self.remaining = 0
        self.runs: List[str] = []
        self.errors: List[str] = []

    def __repr__(self) -> str:
        return (
            f"SyncResult(sent={self.sent}, failed={self.failed}, unsupported={self.unsupported}, "
            f"remaining={self.remaining}, runs={len(self.runs)})"
        )


def sync(client: Optional[Optiscope] = None, spool_dir: Optional[os.PathLike] = None, *, run_id: Optional[str] = None) -> SyncResult:
    """Sends every spooled record (of one run, or all), in order. A file is removed once all
    of it is delivered; on an unreachable server the undelivered rest stays for next time.
    Records the server refuses (4xx) are counted as failed and kept in ``<run>.failed.jsonl``."""
    client = client or Optiscope(max_retries=2, backoff=0.2, timeout=15)
    spool = Spool(spool_dir)
    result = SyncResult()
    compat = _Compat()
    files = [spool.path(run_id)] if run_id else spool.files()
    for path in files:
        if not path.exists():
            continue
        with spool._lock:
            lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        failed: List[str] = []
        done = 0
        stop = False
        for line in lines:
            record = json.loads(line)
            try:
                outcome = _deliver(client, compat, record["method"], record["path"], record.get("body"))
                if outcome == "unsupported":
                    result.unsupported += 1
                else:
                    result.sent += 1
            except OptiscopeError as error:
                if _transient(error):
                    stop = True
                    break
                result.failed += 1
                result.errors.append(str(error))
                failed.append(line)
            done += 1
        with spool._lock:
            if failed:
                with open(path.with_suffix(".failed.jsonl"), "a", encoding="utf-8") as handle:
                    handle.write("\n".join(failed) + "\n")
            rest = lines[done:]
            # records appended while this file was being sent stay too
            current = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            rest += current[len(lines):]
            if rest:
                path.write_text("\n".join(rest) + "\n", encoding="utf-8")
            else:
                path.unlink()
        result.remaining += len(lines) - done
        result.runs.append(path.stem)
        if stop:
            break
    return result


_STOP = object()

# The upsert key of an item of each batch resource: a batch never holds one key twice.
_KEYS = {
    "iterations": lambda item: item.get("iteration"),
    "samples": lambda item: (item.get("iteration"), item.get("sampleIndex")),
    "candidates": lambda item: item.get("candidateId"),
    "candidate-pool": lambda item: (item.get("predictorIndex"), item.get("kind"), item.get("candidateIndex")),
    "pareto": lambda item: item.get("step"),
    "proposals": lambda item: item.get("proposalIndex"),
}
# the API's per-request caps: 5,000 samples, 1,000 of anything else
_MAX_MERGED_ITEMS = {"samples": MAX_SAMPLES_PER_REQUEST}
_MAX_MERGED_DEFAULT = 1000


def _mergeable(record: Any) -> bool:
    return (
        isinstance(record, dict)
        and record.get("method") == "POST"
        and isinstance(record.get("body"), list)
        and _resource(record.get("path", "")) in _KEYS
    )


def _merge(record: Dict[str, Any], following: Any, max_bytes: int) -> bool:
    """Appends ``following``'s items to ``record`` when both are batches of the same
    resource of the run, the keys stay distinct and the request stays within limits."""
    if not _mergeable(following) or following["path"] != record["path"]:
        return False
    items, more = record["body"], following["body"]
    cap = _MAX_MERGED_ITEMS.get(_resource(record["path"]), _MAX_MERGED_DEFAULT)
    if len(items) + len(more) > cap or record.get("size", 0) + following.get("size", 0) > max_bytes:
        return False
    key = _KEYS[_resource(record["path"])]
    keys = record.setdefault("_keys", {key(item) for item in items})
    incoming = [key(item) for item in more]
    if len(set(incoming)) != len(incoming) or keys.intersection(incoming):
        return False
    if _resource(record["path"]) == "iterations" and any(i.get("selected") for i in items) and any(i.get("selected") for i in more):
        return False
    keys.update(incoming)
    if items and more and "data" in record and "data" in following:
        # two encoded JSON arrays joined: the merged batch is not encoded again
        record["data"] = record["data"][:-1] + b"," + following["data"][1:]
    else:
        record.pop("data", None)
    items.extend(more)
    record["size"] = record.get("size", 0) + following.get("size", 0)
    return True


class Sender:
    """Sends a run's records from a daemon thread; spools what cannot be sent."""

    def __init__(
        self,
        client: Optiscope,
        run_id: str,
        spool: Spool,
        *,
        max_queue: int = 10_000,
        max_body_bytes: int = 8 * 1024 * 1024,
    ) -> None:
        self.client = client
        self.max_body_bytes = max_body_bytes
        self.run_id = run_id
        self.spool = spool
        self.compat = _Compat()
        self.queue: "queue.Queue[Any]" = queue.Queue(maxsize=max_queue)
        self.offline = False
        self.sent = 0
        self.spooled = 0
        self.failed = 0
        self.unsupported = 0
        self.sent_by_resource: Dict[str, int] = {}
        self.errors: List[str] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="optiscope-sender", daemon=True)
        self._thread.start()

    def submit(self, method: str, path: str, body: Any) -> None:
        """Queues one write; never blocks and never raises."""
        record = {"method": method, "path": path, "body": body}
        try:
            # bodies are frozen now: the caller may change its objects afterwards
            data = _dumps(body)
            if len(data) > self.max_body_bytes and isinstance(body, list) and len(body) > 1:
                # the server caps request bodies (API_MAX_BODY_BYTES): halve the batch
                middle = len(body) // 2
                self.submit(method, path, body[:middle])
                self.submit(method, path, body[middle:])
                return
            record["body"] = json.loads(data)
            record["size"] = len(data)
            record["data"] = data
        except Exception as error:  # a body that cannot be JSON: count it and drop it
            with self._lock:
                self.failed += 1
                self.errors.append(f"unserializable {path}: {error}")
            return
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            self._spool([record])

    def _spool(self, records: List[Dict[str, Any]]) -> None:
        records = [{"method": r["method"], "path": r["path"], "body": r["body"]} for r in records]
        try:
            self.spool.append(self.run_id, records)
            with self._lock:
                self.spooled += len(records)
        except Exception as error:
            with self._lock:
                self.failed += len(records)
                self.errors.append(f"spool: {error}")

    def _run(self) -> None:
        pending: Any = None
        while True:
            record = pending if pending is not None else self.queue.get()
            pending = None
            if record is _STOP:
                self.queue.task_done()
                return
            # Writes that queued up behind this one go with it: batches of the same resource
            # are merged (in their order, keys distinct), up to the next write that is not a
            # batch (a run create or update), which waits for all of them.
            batches = [record]
            taken = 1
            open_batch: Dict[str, Dict[str, Any]] = {record["path"]: record} if _mergeable(record) else {}
            while open_batch and taken < 10_000:
                try:
                    following = self.queue.get_nowait()
                except queue.Empty:
                    break
                if not _mergeable(following):
                    pending = following
                    break
                taken += 1
                current = open_batch.get(following["path"])
                if current is None or not _merge(current, following, self.max_body_bytes):
                    open_batch[following["path"]] = following
                    batches.append(following)
            try:
                for batch in batches:
                    self._handle(batch)
            finally:
                for _ in range(taken):
                    self.queue.task_done()

    def _handle(self, record: Dict[str, Any]) -> None:
        record.pop("_keys", None)
        record.pop("size", None)
        data = record.pop("data", None)
        if self.offline:
            self._spool([record])
            return
        try:
            outcome = _deliver(self.client, self.compat, record["method"], record["path"], record["body"], data)
            with self._lock:
                if outcome == "unsupported":
                    self.unsupported += 1
                else:
                    self.sent += 1
                    resource = _resource(record["path"])
                    self.sent_by_resource[resource] = self.sent_by_resource.get(resource, 0) + 1
        except OptiscopeError as error:
            if _transient(error):
                # the server is away: this record and every later one wait in the spool
                self.offline = True
                self._spool([record])
            else:
                with self._lock:
                    self.failed += 1
                    if len(self.errors) < 20:
                        self.errors.append(str(error))
        except Exception as error:  # never let the thread die
            with self._lock:
                self.failed += 1
                self.errors.append(f"{type(error).__name__}: {error}")

    def close(self, timeout: float = 60.0) -> None:
        """Waits (up to ``timeout`` seconds) for the queue to drain; what is still queued
        then goes to the spool."""
        deadline = time.monotonic() + timeout
        while self.queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)
        if self.queue.unfinished_tasks:
            self.offline = True
        leftovers: List[Dict[str, Any]] = []
        while True:
            try:
                item = self.queue.get_nowait()
            except queue.Empty:
                break
            if item is not _STOP:
                leftovers.append(item)
            self.queue.task_done()
        self._spool(leftovers)
        try:
            self.queue.put_nowait(_STOP)
        except queue.Full:  # pragma: no cover - the queue was just emptied
            pass
        self._thread.join(timeout=max(0.0, deadline - time.monotonic()) + 5)

    def counts(self) -> Tuple[int, int, int, int]:
        with self._lock:
            return self.sent, self.spooled, self.failed, self.unsupported
