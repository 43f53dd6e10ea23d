#!/usr/bin/env python3
"""Records real DSPy compiles for the dashboard's demo data (lib/demo/recorded/*.json).

Runs a MIPROv2 compile (minibatching on) and a GEPA compile with the package's deterministic
offline LM, tracked by ``optiscope.dspy.track`` against a local capturing HTTP server that
answers like the API and keeps every write (method, path, body, milliseconds since the run
started). The demo seeder (lib/demo/seed.ts) replays those writes through the data layer,
so ``npm start`` shows real MIPROv2 and GEPA structure without running DSPy.

    pip install "./clients/python[dspy]"
    python3 clients/python/examples/record_demo.py            # writes lib/demo/recorded/
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import dspy  # noqa: E402

from optiscope import Optiscope  # noqa: E402
from optiscope.dspy import track  # noqa: E402
from optiscope.dspy.offline import OfflineLM, arithmetic_dataset, arithmetic_feedback_metric, arithmetic_metric  # noqa: E402

RUN_ID_PLACEHOLDER = "{runId}"


class Capture:
    def __init__(self) -> None:
        self.writes: list = []
        self.lock = threading.Lock()
        self.t0 = time.monotonic()

    def handler(self) -> type:
        capture = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def _answer(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _write(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                path = self.path.removeprefix("/api/v1")
                with capture.lock:
                    capture.writes.append({"method": self.command, "path": path, "body": body, "atMs": round((time.monotonic() - capture.t0) * 1000)})
                if path == "/runs":
                    self._answer(201, {**body, "url": ""})
                elif path.endswith("/iterations"):
                    items = body if isinstance(body, list) else [body]
                    self._answer(201, {"data": items} if isinstance(body, list) else body)
                elif self.command == "PATCH":
                    self._answer(200, body)
                else:
                    self._answer(201, {"inserted": len(body) if isinstance(body, list) else 1, "updated": 0})

            do_POST = _write
            do_PATCH = _write

            def do_GET(self) -> None:
                self._answer(200, {"data": [], "nextCursor": None})

        return Handler


def normalise(writes: list) -> list:
    """The run's id becomes a placeholder (the seeder chooses its own); times start at 0."""
    run_id = next(w["body"]["id"] for w in writes if w["path"] == "/runs")
    t0 = writes[0]["atMs"]
    out = []
    for w in writes:
        text = json.dumps(w["body"]).replace(run_id, RUN_ID_PLACEHOLDER)
        body = json.loads(text)
        if w["path"] == "/runs":
            body.pop("id", None)
            body.pop("projectId", None)
        out.append({"method": w["method"], "path": w["path"].replace(run_id, RUN_ID_PLACEHOLDER), "atMs": w["atMs"] - t0, "body": body})
    return out


def record(optimizer_name: str, seed: int, out_dir: str, latency: float, gepa_calls: int) -> str:
    capture = Capture()
    server = ThreadingHTTPServer(("127.0.0.1", 0), capture.handler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = Optiscope(f"http://127.0.0.1:{server.server_address[1]}", "osk_recording")
    task = OfflineLM("offline/task", seed=seed, latency=latency)
    proposer = OfflineLM("offline/proposer", seed=seed + 1, latency=latency)
    dspy.configure(lm=task)
    trainset = arithmetic_dataset(24, seed=seed)
    valset = arithmetic_dataset(16, seed=seed + 100)
    program = dspy.Predict("question -> answer")
    spool = tempfile.mkdtemp(prefix="optiscope-record-")
    capture.t0 = time.monotonic()
    if optimizer_name == "miprov2":
        optimizer = dspy.MIPROv2(
            metric=arithmetic_metric, prompt_model=proposer, task_model=task, auto=None,
            num_candidates=4, num_threads=1, seed=seed, verbose=False,
        )
        with track(optimizer, name="arithmetic · MIPROv2 (recorded, offline LM)", tags=["recorded", "miprov2"], valset=valset, client=client, spool_dir=spool):
            optimizer.compile(
                program, trainset=trainset, valset=valset, num_trials=8, minibatch_size=6,
                minibatch_full_eval_steps=3, max_bootstrapped_demos=2, max_labeled_demos=2,
            )
    else:
        optimizer = dspy.GEPA(
            metric=arithmetic_feedback_metric, reflection_lm=proposer, max_metric_calls=gepa_calls,
            num_threads=1, seed=seed, track_stats=True, reflection_minibatch_size=3,
        )
        with track(optimizer, name="arithmetic · GEPA (recorded, offline LM)", tags=["recorded", "gepa"], valset=valset, client=client, spool_dir=spool):
            optimizer.compile(program, trainset=trainset, valset=valset)
    server.shutdown()
    writes = normalise(capture.writes)
    path = os.path.join(out_dir, f"{optimizer_name}.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"recordedWith": {"dspy": dspy.__version__, "optimizer": optimizer_name, "seed": seed, "latency": latency}, "writes": writes},
                  handle, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        handle.write("\n")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(HERE, "..", "..", "..", "lib", "demo", "recorded"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds each offline LM call takes (a realistic timeline)")
    parser.add_argument("--gepa-calls", type=int, default=300, help="GEPA's max_metric_calls")
    args = parser.parse_args()
    logging.getLogger("dspy").setLevel(logging.WARNING)
    os.makedirs(args.out, exist_ok=True)
    for name in ("miprov2", "gepa"):
        path = record(name, args.seed, args.out, args.latency, args.gepa_calls)
        print(f"{name}: {path} ({os.path.getsize(path) // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
