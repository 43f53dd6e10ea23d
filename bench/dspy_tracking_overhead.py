#!/usr/bin/env python3
"""Tracking overhead of ``optiscope.dspy.track`` on a real MIPROv2 compile whose offline LM
answers in ``--latency`` seconds (50 ms by default): the same compile, alternately without
and with tracking into a live server, ``--repeats`` times each; prints the medians.

    OPTISCOPE_URL=... OPTISCOPE_API_KEY=... python3 bench/dspy_tracking_overhead.py
    (or through the test server: bash scripts/python-client-tests.sh -- .venv-python/bin/python bench/dspy_tracking_overhead.py)
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))

import dspy  # noqa: E402

from optiscope import Optiscope  # noqa: E402
from optiscope.dspy import track  # noqa: E402
from optiscope.dspy import _track  # noqa: E402
from optiscope.dspy.offline import OfflineLM, arithmetic_dataset, arithmetic_metric  # noqa: E402
from optiscope import sender as _sender  # noqa: E402

# CPU time the integration itself spends: its DSPy/gepa handlers (in the compile's threads)
# and the sender thread. The wall-time difference also contains the server's own CPU when it
# shares the machine.
CPU = {"handlers": 0.0, "sender": 0.0}
_guard, _handle = _track.Tracker._guard, _sender.Sender._handle


def _timed_guard(self, fn, *args):
    started = time.thread_time()
    try:
        return _guard(self, fn, *args)
    finally:
        CPU["handlers"] += time.thread_time() - started


def _timed_handle(self, record):
    started = time.thread_time()
    try:
        return _handle(self, record)
    finally:
        CPU["sender"] += time.thread_time() - started


_track.Tracker._guard = _timed_guard
_sender.Sender._handle = _timed_handle


def compile_once(latency: float, tracked: bool, client: Optiscope, spool: str) -> tuple:
    """(wall time of the block, time from the compile's end until every write is stored)."""
    task = OfflineLM("offline/task", seed=1, latency=latency)
    proposer = OfflineLM("offline/proposer", seed=2, latency=latency)
    dspy.configure(lm=task)
    trainset, valset = arithmetic_dataset(16, seed=1), arithmetic_dataset(12, seed=2)
    optimizer = dspy.MIPROv2(metric=arithmetic_metric, prompt_model=proposer, task_model=task, auto=None,
                             num_candidates=3, num_threads=4, seed=3, verbose=False)
    kwargs = dict(trainset=trainset, valset=valset, num_trials=6, minibatch_size=4, minibatch_full_eval_steps=2,
                  max_bootstrapped_demos=2, max_labeled_demos=2)
    started = time.perf_counter()
    if tracked:
        with track(optimizer, name="bench · tracking overhead", tags=["bench"], valset=valset, client=client,
                   spool_dir=spool, sync_spool=False, quiet=True) as run:
            optimizer.compile(dspy.Predict("question -> answer"), **kwargs)
            compiled_at = time.perf_counter()
        done = time.perf_counter()
        assert run.sender.counts()[2] == 0, run.summary_line()
        return compiled_at - started, done - compiled_at
    optimizer.compile(dspy.Predict("question -> answer"), **kwargs)
    return time.perf_counter() - started, 0.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("dspy").setLevel(logging.ERROR)
    client = Optiscope()
    spool = tempfile.mkdtemp(prefix="optiscope-bench-")
    plain, tracked, drains = [], [], []
    compile_once(args.latency, False, client, spool)  # warm-up: imports, optuna
    for _ in range(args.repeats):
        plain.append(compile_once(args.latency, False, client, spool)[0])
        compile_time, drain = compile_once(args.latency, True, client, spool)
        tracked.append(compile_time)
        drains.append(drain)
    p, t = statistics.median(plain), statistics.median(tracked)
    print(f"untracked compile: {', '.join(f'{x:.2f}' for x in plain)} s (median {p:.2f} s)")
    print(f"tracked compile:   {', '.join(f'{x:.2f}' for x in tracked)} s (median {t:.2f} s)")
    print(f"overhead: {100 * (t - p) / p:+.1f} % of the compile's wall time (LM latency {args.latency * 1000:.0f} ms)")
    print(f"integration CPU: handlers {CPU['handlers'] / args.repeats * 1000:.0f} ms + sender thread {CPU['sender'] / args.repeats * 1000:.0f} ms "
          f"a compile = {100 * (CPU['handlers'] + CPU['sender']) / args.repeats / p:.1f} % of the untracked wall time")
    print(f"stored after the compile ended: {', '.join(f'{x:.2f}' for x in drains)} s (median {statistics.median(drains):.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
