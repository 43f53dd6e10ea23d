#!/usr/bin/env python3
"""A real DSPy MIPROv2 compile (minibatching on), tracked live into Optiscope. No API key
for an LLM and no network besides the Optiscope server: the task model and the proposer
are the package's deterministic offline LM (``optiscope.dspy.offline``).

    pip install "./clients/python[dspy]"
    python3 clients/python/examples/log_miprov2_run.py --url http://127.0.0.1:3000 --api-key osk_...

Add ``--optimizer gepa`` for a GEPA compile instead. Open the printed URL to see the trials
(minibatch and full evaluations), the candidate pools and the selected program.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import dspy  # noqa: E402

from optiscope import Optiscope  # noqa: E402
from optiscope.dspy import track  # noqa: E402
from optiscope.dspy.offline import OfflineLM, arithmetic_dataset, arithmetic_feedback_metric, arithmetic_metric  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("OPTISCOPE_URL", "http://127.0.0.1:3000"))
    parser.add_argument("--api-key", default=os.environ.get("OPTISCOPE_API_KEY"))
    parser.add_argument("--optimizer", choices=["miprov2", "gepa"], default="miprov2")
    parser.add_argument("--trials", type=int, default=8, help="MIPROv2 minibatch trials")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tag", action="append", default=[], help="a tag for the run (repeatable)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds each offline LM call takes")
    args = parser.parse_args()
    logging.getLogger("dspy").setLevel(logging.WARNING)

    task = OfflineLM("offline/task", seed=args.seed, latency=args.latency)
    proposer = OfflineLM("offline/proposer", seed=args.seed + 1, latency=args.latency)
    dspy.configure(lm=task)
    trainset = arithmetic_dataset(24, seed=args.seed)
    valset = arithmetic_dataset(16, seed=args.seed + 100)
    program = dspy.Predict("question -> answer")
    client = Optiscope(args.url, args.api_key)

    if args.optimizer == "miprov2":
        optimizer = dspy.MIPROv2(
            metric=arithmetic_metric, prompt_model=proposer, task_model=task, auto=None,
            num_candidates=4, num_threads=4, seed=args.seed, verbose=False,
        )
        with track(optimizer, name="arithmetic · MIPROv2 (offline LM)", tags=["example", *args.tag], valset=valset, client=client) as run:
            compiled = optimizer.compile(
                program, trainset=trainset, valset=valset, num_trials=args.trials, minibatch_size=6,
                minibatch_full_eval_steps=3, max_bootstrapped_demos=2, max_labeled_demos=2,
            )
        print(f"MIPROv2 returned a program scoring {compiled.score} on the valset")
    else:
        optimizer = dspy.GEPA(
            metric=arithmetic_feedback_metric, reflection_lm=proposer, max_metric_calls=150,
            num_threads=4, seed=args.seed, track_stats=True, reflection_minibatch_size=3,
        )
        with track(optimizer, name="arithmetic · GEPA (offline LM)", tags=["example", *args.tag], valset=valset, client=client) as run:
            compiled = optimizer.compile(program, trainset=trainset, valset=valset)
        results = compiled.detailed_results
        print(f"GEPA found {len(results.candidates)} candidates; the best scores {results.val_aggregate_scores[results.best_idx]}")
    print(f"Run: {run.url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
