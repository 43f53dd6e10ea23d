"""The background sender and the spool, against a scripted client (no server needed)."""

from __future__ import annotations

import json
import os
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from optiscope import OptiscopeConnectionError, OptiscopeError  # noqa: E402
from optiscope.sender import Sender, Spool, sync  # noqa: E402


class ScriptedClient:
    """Records what it is sent; ``down`` makes it unreachable, ``refuse`` a validation error."""

    def __init__(self, down=False, refuse_fields=()):
        self.down = down
        self.refuse_fields = refuse_fields
        self.requests = []
        self.encoded = 0
        self.gate = threading.Event()
        self.gate.set()

    def _request(self, method, path, query=None, body=None, **kwargs):
        self.gate.wait()
        if self.down:
            raise OptiscopeConnectionError(None, "connection_error", "ConnectionRefusedError")
        items = body if isinstance(body, list) else [body]
        unknown = sorted({k for item in items for k in item if k in self.refuse_fields})
        if unknown:
            raise OptiscopeError(422, "validation_failed", f'invalid input: 0: unknown fields {", ".join(unknown)}')
        if kwargs.get("encoded") is not None:
            # bytes encoded at submit (and joined when batches merged) are the body itself
            assert json.loads(kwargs["encoded"]) == json.loads(json.dumps(body))
            self.encoded += 1
        self.requests.append((method, path, json.loads(json.dumps(body))))
        return {"inserted": len(items), "updated": 0}


def test_large_batches_are_halved_by_size_and_delivered_once_in_order(tmp_path):
    client = ScriptedClient()
    sender = Sender(client, "run-1", Spool(tmp_path), max_body_bytes=1000)
    items = [{"iteration": 0, "sampleIndex": i, "output": {"text": "x" * 80}} for i in range(40)]
    sender.submit("POST", "/runs/run-1/samples", items)
    sender.close()
    assert len(client.requests) > 4
    assert all(len(json.dumps(body)) <= 1000 for _, _, body in client.requests)
    assert [s["sampleIndex"] for _, _, body in client.requests for s in body] == list(range(40))
    assert sender.counts() == (len(client.requests), 0, 0, 0)


def test_an_unreachable_server_spools_the_rest_in_order_and_sync_delivers_it(tmp_path):
    client = ScriptedClient()
    spool = Spool(tmp_path)
    sender = Sender(client, "run-2", spool)
    sender.submit("POST", "/runs", {"id": "run-2"})
    sender.queue.join()  # the run is created while the server is up
    client.down = True
    for i in range(5):
        sender.submit("POST", "/runs/run-2/iterations", [{"iteration": i, "score": 0.5}])
    sender.queue.join()
    client.down = False  # back up, but the sender keeps the run's order: the rest stays spooled
    sender.submit("PATCH", "/runs/run-2", {"status": "completed"})
    sender.close()
    sent, spooled, failed, _ = sender.counts()
    assert (sent, failed) == (1, 0)
    lines = [json.loads(line) for line in spool.path("run-2").read_text().splitlines()]
    assert len(lines) == spooled
    assert [r["method"] for r in lines][-1] == "PATCH"
    assert [item["iteration"] for r in lines[:-1] for item in r["body"]] == list(range(5))

    result = sync(client, tmp_path)
    assert (result.sent, result.failed, result.remaining, result.runs) == (spooled, 0, 0, ["run-2"])
    assert [item["iteration"] for _, path, body in client.requests if path.endswith("/iterations") for item in body] == list(range(5))
    assert client.requests[-1] == ("PATCH", "/runs/run-2", {"status": "completed"})
    assert not spool.path("run-2").exists()


def test_sync_stops_at_an_unreachable_server_and_keeps_what_is_left(tmp_path):
    spool = Spool(tmp_path)
    spool.append("run-3", [{"method": "POST", "path": "/runs/run-3/iterations", "body": [{"iteration": i}]} for i in range(3)])
    result = sync(ScriptedClient(down=True), tmp_path)
    assert (result.sent, result.remaining) == (0, 3)
    assert len(spool.path("run-3").read_text().splitlines()) == 3


