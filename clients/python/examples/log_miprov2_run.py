#!/usr/bin/env python3
"""Logs a simulated DSPy MIPROv2 run to Optiscope, live, trial by trial (no DSPy needed).

    python3 log_miprov2_run.py --url http://127.0.0.1:3000 --api-key osk_... --trials 12 --delay 0.5

Open the printed URL while it runs to watch the score climb. With DSPy, the same calls
go where MIPROv2 evaluates a candidate program (see the README).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from optiscope import Optiscope, OptiscopeError  # noqa: E402

QUESTIONS = [
    ("What is 17 + 25?", "42"),
    ("Which planet is known as the Red Planet?", "Mars"),
    ("What is the capital of Australia?", "Canberra"),
    ("How many sides does a hexagon have?", "6"),
    ("Who wrote 'Pride and Prejudice'?", "Jane Austen"),
    ("What is the chemical symbol for gold?", "Au"),
    ("What is 9 * 8?", "72"),
    ("In which year did the Berlin Wall fall?", "1989"),
    ("What is the largest ocean on Earth?", "Pacific"),
    ("What gas do plants absorb from the air?", "Carbon dioxide"),
]

INSTRUCTIONS = [
    "Answer the question.",
    "Answer the question with a short factoid answer.",
    "Think step by step, then give only the final answer.",
    "You are a careful trivia expert. Reason briefly, then answer in as few words as possible.",
    "Read the question, recall the relevant fact, and reply with the exact answer string.",
    "Solve the problem. If it is arithmetic, compute carefully; otherwise answer concisely.",
    "Give the single most likely answer. Do not explain.",
    "Identify the type of question, retrieve the fact, and answer with one entity or number.",
    "Respond with the precise answer only, matching the expected format exactly.",
    "First restate what is asked, then provide a concise final answer.",
]

ERRORS = [
    "litellm.RateLimitError: OpenAIException - Rate limit reached for gpt-4o-mini. Please try again in 1.2s.",
    "ValueError: Expected dict_keys(['reasoning', 'answer']) but got dict_keys(['reasoning'])",
    "AdapterParseError: LM response cannot be serialized to a JSON object.",
    "litellm.Timeout: Connection timed out after 30.0 seconds.",
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Log a simulated MIPROv2 run to Optiscope.")
    parser.add_argument("--url", default=os.environ.get("OPTISCOPE_URL", "http://127.0.0.1:3000"), help="Optiscope base URL")
    parser.add_argument("--api-key", default=os.environ.get("OPTISCOPE_API_KEY"), help="a project API key (osk_...)")
    parser.add_argument("--trials", type=int, default=12, help="number of MIPROv2 trials (default 12)")
    parser.add_argument("--delay", type=float, default=0.5, help="seconds to sleep per trial (default 0.5)")
    parser.add_argument("--minibatch-size", type=int, default=35, help="samples per minibatch evaluation (default 35)")
    parser.add_argument("--valset-size", type=int, default=100, help="samples per full evaluation (default 100)")
    parser.add_argument("--full-eval-steps", type=int, default=5, help="a full evaluation every N trials (default 5)")
    parser.add_argument("--name", default=None, help="run name (default: generated)")
    parser.add_argument("--tag", action="append", default=None, help="extra tag (repeatable)")
    parser.add_argument("--seed", type=int, default=None, help="random seed")
    args = parser.parse_args(argv)
    if args.trials < 1:
        parser.error("--trials must be at least 1")
    if not args.api_key:
        parser.error("give --api-key or set OPTISCOPE_API_KEY")
    return args


def evaluate(rng, trial, size, quality, offset):
    """Scores `size` samples with exact_match; a few fail with an LM error."""
    samples = []
    for i in range(size):
        question, answer = QUESTIONS[(offset + i) % len(QUESTIONS)]
        latency = round(rng.uniform(250, 1400), 1)
        tokens = rng.randint(180, 420)
        if rng.random() < 0.05:
            samples.append(
                {
                    "sample_index": i,
                    "input": {"question": question},
                    "expected": {"answer": answer},
                    "output": None,
                    "score": None,
                    "error": rng.choice(ERRORS),
                    "latency_ms": latency,
                    "tokens": tokens,
                    "cost_usd": round(tokens * 0.6e-6, 8),
                    "metadata": {"trial": trial},
                }
            )
            continue
        correct = rng.random() < quality
        samples.append(
            {
                "sample_index": i,
                "input": {"question": question},
                "expected": {"answer": answer},
                "output": {"answer": answer if correct else rng.choice(QUESTIONS)[1], "reasoning": f"Recall: {question}"},
                "score": 1.0 if correct else 0.0,
                "latency_ms": latency,
                "tokens": tokens,
                "cost_usd": round(tokens * 0.6e-6, 8),
                "metadata": {"trial": trial},
            }
        )
    return samples


def main(argv=None):
    args = parse_args(argv)
    rng = random.Random(args.seed)
    num_candidates = 10
    config = {
        "model": "gpt-4o-mini",
        "metric": "exact_match",
        "optimizer": "miprov2",
        "miprov2": {
            "num_candidates": num_candidates,
            "init_temperature": 1.0,
            "auto": "light",
            "num_trials": args.trials,
            "minibatch": True,
            "minibatch_size": args.minibatch_size,
            "minibatch_full_eval_steps": args.full_eval_steps,
            "max_bootstrapped_demos": 4,
            "max_labeled_demos": 4,
        },
        "dataset": {"name": "trivia-qa-mini", "valset_size": args.valset_size},
    }
    client = Optiscope(args.url, args.api_key)
    name = args.name or f"MIPROv2 light · gpt-4o-mini · {time.strftime('%Y-%m-%d %H:%M:%S')}"
    tags = ["miprov2", "example", "simulated"] + (args.tag or [])

    try:
        with client.run(name, "miprov2", config=config, tags=tags, description="Simulated MIPROv2 run (examples/log_miprov2_run.py)") as run:
            print(f"Run: {run.url}", flush=True)
            quality = rng.uniform(0.38, 0.46)  # the unoptimized program
            initial_score = None
            best_full = None
            best_trial = None
            tokens_total = 0
            for index in range(args.trials):
                trial = index + 1
                # trial 1 is the default program on the full valset; then minibatches,
                # with a full evaluation of the best candidate every few trials and at the end
                full = trial == 1 or trial % args.full_eval_steps == 0 or trial == args.trials
                instruction = 0 if trial == 1 else rng.randrange(num_candidates)
                demo_set = 0 if trial == 1 else rng.randrange(num_candidates)
                if trial > 1:
                    quality = min(0.92, quality + rng.uniform(0.0, 0.06))
                noisy = max(0.05, min(0.97, quality + rng.gauss(0, 0.035 if full else 0.07)))
                size = args.valset_size if full else args.minibatch_size
                if args.delay:
                    time.sleep(args.delay)
                samples = evaluate(rng, trial, size, noisy, offset=index)
                scored = [s["score"] or 0.0 for s in samples]  # DSPy counts a failed sample as 0
                score = round(sum(scored) / len(scored), 4)
                tokens = sum(s["tokens"] for s in samples)
                tokens_total += tokens
                demos = [
                    {"question": q, "answer": a}
                    for q, a in rng.sample(QUESTIONS, 3 if trial > 1 else 0)
                ]
                run.log_iteration(
                    index,
                    score=score,
                    params={
                        "trial": trial,
                        "eval_type": "full" if full else "minibatch",
                        "instruction_candidate": instruction,
                        "demo_set": demo_set,
                        "temperature": 1.0,
                    },
                    program_state={
                        "instructions": {"predict": INSTRUCTIONS[instruction]},
                        "demos": {"predict": demos},
                    },
                    samples_evaluated=size,
                    tokens=tokens,
                    cost_usd=round(tokens * 0.6e-6, 6),
                    latency_ms=round(sum(s["latency_ms"] for s in samples) / size, 1),
                    duration_ms=int(sum(s["latency_ms"] for s in samples) / 8),
                )
                run.log_samples(samples, iteration=index)
                if trial == 1:
                    initial_score = score
                if full and (best_full is None or score > best_full):
                    best_full, best_trial = score, trial
                failed = sum(1 for s in samples if s.get("error"))
                print(
                    f"  trial {trial:>3}/{args.trials} {'full' if full else 'mini':<4} score {score:.4f}"
                    f" (instruction {instruction}, demos {demo_set}, {failed} failed)",
                    flush=True,
                )
            run.finish(
                "completed",
                final_score=best_full,
                initial_score=initial_score,
                metadata={"best_trial": best_trial, "total_tokens_reported": tokens_total},
            )
            print(
                f"Finished: initial {initial_score:.4f} -> final {best_full:.4f} (best full evaluation, trial {best_trial})",
                flush=True,
            )
            print(f"Run: {run.url}", flush=True)
    except OptiscopeError as error:
        print(f"Optiscope error: {error}", file=sys.stderr)
        if error.issues:
            for issue in error.issues:
                print(f"  {issue.get('path')}: {issue.get('message')}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
