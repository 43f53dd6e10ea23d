"""Real DSPy compiles (MIPROv2, GEPA, BootstrapFewShotWithRandomSearch, COPRO, SIMBA) with the
offline LM, tracked into a live Optiscope server over PostgreSQL: what is stored must equal
what the optimizer did and returned.

Needs OPTISCOPE_URL / OPTISCOPE_API_KEY (``bash scripts/python-client-tests.sh`` starts a
server) and the ``[dspy,test]`` extras. Tests marked ``structure`` read the resources and
fields of the optimizer-structure API (evalKind, isSelected, candidates, candidate pool,
Pareto fronts, proposals).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_DIR = os.path.dirname(HERE)
sys.path.insert(0, CLIENT_DIR)

import dspy  # noqa: E402

from optiscope import Optiscope  # noqa: E402
from optiscope.dspy import example_id, load_program, program_hash, track  # noqa: E402
from optiscope.dspy.offline import (  # noqa: E402
    OfflineLM,
    arithmetic_dataset,
    arithmetic_feedback_metric,
    arithmetic_metric,
)

URL = os.environ.get("OPTISCOPE_URL")
API_KEY = os.environ.get("OPTISCOPE_API_KEY")

logging.getLogger("dspy").setLevel(logging.ERROR)
logging.getLogger("gepa").setLevel(logging.ERROR)


@pytest.fixture(scope="module")
def client():
    assert URL and API_KEY, "set OPTISCOPE_URL and OPTISCOPE_API_KEY (bash scripts/python-client-tests.sh does)"
    return Optiscope(URL, API_KEY)


@pytest.fixture(scope="module")
def lms():
    task = OfflineLM("offline/task", seed=1)
    proposer = OfflineLM("offline/proposer", seed=2)
    dspy.configure(lm=task)
    return task, proposer


@pytest.fixture(scope="module")
def data():
    return arithmetic_dataset(12, seed=1), arithmetic_dataset(10, seed=2)


def _all_samples(client, run_id):
    return list(client.iter_samples(run_id))


def _by_iteration(samples):
    out = {}
    for sample in samples:
        out.setdefault(sample["iteration"], []).append(sample)
    return out


def _state(program):
    return json.loads(json.dumps(program.dump_state(), default=str))


# --- the offline LM ---------------------------------------------------------------------


def test_offline_lm_is_deterministic_and_candidates_differ(lms, data):
    _, valset = data
    program = dspy.Predict("question -> answer")
    first = [program(question=e.question).answer for e in valset]
    again = [program(question=e.question).answer for e in valset]
    assert first == again
    careful = dspy.Predict(dspy.Signature("question -> answer", "Compute carefully, step by step, and double-check."))
    right = sum(arithmetic_metric(e, program(question=e.question)) for e in valset)
    right_careful = sum(arithmetic_metric(e, careful(question=e.question)) for e in valset)
    assert right_careful > right


# --- MIPROv2 ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mipro(client, lms, data, tmp_path_factory):
    task, proposer = lms
    trainset, valset = data
    optimizer = dspy.MIPROv2(
        metric=arithmetic_metric, prompt_model=proposer, task_model=task, auto=None,
        num_candidates=3, num_threads=2, seed=3, verbose=False,
    )
    student = dspy.Predict("question -> answer")
    with track(optimizer, name="pytest · MIPROv2", tags=["pytest-dspy"], valset=valset, client=client,
               spool_dir=tmp_path_factory.mktemp("spool"), sync_spool=False) as run:
        compiled = optimizer.compile(
            student, trainset=trainset, valset=valset, num_trials=6, minibatch_size=4,
            minibatch_full_eval_steps=2, max_bootstrapped_demos=2, max_labeled_demos=2,
        )
    return run, compiled, student, optimizer


def test_miprov2_every_trial_is_an_iteration_with_its_score_and_samples(client, mipro, data):
    run, compiled, _, optimizer = mipro
    _, valset = data
    assert run.errors == 0, run.error_messages
    assert run.sender.counts()[1:3] == (0, 0), run.sender.errors  # nothing spooled, nothing failed
    # the pool-capturing wrappers were on the instance only for the block
    assert not {"_bootstrap_fewshot_examples", "_propose_instructions", "_optimize_prompt_parameters"} & set(vars(optimizer))
    stored = client.get_run(run.id)
    assert stored["status"] == "completed"
    assert stored["optimizerType"] == "miprov2"
    assert stored["config"]["compile"]["num_trials"] == 6
    assert stored["config"]["trainsetSize"] == 12 and stored["config"]["valsetSize"] == 10
    assert stored["config"]["seed"] == 3
    assert stored["config"]["lms"]["proposer"]["model"] == "offline/proposer"
    assert stored["config"]["lms"]["task"]["model"] == "offline/task"
    assert stored["metadata"]["dspyVersion"] == dspy.__version__
    # DSPy's own estimate (MIPROv2._estimate_lm_calls) for 1 predictor, 3 instruction
    # candidates, the program-aware proposer, 6 trials of 4 examples and a full evaluation
    # of the 10 validation examples every 2 trials (and at the end)
    estimate = stored["metadata"]["lmCallEstimate"]
    assert estimate["source"] == "dspy MIPROv2._estimate_lm_calls"
    assert estimate["promptModelCalls"] == 10 + 3 * 1 + (1 + 1)
    assert estimate["programCalls"] == 4 * 6 + 10 * (6 // 2 + 1)
    assert estimate["lines"][0].endswith("= 15 prompt model calls") and "\x1b" not in "".join(estimate["lines"])

    trial_logs = compiled.trial_logs
    iterations = client.list_iterations(run.id)
    assert [i["iteration"] for i in iterations] == list(range(len(trial_logs)))
    samples = _by_iteration(_all_samples(client, run.id))
    for trial, log in sorted(trial_logs.items()):
        row = iterations[trial - 1]
        full = "full_eval_score" in log
        raw = log["full_eval_score"] if full else log["mb_score"]
        assert row["score"] == pytest.approx(raw / 100)
        assert len(samples[row["iteration"]]) == row["samplesEvaluated"] == (len(valset) if full else 4)
        assert row["tokens"] == sum(s["tokens"] for s in samples[row["iteration"]]) > 0
        assert row["programHash"] == program_hash(row["programState"])
        if not full:
            assert row["params"]["chosen"]["0"] == {
                "instruction": log["0_predictor_instruction"],
                "demos": log["0_predictor_demos"],
            }
        # each sample's score is the metric's verdict on the stored output
        for sample in samples[row["iteration"]]:
            assert sample["score"] == (1.0 if sample["output"]["answer"] == sample["expected"]["answer"] else 0.0)
    assert stored["finalScore"] == pytest.approx(compiled.score / 100)
    assert stored["initialScore"] == pytest.approx(trial_logs[1]["full_eval_score"] / 100)
    assert run.final_score == pytest.approx(compiled.score / 100)
    # the way back: the stored state of the selected iteration is the program MIPROv2 returned
    loaded = load_program(run.id, into=dspy.Predict("question -> answer"), iteration=run.selected_iteration, client=client)
    assert _state(loaded) == _state(compiled)
    assert loaded.signature.instructions == compiled.signature.instructions


@pytest.mark.structure
def test_miprov2_kinds_selection_pools_and_candidates(client, mipro, data):
    run, compiled, student, _ = mipro
    trainset, valset = data
    iterations = client.list_iterations(run.id)
    trial_logs = compiled.trial_logs
    for trial, log in sorted(trial_logs.items()):
        row = iterations[trial - 1]
        assert row["trial"] == trial
        assert row["evalKind"] == ("full" if "full_eval_score" in log else "minibatch")
        assert row["rawScore"] == pytest.approx(log.get("full_eval_score", log.get("mb_score")))
        assert row["scoreScale"] == 100
        assert row["dataset"] == "val"
        assert row["budgetUsed"] == log["total_eval_calls_so_far"]
    selected = [i for i in iterations if i["isSelected"]]
    assert len(selected) == 1
    assert selected[0]["evalKind"] == "full"
    assert selected[0]["programHash"] == program_hash(_state(compiled))
    assert [i["iteration"] for i in iterations if i["isBest"]] == [selected[0]["iteration"]]
    assert client.summary(run.id)["bestIteration"] == selected[0]["iteration"]
    # usage by role: the first evaluation carries the proposer's calls made before it
    assert iterations[0]["usageByRole"]["proposer"]["model"] == "offline/proposer"
    assert iterations[0]["usageByRole"]["proposer"]["calls"] > 0
    assert all(set(i["usageByRole"]) <= {"task", "proposer"} for i in iterations)
    # an unpriced LM (a custom engine: DSPy's history cost is None) leaves cost out, not 0
    assert not any("costUsd" in u for i in iterations for u in i["usageByRole"].values())

    pool = client.list_structure(run.id, "candidate-pool")
    kinds = Counter(p["kind"] for p in pool)
    assert kinds["instruction"] == 3 and kinds["demos"] == 3
    instruction_texts = [p["text"] for p in sorted(pool, key=lambda p: p["candidateIndex"]) if p["kind"] == "instruction"]
    assert instruction_texts[0] == student.signature.instructions

    candidates = client.list_structure(run.id, "candidates")
    assert sorted(c["candidateId"] for c in candidates) == sorted({i["candidateId"] for i in iterations})
    assert all(c["origin"] == "trial" for c in candidates)

    # samples follow one example across iterations by a stable id
    samples = _all_samples(client, run.id)
    ids = {s["exampleId"] for s in samples}
    assert ids <= {example_id(e) for e in valset}
    assert {s["exampleId"] for s in samples if s["iteration"] == 0} == {example_id(e) for e in valset}

    loaded = load_program(run.id, into=student.deepcopy(), client=client)
    assert _state(loaded) == _state(compiled)


# --- GEPA -------------------------------------------------------------------------------


class TwoStep(dspy.Module):
    """Two predictors, so that GEPA has components to merge."""

    def __init__(self):
        super().__init__()
        self.draft = dspy.Predict("question -> answer")
        self.check = dspy.Predict("question, draft -> answer")

    def forward(self, question):
        return self.check(question=question, draft=self.draft(question=question).answer)


@pytest.fixture(scope="module")
def gepa_run(client, lms, data, tmp_path_factory):
    _, proposer = lms
    _, valset = data
    trainset = arithmetic_dataset(16, seed=1)
    optimizer = dspy.GEPA(
        metric=arithmetic_feedback_metric, reflection_lm=proposer, max_metric_calls=200,
        num_threads=2, seed=3, track_stats=True, reflection_minibatch_size=3, use_merge=True, max_merge_invocations=5,
    )
    with track(optimizer, name="pytest · GEPA", tags=["pytest-dspy"], valset=valset, client=client,
               spool_dir=tmp_path_factory.mktemp("spool"), sync_spool=False) as run:
        compiled = optimizer.compile(TwoStep(), trainset=trainset, valset=valset)
    return run, compiled, optimizer


def test_gepa_every_metric_call_is_a_sample(client, gepa_run):
    run, compiled, optimizer = gepa_run
    assert optimizer.gepa_kwargs == {}  # gepa's callbacks were added for the block only
    results = compiled.detailed_results
    assert run.errors == 0, run.error_messages
    assert len(results.candidates) > 1, "the offline reflection model should get a candidate accepted"
    stored = client.get_run(run.id)
    assert stored["status"] == "completed"
    iterations = client.list_iterations(run.id)
    samples = _all_samples(client, run.id)
    assert len(samples) == sum(i["samplesEvaluated"] for i in iterations) == results.total_metric_calls
    assert stored["finalScore"] == pytest.approx(results.val_aggregate_scores[results.best_idx], abs=1e-4)
    # the output is the program's prediction, also where GEPA evaluated with trace capture
    # (its wrapped program returns (prediction, trace))
    assert all(isinstance(s["output"], dict) and set(s["output"]) == {"answer"} for s in samples if s.get("output") is not None)
    # the feedback of the metric is kept with each sample (GEPA's dspy.Prediction(score, feedback))
    if "feedback" in samples[0]:
        assert all(s["feedback"] for s in samples)


@pytest.mark.structure
def test_gepa_candidates_lineage_pareto_and_proposals(client, gepa_run, data):
    run, compiled, _ = gepa_run
    _, valset = data
    results = compiled.detailed_results
    val_ids = [example_id(e) for e in valset]

    candidates = sorted(client.list_structure(run.id, "candidates"), key=lambda c: int(c["candidateId"]))
    assert [c["candidateId"] for c in candidates] == [str(i) for i in range(len(results.candidates))]
    for index, candidate in enumerate(candidates):
        assert candidate["parentIds"] == [str(p) for p in results.parents[index] if p is not None]
        assert candidate["score"] == pytest.approx(results.val_aggregate_scores[index], abs=1e-4)
        assert candidate["instanceScores"] == {val_ids[k]: v for k, v in results.val_subscores[index].items()}
        assert candidate["budgetUsed"] == results.discovery_eval_counts[index]
        parents = [p for p in results.parents[index] if p is not None]
        assert candidate["origin"] == ("seed" if index == 0 else "merge" if len(parents) == 2 else "reflective")
        assert candidate["programState"] == {
            name: p.signature.instructions for name, p in results.candidates[index].named_predictors()
        }

    fronts = client.list_structure(run.id, "pareto")
    assert [f["step"] for f in fronts] == list(range(len(fronts)))
    assert fronts[-1]["front"] == {
        val_ids[k]: sorted((str(i) for i in v), key=int) for k, v in results.per_val_instance_best_candidates.items()
    }

    proposals = client.list_structure(run.id, "proposals")
    assert [p["proposalIndex"] for p in proposals] == list(range(len(proposals)))
    accepted = [p for p in proposals if p["accepted"]]
    assert sorted(int(p["candidateId"]) for p in accepted) == list(range(1, len(results.candidates)))
    merged = [i for i, parents in enumerate(results.parents) if len([p for p in parents if p is not None]) == 2]
    assert merged, "the compile should merge two candidates"
    for proposal in accepted:
        index = int(proposal["candidateId"])
        assert proposal["parentIds"] == [str(p) for p in results.parents[index] if p is not None]
        assert proposal["kind"] == ("merge" if index in merged else "reflective")
        assert proposal["proposedState"]
    for proposal in proposals:
        if proposal["kind"] == "reflective":
            assert len(proposal["parentIds"]) == 1
            assert proposal["scoresBefore"] and len(proposal["subsampleIds"]) == 3
            assert set(proposal["predictors"]) <= {"draft", "check"}
    for proposal in accepted:
        if proposal["kind"] == "reflective":
            assert proposal["scoresAfter"] and sum(proposal["scoresAfter"]) > sum(proposal["scoresBefore"])
            assert proposal["reflectiveDataset"]
    # the reflection prompt and the LM's raw answer are the real texts of the reflection LM's
    # call (dspy.GEPA proposes through DSPy; gepa's own event carries empty dicts)
    by_id = {c["candidateId"]: c for c in candidates}
    reflected = [p for p in proposals if p["kind"] == "reflective" and p.get("proposedState")]
    assert reflected
    for proposal in reflected:
        prompt, raw = proposal["prompt"], proposal["rawOutput"]
        assert prompt and raw and prompt.strip() not in ("{}", "") and raw.strip() not in ("{}", "")
        assert proposal["metadata"]["reflectionCalls"] == len(proposal["proposedState"])
        parent = by_id[proposal["parentIds"][0]]
        for component, text in proposal["proposedState"].items():
            assert parent["programState"][component] in prompt  # the instruction being improved
            assert json.loads(raw)["new_instruction"] == text  # the JSON adapter's answer, parsed by DSPy
        assert "examples_with_feedback" in prompt
        # the feedback of the subsample's metric calls is what the reflection LM was shown
        for examples in proposal["reflectiveDataset"].values():
            for example in examples:
                assert example["Feedback"] in prompt

    iterations = client.list_iterations(run.id)
    selected = [i for i in iterations if i["isSelected"]]
    assert len(selected) == 1
    assert selected[0]["candidateId"] == str(results.best_idx)
    assert selected[0]["evalKind"] == "full"
    assert selected[0]["parentCandidateIds"] == [str(p) for p in results.parents[results.best_idx] if p is not None]
    assert iterations[-1]["budgetUsed"] <= results.total_metric_calls
    assert all(set(i["usageByRole"] or {}) <= {"task", "reflection"} for i in iterations)
    assert any("reflection" in (i["usageByRole"] or {}) for i in iterations)


# --- BootstrapFewShotWithRandomSearch, COPRO, SIMBA ----------------------------------------


def test_bootstrap_random_search(client, lms, data, tmp_path):
    trainset, valset = data
    optimizer = dspy.BootstrapFewShotWithRandomSearch(
        metric=arithmetic_metric, max_bootstrapped_demos=2, max_labeled_demos=2, num_candidate_programs=3, num_threads=2,
    )
    with track(optimizer, name="pytest · BootstrapFewShotWithRandomSearch", valset=valset, client=client,
               spool_dir=tmp_path, sync_spool=False) as run:
        compiled = optimizer.compile(dspy.Predict("question -> answer"), trainset=trainset, valset=valset)
    assert run.errors == 0, run.error_messages
    iterations = client.list_iterations(run.id)
    assert sorted(i["score"] for i in iterations) == pytest.approx(sorted(c["score"] / 100 for c in compiled.candidate_programs))
    assert all(i["samplesEvaluated"] == len(valset) for i in iterations)
    assert len(_all_samples(client, run.id)) == len(valset) * len(iterations)
    stored = client.get_run(run.id)
    assert stored["finalScore"] == pytest.approx(compiled.candidate_programs[0]["score"] / 100)
    assert stored["optimizerType"] == "bootstrap_fewshot_random_search"
    selected = iterations[run.selected_iteration]
    assert selected["programHash"] == program_hash(_state(compiled))
    if "isSelected" in selected:
        assert [i["iteration"] for i in iterations if i["isSelected"]] == [run.selected_iteration]
        assert len(client.list_structure(run.id, "candidates")) == len({i["programHash"] for i in iterations})


def test_copro(client, lms, data, tmp_path):
    trainset, _ = data
    _, proposer = lms
    optimizer = dspy.COPRO(metric=arithmetic_metric, prompt_model=proposer, breadth=3, depth=2, init_temperature=1.0)
    with track(optimizer, name="pytest · COPRO", client=client, spool_dir=tmp_path, sync_spool=False) as run:
        compiled = optimizer.compile(dspy.Predict("question -> answer"), trainset=trainset, eval_kwargs={"num_threads": 2})
    assert run.errors == 0, run.error_messages
    iterations = client.list_iterations(run.id)
    # COPRO evaluates every candidate instruction on the trainset; its deduplicated list is what it returns
    assert len(iterations) >= len(compiled.candidate_programs)
    assert {round(c["score"] / 100, 6) for c in compiled.candidate_programs} <= {round(i["score"], 6) for i in iterations}
    assert len(_all_samples(client, run.id)) == len(trainset) * len(iterations)
    assert client.get_run(run.id)["finalScore"] == pytest.approx(compiled.candidate_programs[0]["score"] / 100)
    assert iterations[run.selected_iteration]["programHash"] == program_hash(_state(compiled))


def test_cost_by_role_from_the_lm_history(client, data, tmp_path):
    # priced offline LMs put a cost on each history entry, as DSPy does for a priced provider
    trainset, _ = data
    task = OfflineLM("offline/task", seed=1, cost_per_million=(100.0, 200.0))
    proposer = OfflineLM("offline/proposer", seed=2, cost_per_million=(1000.0, 3000.0))
    optimizer = dspy.COPRO(metric=arithmetic_metric, prompt_model=proposer, breadth=3, depth=2, init_temperature=1.0)
    with dspy.context(lm=task):
        with track(optimizer, name="pytest · COPRO priced", client=client, spool_dir=tmp_path, sync_spool=False) as run:
            optimizer.compile(dspy.Predict("question -> answer"), trainset=trainset, eval_kwargs={"num_threads": 2})
    assert run.errors == 0, run.error_messages
    iterations = client.list_iterations(run.id)
    spent = {role: sum(e["cost"] for e in lm.history) for role, lm in (("task", task), ("proposer", proposer))}
    assert spent["task"] > 0 and spent["proposer"] > 0
    for role, (per_in, per_out) in (("task", (100.0, 200.0)), ("proposer", (1000.0, 3000.0))):
        usage = [i["usageByRole"][role] for i in iterations if role in (i["usageByRole"] or {})]
        # every call of the role is in some iteration (the proposer's last round in the last one)
        assert sum(u["calls"] for u in usage) == len((task if role == "task" else proposer).history)
        assert sum(u["costUsd"] for u in usage) == pytest.approx(spent[role], rel=1e-6)
        assert all(u["costUsd"] == pytest.approx((u["inputTokens"] * per_in + u["outputTokens"] * per_out) / 1e6, rel=1e-6) for u in usage)
    # the task model's cost per example: samples add up to their iteration and the run (the
    # server keeps 6 decimals of each)
    samples = _by_iteration(_all_samples(client, run.id))
    for row in iterations:
        assert all(s["costUsd"] > 0 for s in samples[row["iteration"]])
        assert row["costUsd"] == pytest.approx(sum(s["costUsd"] for s in samples[row["iteration"]]), abs=1e-6)
        assert row["costUsd"] == pytest.approx(row["usageByRole"]["task"]["costUsd"], rel=1e-3)
    assert client.get_run(run.id)["totalCostUsd"] == pytest.approx(spent["task"], rel=1e-3)


def test_simba(client, lms, data, tmp_path):
    trainset, _ = data
    _, proposer = lms
    optimizer = dspy.SIMBA(metric=arithmetic_metric, bsize=4, num_candidates=2, max_steps=2, num_threads=2, prompt_model=proposer)
    with track(optimizer, name="pytest · SIMBA", client=client, spool_dir=tmp_path, sync_spool=False) as run:
        compiled = optimizer.compile(dspy.Predict("question -> answer"), trainset=trainset, seed=1)
    assert run.errors == 0, run.error_messages
    iterations = client.list_iterations(run.id)
    # SIMBA runs no dspy.Evaluate: its final candidates, scored on the trainset, are the iterations
    assert len(iterations) == len(compiled.candidate_programs)
    # the server keeps scores to 4 decimals
    assert sorted(i["score"] for i in iterations) == pytest.approx(sorted(c["score"] for c in compiled.candidate_programs), abs=1e-4)
    assert client.get_run(run.id)["finalScore"] == pytest.approx(max(c["score"] for c in compiled.candidate_programs), abs=1e-4)
    assert iterations[run.selected_iteration]["programHash"] == program_hash(_state(compiled))


# --- failures never reach the compile ------------------------------------------------------


def test_an_integration_error_is_counted_not_raised(client, lms, data, tmp_path, monkeypatch):
    trainset, valset = data
    from optiscope.dspy import _track

    def broken(self, *args):
        raise RuntimeError("boom")

    monkeypatch.setattr(_track.Tracker, "_on_evaluate_end", broken)
    optimizer = dspy.BootstrapFewShotWithRandomSearch(metric=arithmetic_metric, max_bootstrapped_demos=1, num_candidate_programs=1, num_threads=2)
    with track(optimizer, name="pytest · broken handler", valset=valset, client=client, spool_dir=tmp_path, sync_spool=False, quiet=True) as run:
        compiled = optimizer.compile(dspy.Predict("question -> answer"), trainset=trainset, valset=valset)
    assert len(compiled.candidate_programs) == 4
    assert run.errors == 4
    assert "boom" in run.summary_line()
    assert client.get_run(run.id)["status"] == "completed"


class _Proxy:
    """A TCP forwarder to the live server that can be stopped: from the client's side, the
    server goes away."""

    def __init__(self, upstream: str) -> None:
        host, port = upstream.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)
        self.upstream = (host, int(port))
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.connections = []
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                downstream, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.upstream)
            self.connections += [downstream, upstream]
            for a, b in ((downstream, upstream), (upstream, downstream)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, target):
        try:
            while True:
                chunk = source.recv(65536)
                if not chunk:
                    break
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, target):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        self.stopped = True
        self.listener.close()
        for connection in self.connections:
            try:
                connection.close()
            except OSError:
                pass


def test_server_stopped_mid_compile_spools_and_sync_completes_the_run(client, lms, data, tmp_path):
    trainset, valset = data
    proxy = _Proxy(URL)
    proxied = Optiscope(proxy.url, API_KEY)
    calls = {"n": 0}

    def metric(example, prediction, trace=None):
        calls["n"] += 1
        if calls["n"] == 2 * len(valset) + 1:  # two evaluations in: the server goes away
            proxy.stop()
        return arithmetic_metric(example, prediction)

    spool_dir = tmp_path / "spool"
    optimizer = dspy.BootstrapFewShotWithRandomSearch(metric=metric, max_bootstrapped_demos=2, num_candidate_programs=2, num_threads=1)
    with track(optimizer, name="pytest · server stopped", valset=valset, client=proxied, spool_dir=spool_dir, sync_spool=False) as run:
        compiled = optimizer.compile(dspy.Predict("question -> answer"), trainset=trainset, valset=valset)
    evaluations = len(compiled.candidate_programs)
    assert evaluations == 5
    sent, spooled, failed, _ = run.sender.counts()
    assert spooled > 0 and failed == 0
    assert run.errors == 0
    stored = client.get_run(run.id)
    assert stored["status"] == "running"
    assert len(client.list_iterations(run.id)) < evaluations
    spool_file = spool_dir / f"{run.id}.jsonl"
    assert len(spool_file.read_text().splitlines()) == spooled
    replay = tmp_path / "replay"
    replay.mkdir()
    shutil.copy(spool_file, replay / spool_file.name)

    env = {**os.environ, "PYTHONPATH": CLIENT_DIR, "OPTISCOPE_URL": URL, "OPTISCOPE_API_KEY": API_KEY}
    result = subprocess.run([sys.executable, "-m", "optiscope.cli", "sync", "--spool-dir", str(spool_dir)],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    delivered = re.search(r"(\d+) records sent for 1 run\(s\), 0 refused, (\d+) not supported", result.stdout)
    assert delivered and int(delivered.group(1)) + int(delivered.group(2)) == spooled, result.stdout
    assert not spool_file.exists()

    def snapshot():
        run_row = client.get_run(run.id)
        iterations = client.list_iterations(run.id)
        samples = _all_samples(client, run.id)
        return run_row["status"], run_row["finalScore"], len(iterations), len(samples), run_row["samplesEvaluated"]

    after_sync = snapshot()
    assert after_sync == ("completed", pytest.approx(compiled.candidate_programs[0]["score"] / 100), evaluations,
                          evaluations * len(valset), evaluations * len(valset))
    # replaying the same spool again creates nothing twice
    result = subprocess.run([sys.executable, "-m", "optiscope.cli", "sync", "--spool-dir", str(replay)],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert snapshot() == after_sync


def test_unreachable_server_spools_everything_and_the_next_track_uploads_it(client, lms, data, tmp_path):
    trainset, valset = data
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    port = dead.getsockname()[1]
    dead.close()
    optimizer = dspy.BootstrapFewShotWithRandomSearch(metric=arithmetic_metric, max_bootstrapped_demos=1, num_candidate_programs=1, num_threads=2)
    with track(optimizer, name="pytest · offline", valset=valset, client=Optiscope(f"http://127.0.0.1:{port}", API_KEY),
               spool_dir=tmp_path, sync_spool=False, quiet=True) as offline_run:
        optimizer.compile(dspy.Predict("question -> answer"), trainset=trainset, valset=valset)
    sent, spooled, failed, _ = offline_run.sender.counts()
    assert (sent, failed) == (0, 0) and spooled > 0
    assert "spooled to" in offline_run.summary_line()

    second = dspy.BootstrapFewShotWithRandomSearch(metric=arithmetic_metric, max_bootstrapped_demos=1, num_candidate_programs=1, num_threads=2)
    with track(second, name="pytest · online again", valset=valset, client=client, spool_dir=tmp_path, quiet=True) as run:
        second.compile(dspy.Predict("question -> answer"), trainset=trainset, valset=valset)
    assert run.previous_sync.sent + run.previous_sync.unsupported == spooled
    assert (run.previous_sync.failed, run.previous_sync.remaining) == (0, 0)
    assert client.get_run(offline_run.id)["status"] == "completed"
    assert len(client.list_iterations(offline_run.id)) == 4
    assert list(Path(tmp_path).glob("*.jsonl")) == []


def test_an_exception_in_the_block_marks_the_run_failed_and_propagates(client, lms, data, tmp_path):
    trainset, valset = data
    optimizer = dspy.BootstrapFewShotWithRandomSearch(metric=arithmetic_metric, max_bootstrapped_demos=1, num_candidate_programs=1, num_threads=2)
    with pytest.raises(RuntimeError, match="stop here"):
        with track(optimizer, name="pytest · failed", valset=valset, client=client, spool_dir=tmp_path, sync_spool=False, quiet=True) as run:
            optimizer.compile(dspy.Predict("question -> answer"), trainset=trainset, valset=valset)
            raise RuntimeError("stop here")
    stored = client.get_run(run.id)
    assert stored["status"] == "failed"
    assert stored["errorMessage"] == "RuntimeError: stop here"
    # the optimizer is left as it was: no wrapped methods, no callbacks installed
    assert not any(type(cb).__name__ == "_Callback" for cb in dspy.settings.get("callbacks", None) or [])


RECORDER = os.path.join(os.path.dirname(os.path.dirname(CLIENT_DIR)), "scripts", "record-dspy.py")


def _record(tmp_path, *flags):
    env = {**os.environ, "OPTISCOPE_URL": URL or "", "OPTISCOPE_API_KEY": API_KEY or ""}
    result = subprocess.run([sys.executable, RECORDER, "--out", str(tmp_path), "--latency", "0", "--gepa-calls", "80", *flags],
                            capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _real_reflections(proposals):
    reflected = [p for p in proposals if p["kind"] == "reflective" and p.get("proposedState")]
    assert reflected
    for proposal in reflected:
        assert proposal["prompt"].strip() not in ("", "{}") and "examples_with_feedback" in proposal["prompt"]
        assert proposal["rawOutput"].strip() not in ("", "{}")
        assert all(text in proposal["rawOutput"] for text in proposal["proposedState"].values())


def test_recorder_demo_writes_replayable_fixtures_of_both_compiles(tmp_path):
    # scripts/record-dspy.py --demo (the dashboard's demo data): real compiles, every write
    # kept, the run's id replaced by the placeholder the seeder rebinds
    out = _record(tmp_path, "--demo")
    assert "demo · miprov2" in out and "demo · gepa" in out
    for name, structure in (("miprov2", "candidate-pool"), ("gepa", "proposals")):
        text = (tmp_path / "demo" / f"{name}.json").read_text()
        fixture = json.loads(text)
        writes = fixture["writes"]
        assert fixture["recordedWith"]["optimizer"] == name
        assert (writes[0]["method"], writes[0]["path"]) == ("POST", "/runs") and "id" not in writes[0]["body"]
        assert writes[-1]["method"] == "PATCH" and writes[-1]["body"]["status"] == "completed"
        assert all(w["path"] == "/runs" or w["path"].startswith("/runs/{runId}") for w in writes)
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text)
        assert [w["atMs"] for w in writes] == sorted(w["atMs"] for w in writes)
        resources = Counter(w["path"].split("/")[-1] for w in writes)
        assert resources["iterations"] > 0 and resources["samples"] > 0 and resources[structure] > 0
        selected = [i for w in writes if w["path"].endswith("/iterations") for i in (w["body"] if isinstance(w["body"], list) else [w["body"]]) if i.get("selected")]
        assert len(selected) == 1
        if name == "gepa":
            _real_reflections([p for w in writes if w["path"].endswith("/proposals") for p in w["body"]])
        else:
            metadata = [w["body"]["metadata"] for w in writes if w["method"] == "PATCH" and "metadata" in w["body"]]
            assert metadata and metadata[-1]["lmCallEstimate"]["programCalls"] == 6 * 8 + 16 * (8 // 3 + 1)


def test_recorder_structure_and_insight_read_the_stored_run_back(client, tmp_path):
    # scripts/record-dspy.py --structure --insight: a compile tracked into the live server,
    # its stored rows written as the optimizer views' and the insight tests' fixtures read them
    out = _record(tmp_path, "--structure", "--insight", "--optimizer", "gepa")
    assert "structure · gepa" in out and "insight · gepa" in out
    structure = json.loads((tmp_path / "structure" / "gepa.json").read_text())
    assert set(structure) == {"run", "iterations", "candidates", "candidatePool", "pareto", "proposals"}
    assert structure["run"]["optimizerType"] == "gepa" and structure["run"]["status"] == "completed"
    assert len(structure["candidates"]) > 1 and structure["pareto"] and structure["candidatePool"] == []
    assert [i["iteration"] for i in structure["iterations"]] == list(range(len(structure["iterations"])))
    assert sum(i["isSelected"] for i in structure["iterations"]) == 1
    assert not any(k in row for rows in structure.values() if isinstance(rows, list) for row in rows for k in ("runId", "projectId", "id"))
    _real_reflections(structure["proposals"])
    insight = json.loads((tmp_path / "insight" / "gepa-run.json").read_text())
    assert insight["name"] == "gepa (recorded)" and insight["run"]["optimizerType"] == "gepa"
    assert len(insight["samples"]) == sum(i["samplesEvaluated"] for i in insight["iterations"])
