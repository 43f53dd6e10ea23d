#!/usr/bin/env python3
"""Records real DSPy compiles — MIPROv2 (minibatching on) and GEPA, on the package's
deterministic offline LM, tracked by ``optiscope.dspy.track`` — into the recorded data the
repository reads. One recorder, one flag per use:

  --demo       lib/demo/recorded/<optimizer>.json: every API write ``track`` made (method,
               path, body, milliseconds since the run began), answered by a local capturing
               server; the demo seeder (lib/demo/seed.ts) replays them. Needs no server.
  --structure  tests/fixtures/dspy/<optimizer>.json: the run's stored rows (run, iterations,
               candidates, candidate pool, Pareto fronts, proposals) as the API returns them;
               the optimizer views' tests (tests/helpers/dspy-fixtures.ts) load them.
  --insight    tests/data-layer/fixtures/<optimizer>-run.json: the run, its iterations and
               samples as the API returns them (tests/data-layer/insight-fixtures.ts).

--structure and --insight track into a live server (OPTISCOPE_URL, OPTISCOPE_API_KEY):

    npm run record:dspy -- --demo --structure --insight      # starts one on a fresh database
    .venv-python/bin/python scripts/record-dspy.py --demo    # the demo alone needs none

(`npm run record:dspy` runs this script under clients/python/tests/live-server.ts, with
.venv-python: `bash scripts/python-client-tests.sh` creates it.) Each use keeps the compile
settings its consumers were written against (see PROFILES); --latency, --gepa-calls and
--trials override them, --out writes to DIR/<use>/ instead of the repository.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))

import dspy  # noqa: E402

from optiscope import Optiscope  # noqa: E402
from optiscope.dspy import track  # noqa: E402
from optiscope.dspy.offline import OfflineLM, arithmetic_dataset, arithmetic_feedback_metric, arithmetic_metric  # noqa: E402

RUN_ID_PLACEHOLDER = "{runId}"
OPTIMIZERS = ("miprov2", "gepa")
LABELS = {"miprov2": "MIPROv2", "gepa": "GEPA"}

# What each use records: the settings its consumers' tests and views were written against.
PROFILES: Dict[str, Dict[str, Any]] = {
    "demo": {"dir": "lib/demo/recorded", "file": "{optimizer}.json", "trials": 8, "threads": 1, "latency": 0.05,
             "gepa_calls": 300, "name": "arithmetic · {label} (recorded, offline LM)", "tags": ["recorded", "{optimizer}"]},
    "structure": {"dir": "tests/fixtures/dspy", "file": "{optimizer}.json", "trials": 12, "threads": 4, "latency": 0.0,
                  "gepa_calls": 150, "name": "arithmetic · {label} (offline LM)", "tags": ["example"]},
    "insight": {"dir": "tests/data-layer/fixtures", "file": "{optimizer}-run.json", "trials": 8, "threads": 4, "latency": 0.0,
                "gepa_calls": 150, "name": "arithmetic · {label} (offline LM)", "tags": ["example", "insight-fixture"]},
}


def compile_tracked(optimizer_name: str, profile: Dict[str, Any], client: Optiscope, seed: int, spool_dir: str) -> Any:
    """One compile on the offline LM (seeded: the same settings give the same compile)."""
    task = OfflineLM("offline/task", seed=seed, latency=profile["latency"])
    proposer = OfflineLM("offline/proposer", seed=seed + 1, latency=profile["latency"])
    dspy.configure(lm=task)
    trainset = arithmetic_dataset(24, seed=seed)
    valset = arithmetic_dataset(16, seed=seed + 100)
    program = dspy.Predict("question -> answer")
    name = profile["name"].format(label=LABELS[optimizer_name])
    tags = [t.format(optimizer=optimizer_name) for t in profile["tags"]]
    if optimizer_name == "miprov2":
        optimizer = dspy.MIPROv2(
            metric=arithmetic_metric, prompt_model=proposer, task_model=task, auto=None,
            num_candidates=4, num_threads=profile["threads"], seed=seed, verbose=False,
        )
        with track(optimizer, name=name, tags=tags, valset=valset, client=client, spool_dir=spool_dir, sync_spool=False) as run:
            optimizer.compile(
                program, trainset=trainset, valset=valset, num_trials=profile["trials"], minibatch_size=6,
                minibatch_full_eval_steps=3, max_bootstrapped_demos=2, max_labeled_demos=2,
            )
    else:
        optimizer = dspy.GEPA(
            metric=arithmetic_feedback_metric, reflection_lm=proposer, max_metric_calls=profile["gepa_calls"],
            num_threads=profile["threads"], seed=seed, track_stats=True, reflection_minibatch_size=3,
        )
        with track(optimizer, name=name, tags=tags, valset=valset, client=client, spool_dir=spool_dir, sync_spool=False) as run:
            optimizer.compile(program, trainset=trainset, valset=valset)
    if run.errors or run.sender.counts()[1:3] != (0, 0):
        raise SystemExit(f"{optimizer_name}: the recording is incomplete: {run.summary_line()}")
    return run


# --- --demo: every write, answered by a capturing server -----------------------------------


class Capture:
    def __init__(self) -> None:
        self.writes: List[Dict[str, Any]] = []
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


def normalise(writes: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The run's id becomes a placeholder (the seeder chooses its own); times start at 0."""
    run_id = next(w["body"]["id"] for w in writes if w["path"] == "/runs")
    t0 = writes[0]["atMs"]
    out = []
    for w in writes:
        body = json.loads(json.dumps(w["body"]).replace(run_id, RUN_ID_PLACEHOLDER))
        if w["path"] == "/runs":
            body.pop("id", None)
            body.pop("projectId", None)
        out.append({"method": w["method"], "path": w["path"].replace(run_id, RUN_ID_PLACEHOLDER), "atMs": w["atMs"] - t0, "body": body})
    return out


