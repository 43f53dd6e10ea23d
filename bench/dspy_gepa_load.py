#!/usr/bin/env python3
"""A GEPA-sized load through the package's sender: ``--candidates`` candidates (200) with
per-instance scores on ``--instances`` validation examples (500), a Pareto snapshot and a
full-evaluation iteration with its samples per candidate, and one proposal each.

By default everything is queued at once (the worst case: a server that fell behind during
the whole compile). With ``--compile-seconds S`` the writes of each candidate are queued as
its evaluation ends, spread over an S-second compile (the realistic case: a real GEPA
compile of 100,000 metric calls takes minutes to hours). Either way the time from the last
write queued (the compile's end) until all of it is stored, and until the run reads back
whole through the API (viewable), is printed with the machine's load average.

    OPTISCOPE_URL=... OPTISCOPE_API_KEY=... python3 bench/dspy_gepa_load.py [--no-samples] [--compile-seconds 60]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))

from optiscope import Optiscope  # noqa: E402
from optiscope.sender import Sender, Spool  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument("--instances", type=int, default=500)
    parser.add_argument("--no-samples", action="store_true")
    parser.add_argument("--compile-seconds", type=float, default=0.0, help="spread the candidates' writes over a compile this long")
    args = parser.parse_args()
    pace = args.compile_seconds / args.candidates
    rng = random.Random(0)
    client = Optiscope(timeout=60, max_retries=2)
    run_id = str(uuid.uuid4())
    sender = Sender(client, run_id, Spool(tempfile.mkdtemp()))
    ids = [f"ex_{i:024x}" for i in range(args.instances)]
    started = time.perf_counter()
    sender.submit("POST", "/runs", {"id": run_id, "runName": "bench · GEPA-sized load", "optimizerType": "gepa", "status": "running"})
    front = {}
    best = {}
    for c in range(args.candidates):
        if pace:
            # the candidate's evaluation runs until its slot's end, then its writes go out
            time.sleep(max(0.0, started + (c + 1) * pace - time.perf_counter()))
        scores = {e: rng.choice((0.0, 0.5, 1.0)) for e in ids}
        for e, s in scores.items():
            if s > best.get(e, -1):
                best[e], front[e] = s, [str(c)]
            elif s == best[e]:
                front[e] = front[e] + [str(c)]
        mean = sum(scores.values()) / len(scores)
        parent = [str(rng.randrange(c))] if c else []
        sender.submit("POST", f"/runs/{run_id}/iterations", [{"iteration": c, "score": mean, "evalKind": "full", "candidateId": str(c),
                                                              "programState": {"predict": f"instruction {c}"}, "samplesEvaluated": len(ids)}])
        if not args.no_samples:
            sender.submit("POST", f"/runs/{run_id}/samples", [
                {"iteration": c, "sampleIndex": i, "exampleId": e, "input": {"question": e}, "output": {"answer": "x"}, "score": scores[e]}
                for i, e in enumerate(ids)
            ])
        sender.submit("POST", f"/runs/{run_id}/candidates", [{"candidateId": str(c), "parentIds": parent, "score": mean, "instanceScores": scores}])
        sender.submit("POST", f"/runs/{run_id}/pareto", [{"step": c, "front": {e: v[-1000:] for e, v in front.items()}, "bestScores": dict(best)}])
        sender.submit("POST", f"/runs/{run_id}/proposals", [{"proposalIndex": c, "kind": "reflective", "parentIds": parent or ["0"], "accepted": True, "candidateId": str(c)}])
    sender.submit("PATCH", f"/runs/{run_id}", {"status": "completed"})
    queued = time.perf_counter()
    sender.close(timeout=600)
    done = time.perf_counter()
    sent, spooled, failed, unsupported = sender.counts()
    # viewable: the run reads back whole (every iteration, the last evaluation's samples, every candidate)
    iterations = client.list_iterations(run_id)
    last = client.list_samples(run_id, iteration=args.candidates - 1, limit=500)
    candidates = client.list_structure(run_id, "candidates")
    viewable = time.perf_counter()
    whole = len(iterations) == args.candidates and len(candidates) == args.candidates and (args.no_samples or len(last["data"]) == min(500, args.instances))
    mode = f"paced over a {args.compile_seconds:.0f} s compile" if pace else "all queued at once"
    print(f"{mode}: queued in {queued - started:.2f} s; stored {done - queued:.2f} s after the compile ended, "
          f"viewable {viewable - queued:.2f} s after ({sent} requests, {spooled} spooled, {failed} failed: {sender.errors[:2]}; "
          f"read back whole: {whole}); load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0 if failed == 0 and spooled == 0 and whole else 1


if __name__ == "__main__":
    sys.exit(main())