def test_fields_an_older_server_refuses_are_dropped_and_writes_of_only_those_skipped(tmp_path):
    client = ScriptedClient(refuse_fields=("evalKind", "selected"))
    sender = Sender(client, "run-4", Spool(tmp_path))
    sender.submit("POST", "/runs/run-4/iterations", [{"iteration": 0, "score": 0.5, "evalKind": "full"}])
    sender.submit("POST", "/runs/run-4/iterations", [{"iteration": 0, "selected": True}])
    sender.close()
    assert client.requests == [("POST", "/runs/run-4/iterations", [{"iteration": 0, "score": 0.5}])]
    assert sender.counts() == (1, 0, 0, 1)


def test_submit_never_blocks_a_full_queue_spools(tmp_path):
    client = ScriptedClient()
    client.gate.clear()  # the server hangs: the sender thread is stuck on the first record
    spool = Spool(tmp_path)
    sender = Sender(client, "run-5", spool, max_queue=2)
    for i in range(6):
        sender.submit("PATCH", "/runs/run-5", {"description": f"update {i}"})
    assert sender.counts()[1] >= 3
    client.gate.set()
    sender.close()
    sent, spooled, failed, _ = sender.counts()
    assert (sent + spooled, failed) == (6, 0)
    assert len(spool.path("run-5").read_text().splitlines()) == spooled


def test_writes_queued_behind_each_other_go_in_one_request_with_distinct_keys(tmp_path):
    client = ScriptedClient()
    client.gate.clear()  # the server is slow: writes queue up behind the first
    sender = Sender(client, "run-6", Spool(tmp_path))
    sender.submit("POST", "/runs", {"id": "run-6"})
    for i in range(5):
        sender.submit("POST", "/runs/run-6/iterations", [{"iteration": i, "score": 0.5}])
    sender.submit("POST", "/runs/run-6/iterations", [{"iteration": 4, "selected": True}])  # a key again
    for i in range(3):
        sender.submit("POST", "/runs/run-6/samples", [{"iteration": i, "sampleIndex": 0}])
    sender.submit("PATCH", "/runs/run-6", {"status": "completed"})
    client.gate.set()
    sender.close()
    paths = [(method, path.rsplit("/", 1)[-1], len(body) if isinstance(body, list) else None) for method, path, body in client.requests]
    assert paths == [
        ("POST", "runs", None),
        ("POST", "iterations", 5),
        ("POST", "iterations", 1),
        ("POST", "samples", 3),
        ("PATCH", "run-6", None),
    ]
    assert sender.counts() == (5, 0, 0, 0)


def test_queued_batches_merge_up_to_the_apis_caps_5000_samples_and_1000_of_the_rest(tmp_path):
    client = ScriptedClient()
    client.gate.clear()  # the server is slow: everything queues behind the first write
    sender = Sender(client, "run-9", Spool(tmp_path))
    sender.submit("POST", "/runs", {"id": "run-9"})
    for it in range(24):
        sender.submit("POST", "/runs/run-9/samples", [{"iteration": it, "sampleIndex": i} for i in range(500)])
        sender.submit("POST", "/runs/run-9/candidates", [{"candidateId": f"{it}-{k}"} for k in range(100)])
    client.gate.set()
    sender.close()
    samples = [body for _, path, body in client.requests if path.endswith("/samples")]
    candidates = [body for _, path, body in client.requests if path.endswith("/candidates")]
    assert [len(b) for b in samples] == [5000, 5000, 2000]
    assert [len(b) for b in candidates] == [1000, 1000, 400]
    assert [(s["iteration"], s["sampleIndex"]) for b in samples for s in b] == [(it, i) for it in range(24) for i in range(500)]
    assert sender.counts() == (len(client.requests), 0, 0, 0)
    # every body went out as encoded at submit: none was serialized a second time
    assert client.encoded == len(client.requests)