def record_demo(optimizer_name: str, profile: Dict[str, Any], seed: int, spool_dir: str) -> Dict[str, Any]:
    capture = Capture()
    server = ThreadingHTTPServer(("127.0.0.1", 0), capture.handler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = Optiscope(f"http://127.0.0.1:{server.server_address[1]}", "osk_recording")
        capture.t0 = time.monotonic()
        compile_tracked(optimizer_name, profile, client, seed, spool_dir)
    finally:
        server.shutdown()
    recorded_with = {"dspy": dspy.__version__, "optimizer": optimizer_name, "seed": seed, "latency": profile["latency"]}
    return {"recordedWith": recorded_with, "writes": normalise(capture.writes)}


# --- --structure and --insight: the stored rows, read back through the API ------------------


def record_structure(client: Optiscope, run_id: str) -> Dict[str, Any]:
    drop = {"projectId", "runId", "createdAt", "updatedAt", "id"}

    def clean(rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        return [{k: v for k, v in r.items() if k not in drop} for r in rows]

    run = client.get_run(run_id)
    return {
        "run": {k: run.get(k) for k in ("runName", "optimizerType", "status", "config", "metadata", "tags", "finalScore", "baselineScore")},
        "iterations": clean(client.list_iterations(run_id)),
        "candidates": clean(client.list_structure(run_id, "candidates")),
        "candidatePool": clean(client.list_structure(run_id, "candidate-pool")),
        "pareto": clean(client.list_structure(run_id, "pareto")),
        "proposals": clean(client.list_structure(run_id, "proposals")),
    }


def record_insight(client: Optiscope, run_id: str, optimizer_name: str) -> Dict[str, Any]:
    run = client.get_run(run_id)
    return {
        "name": f"{optimizer_name} (recorded)",
        "run": {"optimizerType": run["optimizerType"], "config": run["config"], "status": run["status"]},
        "iterations": client.list_iterations(run_id),
        "samples": list(client.iter_samples(run_id)),
    }


def write_json(path: str, value: Any, compact: bool) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        if compact:
            json.dump(value, handle, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        else:
            json.dump(value, handle, indent=1, sort_keys=True)
        handle.write("\n")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demo", action="store_true", help="lib/demo/recorded/<optimizer>.json (no server needed)")
    parser.add_argument("--structure", action="store_true", help="tests/fixtures/dspy/<optimizer>.json (live server)")
    parser.add_argument("--insight", action="store_true", help="tests/data-layer/fixtures/<optimizer>-run.json (live server)")
    parser.add_argument("--optimizer", action="append", choices=OPTIMIZERS, help="record only this one (repeatable; default both)")
    parser.add_argument("--out", help="write to DIR/<use>/ instead of the repository")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latency", type=float, help="seconds each offline LM call takes (the demo's default 0.05 gives a realistic timeline)")
    parser.add_argument("--gepa-calls", type=int, help="GEPA's max_metric_calls")
    parser.add_argument("--trials", type=int, help="MIPROv2's num_trials")
    args = parser.parse_args(argv)
    uses = [u for u in PROFILES if getattr(args, u)]
    if not uses:
        parser.error("name at least one of --demo, --structure, --insight")
    logging.getLogger("dspy").setLevel(logging.WARNING)
    logging.getLogger("gepa").setLevel(logging.WARNING)
    live: Optional[Optiscope] = None
    if any(u != "demo" for u in uses):
        if not (os.environ.get("OPTISCOPE_URL") and os.environ.get("OPTISCOPE_API_KEY")):
            parser.error("--structure and --insight track into a live server: set OPTISCOPE_URL and OPTISCOPE_API_KEY (npm run record:dspy starts one)")
        live = Optiscope(os.environ["OPTISCOPE_URL"], os.environ["OPTISCOPE_API_KEY"])
    spool_dir = tempfile.mkdtemp(prefix="optiscope-record-")
    for use in uses:
        profile = dict(PROFILES[use])
        for key in ("latency", "gepa_calls", "trials"):
            if getattr(args, key) is not None:
                profile[key] = getattr(args, key)
        directory = os.path.join(args.out, use) if args.out else os.path.join(ROOT, profile["dir"])
        for optimizer_name in args.optimizer or OPTIMIZERS:
            path = os.path.join(directory, profile["file"].format(optimizer=optimizer_name))
            if use == "demo":
                write_json(path, record_demo(optimizer_name, profile, args.seed, spool_dir), compact=True)
            else:
                assert live is not None
                run = compile_tracked(optimizer_name, profile, live, args.seed, spool_dir)
                recorded = record_structure(live, run.id) if use == "structure" else record_insight(live, run.id, optimizer_name)
                write_json(path, recorded, compact=False)
            print(f"{use} · {optimizer_name}: {os.path.relpath(path)} ({os.path.getsize(path) // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
