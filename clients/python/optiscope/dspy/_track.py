"""``track``: capture what a DSPy optimizer does during ``compile`` into an Optiscope run.

Capture goes through DSPy's public hooks wherever they exist: a ``BaseCallback`` (compile,
Evaluate, module and LM calls) and a usage tracker installed with ``dspy.context``, gepa's
own callbacks (through ``GEPA.gepa_kwargs["callbacks"]``) and the attributes the compiled
program carries (``candidate_programs``, ``trial_logs``, ``detailed_results``). MIPROv2's
candidate pools and the settings its search really runs with are returned by no public API:
three of its methods are wrapped on the optimizer instance for the duration of the ``with``
block and restored on exit.

Nothing here may break or slow the compile: every handler catches its own exceptions
(counted, reported in the closing line) and writes go out through ``Sender``.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import platform
import re
import subprocess
import sys
import threading
import time
import uuid
from typing import Any, Callable, Dict, List, Optional, Sequence

import dspy
from dspy.utils.callback import BaseCallback
from dspy.utils.usage_tracker import UsageTracker

from ..client import Optiscope, __version__, _json_default
from ..sender import Sender, Spool, sync

ROLE_TASK = "task"

# MIPROv2's candidate pools: the methods that return them (verified against dspy 3.4.1).
_MIPRO_POOL_METHODS = ("_bootstrap_fewshot_examples", "_propose_instructions")
# MIPROv2's search, called with the effective trials, minibatch and valset (after `auto`).
_MIPRO_SEARCH_METHOD = "_optimize_prompt_parameters"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=_json_default, ensure_ascii=False, separators=(",", ":"))


def _jsonable(value: Any) -> Any:
    return json.loads(_canonical(value))


def program_hash(state: Any) -> str:
    """A stable hash of a program's ``dump_state()``."""
    return hashlib.sha256(_canonical(state).encode("utf-8")).hexdigest()[:32]


def _as_dict(value: Any) -> Any:
    if value is None:
        return None
    for method in ("toDict", "items"):
        if hasattr(value, method):
            try:
                return dict(value.toDict()) if method == "toDict" else dict(value.items())
            except Exception:
                pass
    return value


def _unwrap_traced(prediction: Any) -> Any:
    """GEPA's trace capture evaluates a wrapped program that returns (prediction, trace):
    the sample's output is the prediction, not the trace's reprs."""
    if isinstance(prediction, (tuple, list)) and len(prediction) == 2 and hasattr(prediction[0], "toDict"):
        return prediction[0]
    return prediction


def example_id(example: Any) -> str:
    """A stable id of an example: a hash of its input fields (the same across runs)."""
    try:
        inputs = example.inputs().toDict() if hasattr(example, "inputs") else _as_dict(example)
    except Exception:
        inputs = _as_dict(example)
    return "ex_" + hashlib.sha256(_canonical(inputs).encode("utf-8")).hexdigest()[:24]


def _inputs_id(inputs: Dict[str, Any]) -> str:
    return "ex_" + hashlib.sha256(_canonical(dict(inputs)).encode("utf-8")).hexdigest()[:24]


def _score_value(raw: Any) -> Any:
    """A metric's result -> (score, feedback)."""
    feedback = None
    if hasattr(raw, "score") and not isinstance(raw, (int, float)):
        feedback = getattr(raw, "feedback", None)
        raw = raw.score
    if isinstance(raw, bool):
        raw = 1.0 if raw else 0.0
    try:
        raw = float(raw)
    except (TypeError, ValueError):
        raw = None
    return raw, feedback


def _unit_score(value: Optional[float], scale: float = 1.0) -> Optional[float]:
    if value is None or value != value:
        return None
    score = value / scale
    return score if 0.0 <= score <= 1.0 else None


def _lm_config(lm: Any) -> Any:
    if lm is None:
        return None
    kwargs = {k: v for k, v in (getattr(lm, "kwargs", {}) or {}).items() if isinstance(v, (str, int, float, bool)) or v is None}
    return {"model": getattr(lm, "model", type(lm).__name__), "class": type(lm).__name__, **kwargs}


def _param_value(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dspy.BaseLM):
        return _lm_config(value)
    if callable(value):
        return getattr(value, "__name__", type(value).__name__)
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float, bool)) or v is None for v in value):
        return list(value)
    if isinstance(value, dict) and all(isinstance(v, (str, int, float, bool)) or v is None for v in value.values()):
        return {str(k): v for k, v in value.items()}
    return type(value).__name__


def _optimizer_params(optimizer: Any) -> Dict[str, Any]:
    params = {}
    for key, value in vars(optimizer).items():
        if key.startswith("_") or key in ("rng",):
            continue
        params[key] = _param_value(value)
    return params


def _git_commit() -> Optional[str]:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=2, cwd=os.getcwd())
        return out.stdout.strip() or None if out.returncode == 0 else None
    except Exception:
        return None


def _versions() -> Dict[str, Any]:
    meta: Dict[str, Any] = {
        "dspyVersion": getattr(dspy, "__version__", None),
        "pythonVersion": platform.python_version(),
        "optiscopeVersion": __version__,
        "platform": platform.platform(),
    }
    try:
        import gepa  # noqa: F401
        from importlib.metadata import version

        meta["gepaVersion"] = version("gepa")
    except Exception:
        pass
    commit = _git_commit()
    if commit:
        meta["gitCommit"] = commit
    return meta


OPTIMIZER_TYPES = {
    "MIPROv2": "miprov2",
    "GEPA": "gepa",
    "BootstrapFewShot": "bootstrap_fewshot",
    "BootstrapFewShotWithRandomSearch": "bootstrap_fewshot_random_search",
    "COPRO": "copro",
    "SIMBA": "simba",
}


class _EvalState:
    __slots__ = ("iteration", "program", "devset", "metadata", "started", "kind", "trial", "tokens", "costs", "errors", "call_id")

    def __init__(self, iteration: int, program: Any, devset: List[Any], metadata: Dict[str, Any], call_id: str) -> None:
        self.iteration = iteration
        self.program = program
        self.devset = devset
        self.metadata = metadata
        self.started = time.monotonic()
        self.kind: Optional[str] = None
        self.trial: Optional[int] = None
        self.tokens: Dict[str, int] = {}
        self.costs: Dict[str, float] = {}
        self.errors: Dict[str, str] = {}
        self.call_id = call_id


class _SharedUsage(UsageTracker):
    """DSPy's usage tracker, reporting each LM response's usage to the tracker. Shared,
    not copied, across DSPy's worker threads (ParallelExecutor deep-copies trackers)."""

    def __init__(self, owner: "Tracker", previous: Any) -> None:
        super().__init__()
        self._owner = owner
        self._previous = previous

    def __deepcopy__(self, memo: Any) -> "_SharedUsage":
        return self

    def add_usage(self, lm: str, usage_entry: Dict[str, Any]) -> None:
        if self._previous is not None:
            try:
                self._previous.add_usage(lm, usage_entry)
            except Exception:
                pass
        self._owner._guard(self._owner._on_usage, lm, usage_entry)


class _Callback(BaseCallback):
    def __init__(self, owner: "Tracker") -> None:
        self.owner = owner

    def on_compile_start(self, call_id, instance, inputs):
        self.owner._guard(self.owner._on_compile_start, call_id, instance, inputs)

    def on_compile_end(self, call_id, outputs, exception=None):
        self.owner._guard(self.owner._on_compile_end, call_id, outputs, exception)

    def on_evaluate_start(self, call_id, instance, inputs):
        self.owner._guard(self.owner._on_evaluate_start, call_id, instance, inputs)

    def on_evaluate_end(self, call_id, outputs, exception=None):
        self.owner._guard(self.owner._on_evaluate_end, call_id, outputs, exception)

    def on_module_start(self, call_id, instance, inputs):
        self.owner._guard(self.owner._on_module_start, call_id, instance, inputs)

    def on_module_end(self, call_id, outputs, exception=None):
        self.owner._guard(self.owner._on_module_end, call_id, outputs, exception)

    def on_lm_start(self, call_id, instance, inputs):
        self.owner._local.lm = instance
        self.owner._guard(self.owner._on_lm_start, call_id, instance, inputs)

    def on_lm_end(self, call_id, outputs, exception=None):
        self.owner._guard(self.owner._on_lm_end, call_id, outputs, exception)


class Tracker:
    """The context manager ``track`` returns: ``run.id``, ``run.url``, counters, and after
    the block ``run.selected_iteration`` / ``run.final_score``."""

    def __init__(
        self,
        optimizer: Any,
        *,
        name: Optional[str] = None,
        tags: Optional[Sequence[str]] = None,
        valset: Optional[Sequence[Any]] = None,
        client: Optional[Optiscope] = None,
        spool_dir: Optional[os.PathLike] = None,
        project_id: Optional[str] = None,
        log_samples: bool = True,
        sync_spool: bool = True,
        quiet: bool = False,
        metadata: Optional[Dict[str, Any]] = None,
    ) -> None:
        self.optimizer = optimizer
        self.optimizer_class = type(optimizer).__name__
        self.optimizer_type = OPTIMIZER_TYPES.get(self.optimizer_class, self.optimizer_class.lower())
        self.name = name or f"{self.optimizer_class} {time.strftime('%Y-%m-%d %H:%M')}"
        self.tags = list(tags or [])
        self.valset = list(valset) if valset is not None else None
        self.trainset: Optional[List[Any]] = None
        self.client = client or Optiscope()
        self.spool = Spool(spool_dir)
        self.project_id = project_id
        self.log_samples = log_samples
        self.sync_spool = sync_spool
        self.quiet = quiet
        self.extra_metadata = dict(metadata or {})
        self.id = str(uuid.uuid4())
        self.result: Any = None
        self.selected_iteration: Optional[int] = None
        self.final_score: Optional[float] = None
        self.errors = 0
        self.error_messages: List[str] = []
        self.counts: Dict[str, int] = {"iterations": 0, "samples": 0, "candidates": 0, "pool": 0, "pareto": 0, "proposals": 0}
        self.sender: Optional[Sender] = None
        self.previous_sync = None

        self._lock = threading.RLock()
        self._local = threading.local()
        self._evals: Dict[str, _EvalState] = {}
        self._programs: Dict[int, _EvalState] = {}
        self._next_iteration = 0
        self._budget = 0
        self._t0 = time.monotonic()
        self._usage_pending: Dict[str, Dict[str, Any]] = {}
        self._iterations: Dict[int, Dict[str, Any]] = {}
        self._id_cache: Dict[str, Any] = {}
        self._samples_ok = 0
        self._samples_failed = 0
        self._tokens_total = 0
        self._restore: List[Callable[[], None]] = []
        self._context: Any = None
        self._compile_call: Optional[str] = None
        # MIPROv2
        self._mipro_instructions: Optional[Dict[int, List[str]]] = None
        self._mipro_demos: Optional[Dict[int, List[Any]]] = None
        self._mipro_evals = 0
        self._mipro_propose_args: Dict[str, Any] = {}
        self._metadata: Dict[str, Any] = {}
        # LM calls in flight: call id -> (LM, prompt text when a GEPA reflection is under way, GEPA iteration)
        self._lm_calls: Dict[str, Any] = {}
        # GEPA
        self._gepa: Optional[_GepaCapture] = None
        self._roles = self._role_map()

    # --- plumbing ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.client.run_url(self.id)

    def _guard(self, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except Exception as error:  # the compile must never see an integration failure
            with self._lock:
                self.errors += 1
                if len(self.error_messages) < 10:
                    self.error_messages.append(f"{fn.__name__}: {type(error).__name__}: {error}")
            return None

    def _send(self, method: str, path: str, body: Any, kind: Optional[str] = None, count: int = 1) -> None:
        if self.sender is not None:
            self.sender.submit(method, path, body)
            if kind:
                with self._lock:
                    self.counts[kind] = self.counts.get(kind, 0) + count

    def _run_path(self, suffix: str = "") -> str:
        return f"/runs/{self.id}{suffix}"

    def _role_map(self) -> Dict[int, str]:
        roles: Dict[int, str] = {}
        for attr, role in (("task_model", "task"), ("prompt_model", "proposer"), ("reflection_lm", "reflection"), ("teacher_model", "teacher")):
            lm = getattr(self.optimizer, attr, None)
            if isinstance(lm, dspy.BaseLM) and id(lm) not in roles:
                roles[id(lm)] = role
        return roles

    def _role_of(self, instance: Any, model: str) -> str:
        if instance is not None and id(instance) in self._roles:
            return self._roles[id(instance)]
        for attr, role in (("prompt_model", "proposer"), ("reflection_lm", "reflection")):
            lm = getattr(self.optimizer, attr, None)
            task = getattr(self.optimizer, "task_model", None) or dspy.settings.lm
            if isinstance(lm, dspy.BaseLM) and lm.model == model and not (task is not None and getattr(task, "model", None) == model):
                return role
        return ROLE_TASK

    # --- enter / exit -----------------------------------------------------------------

    def __enter__(self) -> "Tracker":
        sender_client = Optiscope(self.client.base_url, self.client.api_key, timeout=10, max_retries=2, backoff=0.25)
        if self.sync_spool and self.spool.files():
            # the next `track` uploads what earlier runs spooled (best effort)
            self.previous_sync = self._guard(sync, sender_client, self.spool.directory)
        self.sender = Sender(sender_client, self.id, self.spool)
        self._t0 = time.monotonic()
        config: Dict[str, Any] = {"optimizer": self.optimizer_class, self.optimizer_type: _optimizer_params(self.optimizer)}
        lms = {"task": _lm_config(getattr(self.optimizer, "task_model", None) or dspy.settings.lm)}
        for attr, role in (("prompt_model", "proposer"), ("reflection_lm", "reflection")):
            if getattr(self.optimizer, attr, None) is not None:
                lms[role] = _lm_config(getattr(self.optimizer, attr))
        config["lms"] = lms
        if self.valset is not None:
            config["valsetSize"] = len(self.valset)
        self._config = config
        metadata = {**_versions(), **self.extra_metadata}
        self._metadata = metadata
        body: Dict[str, Any] = {
            "id": self.id,
            "runName": self.name[:500],
            "optimizerType": self.optimizer_type,
            "status": "running",
            "config": config,
            "metadata": metadata,
            "tags": self.tags,
            "startedAt": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        }
        if self.project_id:
            body["projectId"] = self.project_id
        self._send("POST", "/runs", body)
        # a capture that cannot be installed leaves the compile alone (counted, reported)
        self._guard(self._install)
        return self

    def _install(self) -> None:
        callback = _Callback(self)
        callbacks = list(dspy.settings.get("callbacks", None) or []) + [callback]
        usage = _SharedUsage(self, dspy.settings.get("usage_tracker", None))
        self._context = dspy.context(callbacks=callbacks, usage_tracker=usage)
        self._context.__enter__()
        if self.optimizer_class == "MIPROv2":
            self._wrap_mipro()
        if hasattr(self.optimizer, "gepa_kwargs"):
            self._gepa = _GepaCapture(self)
            original = self.optimizer.gepa_kwargs
            kwargs = dict(original or {})
            kwargs["callbacks"] = list(kwargs.get("callbacks") or []) + [self._gepa]
            self.optimizer.gepa_kwargs = kwargs
            self._restore.append(lambda: setattr(self.optimizer, "gepa_kwargs", original))

    def _wrap_mipro(self) -> None:
        optimizer = self.optimizer
        for name in (*_MIPRO_POOL_METHODS, _MIPRO_SEARCH_METHOD):
            original = getattr(optimizer, name, None)
            if original is None:
                continue
            had_own = name in vars(optimizer)

            def wrapper(*args: Any, __original=original, __name=name, **kwargs: Any) -> Any:
                if __name == _MIPRO_SEARCH_METHOD:
                    self._guard(self._on_mipro_search, __original, args, kwargs)
                    return __original(*args, **kwargs)
                result = __original(*args, **kwargs)
                self._guard(self._on_mipro_pool, __name, args, kwargs, result)
                return result

            setattr(optimizer, name, wrapper)

            def restore(name=name, original=original, had_own=had_own) -> None:
                if had_own:
                    setattr(optimizer, name, original)
                else:
                    vars(optimizer).pop(name, None)

            self._restore.append(restore)

    def _uninstall(self) -> None:
        if self._context is not None:
            try:
                self._context.__exit__(None, None, None)
            except Exception as error:
                self._guard(lambda: (_ for _ in ()).throw(error))
            self._context = None
        for restore in reversed(self._restore):
            self._guard(restore)
        self._restore.clear()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        self._uninstall()
        self._guard(self._finalize, exc_type, exc)
        if self.sender is not None:
            self.sender.close()
        if not self.quiet:
            print(self.summary_line(), file=sys.stderr)
        return False

    def summary_line(self) -> str:
        sent, spooled, failed, unsupported = self.sender.counts() if self.sender else (0, 0, 0, 0)
        parts = [
            f"optiscope: run {self.url}:",
            f"{self.counts['iterations']} evaluations, {self.counts['samples']} samples",
        ]
        if self.counts.get("candidates"):
            parts.append(f"{self.counts['candidates']} candidates")
        if self.counts.get("proposals"):
            parts.append(f"{self.counts['proposals']} proposals")
        line = ", ".join(parts[1:])
        text = f"{parts[0]} {line} captured; {sent} writes logged, {spooled} spooled"
        if spooled:
            text += f" to {self.spool.directory} (run `optiscope sync`)"
        text += f", {failed} failed"
        if unsupported:
            text += f", {unsupported} not supported by the server"
        if self.errors:
            text += f", {self.errors} integration errors ({self.error_messages[0]})"
        return text

    # --- compile ----------------------------------------------------------------------

    def _on_compile_start(self, call_id: str, instance: Any, inputs: Dict[str, Any]) -> None:
        if instance is not self.optimizer or self._compile_call is not None:
            return
        self._compile_call = call_id
        kwargs = dict(inputs.get("kwargs") or {})
        args = {k: v for k, v in inputs.items() if k not in ("kwargs", "args")}
        args.update(kwargs)
        compile_args: Dict[str, Any] = {}
        for key, value in args.items():
            if key in ("student", "teacher", "program"):
                continue
            if key in ("trainset", "valset", "devset") and value is not None:
                compile_args[f"{key}Size"] = len(value)
                continue
            compile_args[key] = _param_value(value)
        trainset = args.get("trainset")
        valset = args.get("valset")
        if trainset is not None:
            self.trainset = list(trainset)
        if valset is not None:
            self.valset = list(valset)
        config = dict(self._config)
        config["compile"] = compile_args
        if self.trainset is not None:
            config["trainsetSize"] = len(self.trainset)
        if self.valset is not None:
            config["valsetSize"] = len(self.valset)
        seed = compile_args.get("seed", None)
        if seed is None:
            seed = getattr(self.optimizer, "seed", None)
        if seed is not None:
            config["seed"] = seed
        self._config = config
        self._send("PATCH", self._run_path(), {"config": config})

    def _on_compile_end(self, call_id: str, outputs: Any, exception: Any) -> None:
        if call_id == self._compile_call and outputs is not None:
            self.result = outputs

    # --- usage ------------------------------------------------------------------------

    def _on_usage(self, model: str, usage: Dict[str, Any]) -> None:
        instance = getattr(self._local, "lm", None)
        role = self._role_of(instance, model)
        inp = int(usage.get("prompt_tokens") or usage.get("input_tokens") or 0)
        out = int(usage.get("completion_tokens") or usage.get("output_tokens") or 0)
        with self._lock:
            entry = self._usage_pending.setdefault(role, {"model": model, "calls": 0, "inputTokens": 0, "outputTokens": 0})
            entry["calls"] += 1
            entry["inputTokens"] += inp
            entry["outputTokens"] += out
            self._tokens_total += inp + out
        current = getattr(self._local, "sample", None)
        if current is not None:
            state, ex_id = current
            with self._lock:
                state.tokens[ex_id] = state.tokens.get(ex_id, 0) + inp + out

    def _on_lm_start(self, call_id: str, instance: Any, inputs: Dict[str, Any]) -> None:
        gepa = self._gepa
        reflecting = gepa.reflecting if gepa is not None else None
        prompt = _prompt_text(inputs) if reflecting is not None else None
        with self._lock:
            self._lm_calls[call_id] = (instance, prompt, reflecting)

    def _on_lm_end(self, call_id: str, outputs: Any, exception: Any) -> None:
        with self._lock:
            call = self._lm_calls.pop(call_id, None)
        if call is None:
            return
        instance, prompt, reflecting = call
        if reflecting is not None and self._gepa is not None:
            self._gepa.reflection_call(reflecting, prompt, None if exception is not None else _output_text(outputs))
        cost = _history_cost(instance, outputs) if exception is None else None
        if cost is None:
            return
        role = self._role_of(instance, getattr(instance, "model", ""))
        with self._lock:
            entry = self._usage_pending.setdefault(role, {"model": getattr(instance, "model", None), "calls": 0, "inputTokens": 0, "outputTokens": 0})
            entry["costUsd"] = entry.get("costUsd", 0.0) + cost
        current = getattr(self._local, "sample", None)
        if current is not None:
            state, ex_id = current
            with self._lock:
                state.costs[ex_id] = state.costs.get(ex_id, 0.0) + cost

    def _take_usage(self) -> Dict[str, Any]:
        with self._lock:
            usage, self._usage_pending = self._usage_pending, {}
        for entry in usage.values():
            if "costUsd" in entry:
                entry["costUsd"] = round(entry["costUsd"], 8)
        return usage

    # --- module calls inside an evaluation: per-sample tokens and errors ---------------

    def _on_module_start(self, call_id: str, instance: Any, inputs: Dict[str, Any]) -> None:
        if getattr(self._local, "sample", None) is not None:
            return
        state = self._programs.get(id(instance))
        if state is None:
            return
        kwargs = dict(inputs.get("kwargs") or {})
        if not kwargs:
            kwargs = {k: v for k, v in inputs.items() if k != "args"}
        self._local.sample = (state, _inputs_id(kwargs))
        self._local.sample_call = call_id

    def _on_module_end(self, call_id: str, outputs: Any, exception: Any) -> None:
        if getattr(self._local, "sample_call", None) != call_id:
            return
        state, ex_id = self._local.sample
        if exception is not None:
            with self._lock:
                state.errors[ex_id] = f"{type(exception).__name__}: {exception}"[:10_000]
        self._local.sample = None
        self._local.sample_call = None

    # --- evaluations --------------------------------------------------------------------

    def _eval_kind(self, devset: List[Any], metadata: Dict[str, Any]) -> Optional[str]:
        key = metadata.get("metric_key")
        if key == "eval_full":
            return "full"
        if key == "eval_minibatch" or metadata.get("disable_logging"):
            return "minibatch"
        if self.valset:
            return "full" if len(devset) >= len(self.valset) else "minibatch"
        return None

    def _ids_of(self, name: str, dataset: Optional[List[Any]]) -> Optional[set]:
        if dataset is None:
            return None
        cached = self._id_cache.get(name)
        if cached is None or cached[0] is not dataset:
            cached = self._id_cache[name] = (dataset, {example_id(e) for e in dataset})
        return cached[1]

    def _dataset_of(self, devset: List[Any]) -> Optional[str]:
        ids = {example_id(e) for e in devset}
        val = self._ids_of("val", self.valset)
        if val is not None and ids <= val:
            return "val"
        train = self._ids_of("train", self.trainset)
        if train is not None and ids <= train:
            return "train"
        return None

    def _on_evaluate_start(self, call_id: str, instance: Any, inputs: Dict[str, Any]) -> None:
        program = inputs.get("program")
        devset = inputs.get("devset") or getattr(instance, "devset", None) or []
        metadata = dict(inputs.get("callback_metadata") or {})
        with self._lock:
            iteration = self._next_iteration
            self._next_iteration += 1
            state = _EvalState(iteration, program, list(devset), metadata, call_id)
            state.kind = self._eval_kind(state.devset, metadata)
            if self.optimizer_class == "MIPROv2":
                self._mipro_evals += 1
                # MIPROv2's trial_logs number every evaluation in order from 1 (verified in 3.4.1)
                state.trial = self._mipro_evals
            self._evals[call_id] = state
            self._programs[id(program)] = state

    def _on_evaluate_end(self, call_id: str, outputs: Any, exception: Any) -> None:
        with self._lock:
            state = self._evals.pop(call_id, None)
            if state is None:
                return
            if self._programs.get(id(state.program)) is state:
                del self._programs[id(state.program)]
            self._budget += len(state.devset)
            budget = self._budget
        usage = self._take_usage()
        elapsed_ms = int((time.monotonic() - self._t0) * 1000)
        duration_ms = int((time.monotonic() - state.started) * 1000)
        program_state = _jsonable(state.program.dump_state()) if state.program is not None else None
        phash = program_hash(program_state) if program_state is not None else None
        raw = getattr(outputs, "score", None) if outputs is not None else None
        results = list(getattr(outputs, "results", None) or []) if outputs is not None else []
        params: Dict[str, Any] = {}
        if state.metadata:
            params["callbackMetadata"] = _jsonable(state.metadata)
        candidate_id = None
        if self.optimizer_class == "MIPROv2":
            chosen = self._mipro_chosen(state.program)
            if chosen:
                params["chosen"] = chosen
                candidate_id = "mipro:" + ";".join(
                    f"{p}:{c.get('instruction', '-')}/{c.get('demos', '-')}" for p, c in sorted(chosen.items(), key=lambda kv: int(kv[0]))
                )
        if candidate_id is None and phash is not None and self._gepa is None:
            candidate_id = "h:" + phash[:16]
        samples = []
        tokens_sum = 0
        ok = failed = 0
        for index, item in enumerate(results):
            try:
                example, prediction, metric_value = item
            except (TypeError, ValueError):
                continue
            prediction = _unwrap_traced(prediction)
            ex_id = example_id(example)
            value, feedback = _score_value(metric_value)
            error = state.errors.get(ex_id)
            if error is None and exception is None and prediction is not None and not _as_dict(prediction):
                error = "the program returned nothing (DSPy's Evaluate swallowed an exception)"
            tokens = state.tokens.get(ex_id, 0)
            tokens_sum += tokens
            if error:
                failed += 1
            else:
                ok += 1
            sample: Dict[str, Any] = {
                "iteration": state.iteration,
                "sampleIndex": index,
                "exampleId": ex_id,
                "input": _jsonable(example.inputs().toDict()) if hasattr(example, "inputs") else _jsonable(_as_dict(example)),
                "expected": _jsonable(example.labels().toDict()) if hasattr(example, "labels") else None,
                "output": _jsonable(_as_dict(prediction)) if prediction is not None else None,
                "score": None if error else _unit_score(value),
                "error": error,
                "tokens": tokens,
                "programHash": phash,
            }
            if ex_id in state.costs:
                sample["costUsd"] = round(state.costs[ex_id], 8)
            if feedback is not None:
                sample["feedback"] = str(feedback)[:10_000]
            if value is not None and _unit_score(value) is None:
                sample["metadata"] = {"rawScore": value}
            samples.append(sample)
        with self._lock:
            self._samples_ok += ok
            self._samples_failed += failed
        scale = 100.0
        body: Dict[str, Any] = {
            "iteration": state.iteration,
            "score": _unit_score(raw, scale) if raw is not None else None,
            "rawScore": raw,
            "scoreScale": scale,
            "evalKind": state.kind,
            "dataset": self._dataset_of(state.devset),
            "params": params,
            "programState": program_state,
            "programHash": phash,
            "samplesEvaluated": len(results) or len(state.devset),
            "tokens": tokens_sum,
            "usageByRole": usage,
            "budgetUsed": self._gepa.budget if self._gepa is not None and self._gepa.budget else budget,
            "elapsedMs": elapsed_ms,
            "durationMs": duration_ms,
        }
        if state.trial is not None:
            body["trial"] = state.trial
        if candidate_id is not None:
            body["candidateId"] = candidate_id
        if exception is not None:
            body["params"]["error"] = f"{type(exception).__name__}: {exception}"[:2000]
        body = {k: v for k, v in body.items() if v is not None}
        with self._lock:
            self._iterations[state.iteration] = {
                "score": body.get("score"),
                "raw": raw,
                "kind": state.kind,
                "hash": phash,
                "state": program_state,
                "candidateId": candidate_id,
                "components": _components(state.program),
                "budget": body["budgetUsed"],
                "usage": usage,
            }
        self._send("POST", self._run_path("/iterations"), [body], "iterations")
        if self.log_samples and samples:
            for start in range(0, len(samples), 1000):
                chunk = samples[start : start + 1000]
                self._send("POST", self._run_path("/samples"), chunk, "samples", len(chunk))

    # --- MIPROv2 ----------------------------------------------------------------------

    def _on_mipro_search(self, method: Any, args: Any, kwargs: Any) -> None:
        """DSPy's own estimate of the LM calls (``MIPROv2._estimate_lm_calls``), computed with
        the values the search really runs with, onto the run's metadata."""
        estimate = getattr(self.optimizer, "_estimate_lm_calls", None)
        if estimate is None:
            return
        bound = inspect.signature(method).bind(*args, **kwargs).arguments
        propose = self._mipro_propose_args
        lines = estimate(
            bound["program"], bound["num_trials"], bound["minibatch"], bound["minibatch_size"],
            bound["minibatch_full_eval_steps"], bound["valset"],
            propose.get("program_aware_proposer", True), propose["num_instruct_candidates"],
        )
        text = [_ANSI.sub("", str(line)).strip() for line in lines]
        prompt_calls = re.search(r"= (\d+) prompt model calls", text[0])
        program_calls = re.search(r"= (\d+) LM program calls", text[1], re.I)
        self._metadata["lmCallEstimate"] = {
            "source": "dspy MIPROv2._estimate_lm_calls",
            "promptModelCalls": int(prompt_calls.group(1)) if prompt_calls else None,
            "programCalls": int(program_calls.group(1)) if program_calls else None,
            "lines": text,
        }
        self._send("PATCH", self._run_path(), {"metadata": self._metadata})

    def _on_mipro_pool(self, name: str, args: Any, kwargs: Any, result: Any) -> None:
        if name == "_propose_instructions":
            method = getattr(type(self.optimizer), name)
            self._mipro_propose_args = dict(inspect.signature(method).bind(self.optimizer, *args, **kwargs).arguments)
        program = args[0] if args else kwargs.get("program")
        names = [n for n, _ in program.named_predictors()] if program is not None else []
        rows = []
        if name == "_bootstrap_fewshot_examples" and result:
            self._mipro_demos = result
            for p_index, sets in sorted(result.items()):
                for c_index, demos in enumerate(sets):
                    content = [_jsonable(_as_dict(d)) for d in demos]
                    rows.append({
                        "predictorIndex": int(p_index),
                        "predictorName": names[p_index] if p_index < len(names) else str(p_index),
                        "kind": "demos",
                        "candidateIndex": c_index,
                        "text": "\n\n".join(_canonical(d) for d in content)[:100_000],
                        "content": content,
                    })
        elif name == "_propose_instructions" and result:
            self._mipro_instructions = result
            for p_index, texts in sorted(result.items()):
                for c_index, text in enumerate(texts):
                    rows.append({
                        "predictorIndex": int(p_index),
                        "predictorName": names[p_index] if p_index < len(names) else str(p_index),
                        "kind": "instruction",
                        "candidateIndex": c_index,
                        "text": str(text)[:100_000],
                    })
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            self._send("POST", self._run_path("/candidate-pool"), chunk, "pool", len(chunk))

    def _mipro_chosen(self, program: Any) -> Dict[str, Dict[str, int]]:
        if program is None or self._mipro_instructions is None:
            return {}
        chosen: Dict[str, Dict[str, int]] = {}
        for p_index, predictor in enumerate(program.predictors()):
            entry: Dict[str, int] = {}
            texts = self._mipro_instructions.get(p_index) or []
            instruction = predictor.signature.instructions
            if instruction in texts:
                entry["instruction"] = texts.index(instruction)
            sets = (self._mipro_demos or {}).get(p_index) or []
            demos = _canonical([_as_dict(d) for d in predictor.demos])
            for c_index, candidate in enumerate(sets):
                if _canonical([_as_dict(d) for d in candidate]) == demos:
                    entry["demos"] = c_index
                    break
            chosen[str(p_index)] = entry
        return chosen

    # --- the end ----------------------------------------------------------------------

    def _finalize(self, exc_type: Any, exc: Any) -> None:
        if self._gepa is not None:
            self._gepa.flush()
        result = self.result
        if self.optimizer_class == "SIMBA" and result is not None:
            self._simba_candidates(result)
        selected = None
        if result is not None:
            selected = self._select(result)
        self._flush_usage()
        self._log_candidates(result)
        status = "completed"
        patch: Dict[str, Any] = {}
        if exc_type is not None:
            status = "cancelled" if issubclass(exc_type, KeyboardInterrupt) else "failed"
            patch["errorMessage"] = f"{exc_type.__name__}: {exc}"[:10_000]
        patch["status"] = status
        with self._lock:
            patch["samplesEvaluated"] = self._samples_ok + self._samples_failed
            patch["samplesSuccessful"] = self._samples_ok
            patch["samplesFailed"] = self._samples_failed
            firsts = [v for k, v in sorted(self._iterations.items()) if v["score"] is not None and v["kind"] != "minibatch"]
        if firsts:
            patch["initialScore"] = firsts[0]["score"]
        if selected is not None:
            self.selected_iteration = selected
            self.final_score = self._iterations[selected]["score"]
            if self.final_score is not None:
                patch["finalScore"] = self.final_score
        self._send("PATCH", self._run_path(), patch)

    def _flush_usage(self) -> None:
        """LM usage after the last evaluation (a proposer's last round) joins the last
        iteration's usageByRole, so that the iterations add up to every call."""
        leftover = self._take_usage()
        with self._lock:
            if not leftover or not self._iterations:
                return
            last = max(self._iterations)
            merged = {role: dict(entry) for role, entry in (self._iterations[last].get("usage") or {}).items()}
            for role, entry in leftover.items():
                into = merged.setdefault(role, {"model": entry.get("model"), "calls": 0, "inputTokens": 0, "outputTokens": 0})
                for key in ("calls", "inputTokens", "outputTokens"):
                    into[key] = into.get(key, 0) + entry.get(key, 0)
                if "costUsd" in entry:
                    into["costUsd"] = round(into.get("costUsd", 0.0) + entry["costUsd"], 8)
            self._iterations[last]["usage"] = merged
        self._send("POST", self._run_path("/iterations"), [{"iteration": last, "usageByRole": merged}])

    def _select(self, result: Any) -> Optional[int]:
        """Marks the iteration that evaluated the returned program as selected."""
        state = _jsonable(result.dump_state())
        phash = program_hash(state)
        with self._lock:
            matches = [(k, v) for k, v in self._iterations.items() if v["hash"] == phash]
        if not matches:
            # the optimizer returned a program no Evaluate scored (BootstrapFewShot): log it
            with self._lock:
                iteration = self._next_iteration
                self._next_iteration += 1
                self._iterations[iteration] = {
                    "score": None, "raw": None, "kind": None, "hash": phash, "state": state,
                    "candidateId": None, "components": _components(result), "budget": self._budget,
                }
            body = {"iteration": iteration, "programState": state, "programHash": phash, "selected": True,
                    "params": {"note": "the program the optimizer returned"},
                    "elapsedMs": int((time.monotonic() - self._t0) * 1000)}
            self._send("POST", self._run_path("/iterations"), [body], "iterations")
            return iteration
        rank = {"full": 0, None: 1, "minibatch": 2}
        matches.sort(key=lambda kv: (rank.get(kv[1]["kind"], 1), -(kv[1]["score"] if kv[1]["score"] is not None else -1), kv[0]))
        iteration = matches[0][0]
        self._send("POST", self._run_path("/iterations"), [{"iteration": iteration, "selected": True}])
        return iteration

    def _simba_candidates(self, result: Any) -> None:
        """SIMBA runs no Evaluate: its final candidates (scored on the trainset) become
        iterations, from the ``candidate_programs`` it attaches to the result."""
        for data in list(getattr(result, "candidate_programs", None) or []):
            program = data.get("program")
            if program is None:
                continue
            state = _jsonable(program.dump_state())
            phash = program_hash(state)
            raw = data.get("score")
            with self._lock:
                iteration = self._next_iteration
                self._next_iteration += 1
                score = _unit_score(raw)
                self._iterations[iteration] = {
                    "score": score, "raw": raw, "kind": "full", "hash": phash, "state": state,
                    "candidateId": "h:" + phash[:16], "components": _components(program), "budget": self._budget,
                }
            body = {"iteration": iteration, "score": score, "rawScore": raw, "scoreScale": 1, "evalKind": "full",
                    "dataset": "train", "programState": state, "programHash": phash, "candidateId": "h:" + phash[:16],
                    "samplesEvaluated": len(self.trainset or []), "params": {"source": "SIMBA candidate_programs"},
                    "elapsedMs": int((time.monotonic() - self._t0) * 1000)}
            self._send("POST", self._run_path("/iterations"), [{k: v for k, v in body.items() if v is not None}], "iterations")

    def _log_candidates(self, result: Any) -> None:
        if self._gepa is not None:
            return  # GEPA's candidates come from its own callbacks
        by_id: Dict[str, Dict[str, Any]] = {}
        with self._lock:
            items = sorted(self._iterations.items())
        rank = {"full": 0, None: 1, "minibatch": 2}
        for iteration, info in items:
            cid = info["candidateId"]
            if cid is None:
                continue
            entry = by_id.get(cid)
            better = entry is None or (rank.get(info["kind"], 1), -(info["score"] or 0)) < (rank.get(entry["_kind"], 1), -(entry.get("score") or 0))
            if entry is None:
                entry = by_id[cid] = {
                    "candidateId": cid,
                    "origin": "trial" if self.optimizer_class == "MIPROv2" else "bootstrap" if "Bootstrap" in self.optimizer_class else "other",
                    "programState": info["state"],
                    "programHash": info["hash"],
                    "metadata": {"evaluations": 0, "iterations": []},
                    "_kind": info["kind"],
                }
            entry["metadata"]["evaluations"] += 1
            entry["metadata"]["iterations"].append(iteration)
            if better and info["score"] is not None:
                entry["score"] = info["score"]
                entry["rawScore"] = info["raw"]
                entry["iteration"] = iteration
                entry["budgetUsed"] = info["budget"]
                entry["_kind"] = info["kind"]
        rows = []
        for entry in by_id.values():
            entry.pop("_kind", None)
            rows.append(entry)
        for start in range(0, len(rows), 200):
            chunk = rows[start : start + 200]
            self._send("POST", self._run_path("/candidates"), chunk, "candidates", len(chunk))


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(_content_text(part) for part in content)
    if isinstance(content, dict):
        return str(content.get("text") if content.get("text") is not None else _canonical(content))
    text = getattr(content, "text", None)
    return str(text) if text is not None else str(content)


def _prompt_text(inputs: Dict[str, Any]) -> Optional[str]:
    """The messages an LM call was given, as one text (role headers between them)."""
    messages = inputs.get("messages")
    if messages:
        parts = []
        for message in messages:
            role = message.get("role") if isinstance(message, dict) else getattr(message, "role", "")
            content = message.get("content") if isinstance(message, dict) else getattr(message, "text", None) or getattr(message, "parts", "")
            parts.append(f"[{role}]\n{_content_text(content)}")
        return "\n\n".join(parts)
    prompt = inputs.get("prompt")
    return str(prompt) if prompt is not None else None


def _output_text(outputs: Any) -> Optional[str]:
    """What an LM call returned (DSPy's list of completions; a dict carries its "text")."""
    if outputs is None:
        return None
    items = outputs if isinstance(outputs, list) else [outputs]
    texts = [_content_text(item) for item in items]
    return "\n\n".join(texts) if texts else None


def _history_cost(lm: Any, outputs: Any) -> Optional[float]:
    """The ``cost`` (USD) of the LM's history entry of this call (DSPy's price estimate, None
    when unknown), found by the outputs object the entry holds."""
    if outputs is None:
        return None
    history = getattr(lm, "history", None)
    if not isinstance(history, list) or not history:
        return None
    for entry in reversed(history[-64:]):
        if isinstance(entry, dict) and entry.get("outputs") is outputs:
            cost = entry.get("cost")
            if isinstance(cost, (int, float)) and not isinstance(cost, bool) and cost == cost and cost >= 0:
                return float(cost)
            return None
    return None


def _sections(names: List[str], texts: List[Optional[str]]) -> Optional[str]:
    """One text per component (or per call), joined under "## name" headers when several."""
    present = [(n, t) for n, t in zip(names, texts) if t]
    if not present:
        return None
    if len(present) == 1:
        return present[0][1][:1_000_000]
    return "\n\n".join(f"## {n}\n\n{t}" for n, t in present)[:1_000_000]


def _text_of(value: Any) -> Optional[str]:
    """gepa's per-component prompts / outputs as one text (the API stores text)."""
    if value is None or value == {}:
        return None
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return _sections([str(k) for k in value], list(value.values()))
    if isinstance(value, str):
        return value[:1_000_000]
    return _canonical(value)[:1_000_000]


def _components(program: Any) -> Optional[Dict[str, str]]:
    try:
        return {name: predictor.signature.instructions for name, predictor in program.named_predictors()}
    except Exception:
        return None


class _GepaCapture:
    """gepa's callbacks (``gepa.core.callbacks.GEPACallback``, gepa 0.1.4): candidates with
    lineage and per-instance scores, the Pareto front, proposals and the budget."""

    def __init__(self, owner: Tracker) -> None:
        self.owner = owner
        self.budget = 0
        self.candidates: Dict[int, Dict[str, Any]] = {}
        self.proposals: Dict[int, Dict[str, Any]] = {}
        self.proposal_count = 0
        self.step = 0
        self.last_front: Optional[str] = None
        self.best_idx: Optional[int] = None
        self.total_metric_calls: Optional[int] = None
        # the GEPA iteration whose reflection is under way, and the LM calls it made
        self.reflecting: Optional[int] = None
        self.reflections: Dict[int, List[Any]] = {}
        self._reflection_lock = threading.Lock()

    def reflection_call(self, iteration: int, prompt: Optional[str], output: Optional[str]) -> None:
        with self._reflection_lock:
            self.reflections.setdefault(iteration, []).append((prompt, output))

    def _ids(self, dataset: Optional[List[Any]], ids: Any) -> List[str]:
        out = []
        for i in ids or []:
            if dataset is not None and isinstance(i, int) and 0 <= i < len(dataset):
                out.append(example_id(dataset[i]))
            else:
                out.append(str(i))
        return out

    def _val_id(self, vid: Any) -> str:
        return self._ids(self.owner.valset, [vid])[0]

    def __getattr__(self, name: str) -> Any:
        # events this capture does not use are accepted and ignored
        if name.startswith("on_"):
            return lambda event: None
        raise AttributeError(name)

    def _proposal(self, iteration: int) -> Dict[str, Any]:
        proposal = self.proposals.get(iteration)
        if proposal is None:
            proposal = self.proposals[iteration] = {"iteration": iteration, "kind": "reflective", "parentIds": [], "accepted": False}
        return proposal

    def _guarded(fn: Callable[..., Any]) -> Callable[..., Any]:  # type: ignore[misc]
        def wrapper(self: "_GepaCapture", event: Any) -> None:
            self.owner._guard(fn, self, event)

        wrapper.__name__ = fn.__name__
        return wrapper

    @_guarded
    def on_budget_updated(self, event: Any) -> None:
        self.budget = int(event["metric_calls_used"])

    @_guarded
    def on_valset_evaluated(self, event: Any) -> None:
        idx = int(event["candidate_idx"])
        scores = {self._val_id(vid): s for vid, s in (event.get("scores_by_val_id") or {}).items()}
        parents = [str(p) for p in (event.get("parent_ids") or []) if p is not None]
        average = event.get("average_score")
        candidate = self.candidates.setdefault(idx, {"candidateId": str(idx)})
        candidate.update({
            "parentIds": parents,
            "origin": candidate.get("origin") or ("seed" if idx == 0 and not parents else "reflective"),
            "programState": _jsonable(event.get("candidate")),
            "score": _unit_score(average),
            "rawScore": average,
            "instanceScores": {k: v for k, v in scores.items() if _unit_score(v) is not None},
            "budgetUsed": self.budget,
            "metadata": {"numExamplesEvaluated": event.get("num_examples_evaluated"), "totalValsetSize": event.get("total_valset_size"), "gepaIteration": event.get("iteration")},
        })
        self.owner._send("POST", self.owner._run_path("/candidates"), [dict(candidate)], "candidates")

    def _sync_discovery(self, state: Any) -> None:
        """Each candidate's budget at discovery, as GEPA's state counts it (the metric calls
        before its validation evaluation)."""
        counts = list(getattr(state, "num_metric_calls_by_discovery", None) or [])
        for idx, count in enumerate(counts):
            candidate = self.candidates.get(idx)
            if candidate is not None and candidate.get("budgetUsed") != count:
                candidate["budgetUsed"] = int(count)
                self.owner._send("POST", self.owner._run_path("/candidates"), [{"candidateId": str(idx), "budgetUsed": int(count)}])

    def _front(self, state: Any, iteration: Any) -> None:
        self._sync_discovery(state)
        fronts = getattr(state, "program_at_pareto_front_valset", None)
        if not fronts:
            return
        # the API keeps at most 1,000 candidates per example
        front = {self._val_id(vid): sorted((str(p) for p in progs), key=int)[:1000] for vid, progs in fronts.items()}
        best = {self._val_id(vid): s for vid, s in (getattr(state, "pareto_front_valset", None) or {}).items()}
        key = _canonical(front)
        if key == self.last_front:
            return
        self.last_front = key
        body = {"step": self.step, "iteration": self.owner._next_iteration - 1 if self.owner._next_iteration else None,
                "budgetUsed": self.budget, "front": front,
                "bestScores": {k: v for k, v in best.items() if _unit_score(v) is not None},
                }
        body["metadata"] = {"gepaIteration": iteration}
        self.step += 1
        self.owner._send("POST", self.owner._run_path("/pareto"), [{k: v for k, v in body.items() if v is not None and k != "metadata"}], "pareto")

    @_guarded
    def on_iteration_start(self, event: Any) -> None:
        self._front(event.get("state"), event.get("iteration"))

    @_guarded
    def on_candidate_selected(self, event: Any) -> None:
        self._proposal(event["iteration"])["parentIds"] = [str(event["candidate_idx"])]

    @_guarded
    def on_minibatch_sampled(self, event: Any) -> None:
        self._proposal(event["iteration"])["subsampleIds"] = self._ids(self.owner.trainset, event.get("minibatch_ids"))

    @_guarded
    def on_evaluation_end(self, event: Any) -> None:
        if event.get("is_seed_candidate") and event.get("iteration", 0) == 0:
            return
        proposal = self.proposals.get(event["iteration"])
        if proposal is None:
            return
        scores = [min(1.0, max(0.0, float(s))) for s in event.get("scores") or []]
        if "scoresBefore" not in proposal:
            proposal["scoresBefore"] = scores
        elif "scoresAfter" not in proposal:
            proposal["scoresAfter"] = scores

    @_guarded
    def on_evaluation_skipped(self, event: Any) -> None:
        proposal = self.proposals.get(event["iteration"])
        if proposal is not None:
            proposal.setdefault("metadata", {})["skipped"] = event.get("reason")

    @_guarded
    def on_reflective_dataset_built(self, event: Any) -> None:
        proposal = self._proposal(event["iteration"])
        proposal["reflectiveDataset"] = _jsonable(event.get("dataset"))
        proposal["predictors"] = list(event.get("components") or [])

    @_guarded
    def on_proposal_start(self, event: Any) -> None:
        self.reflecting = int(event["iteration"])

    @_guarded
    def on_proposal_end(self, event: Any) -> None:
        iteration = event["iteration"]
        self.reflecting = None
        proposal = self._proposal(iteration)
        texts = dict(event.get("new_instructions") or {})
        proposal["proposedState"] = _jsonable(texts)
        # gepa's own proposer fills prompts / raw_lm_outputs; dspy.GEPA's adapter proposes
        # through DSPy (they arrive empty), so the reflection LM's calls are used instead
        prompt = _text_of(event.get("prompts"))
        raw = _text_of(event.get("raw_lm_outputs"))
        with self._reflection_lock:
            calls = self.reflections.pop(iteration, [])
        if calls:
            names = list(texts) if len(calls) == len(texts) else [f"call {k + 1}" for k in range(len(calls))]
            prompt = prompt or _sections(names, [c[0] for c in calls])
            raw = raw or _sections(names, [c[1] for c in calls])
            proposal.setdefault("metadata", {})["reflectionCalls"] = len(calls)
        proposal["prompt"] = prompt
        proposal["rawOutput"] = raw

    @_guarded
    def on_candidate_accepted(self, event: Any) -> None:
        proposal = self._proposal(event["iteration"])
        proposal["accepted"] = True
        proposal["candidateId"] = str(event["new_candidate_idx"])
        proposal["parentIds"] = [str(p) for p in (event.get("parent_ids") or []) if p is not None] or proposal["parentIds"]
        proposal.setdefault("metadata", {})["newScore"] = event.get("new_score")

    @_guarded
    def on_candidate_rejected(self, event: Any) -> None:
        proposal = self._proposal(event["iteration"])
        proposal["accepted"] = False
        proposal["reason"] = str(event.get("reason"))[:2000]
        proposal.setdefault("metadata", {}).update(oldScore=event.get("old_score"), newScore=event.get("new_score"))

    @_guarded
    def on_merge_attempted(self, event: Any) -> None:
        proposal = self._proposal(event["iteration"])
        proposal["kind"] = "merge"
        proposal["parentIds"] = [str(p) for p in (event.get("parent_ids") or []) if p is not None]
        proposal["proposedState"] = _jsonable(event.get("merged_candidate"))

    @_guarded
    def on_merge_accepted(self, event: Any) -> None:
        proposal = self._proposal(event["iteration"])
        proposal["kind"] = "merge"
        proposal["accepted"] = True
        proposal["candidateId"] = str(event["new_candidate_idx"])
        idx = int(event["new_candidate_idx"])
        candidate = self.candidates.setdefault(idx, {"candidateId": str(idx)})
        candidate["origin"] = "merge"
        self.owner._send("POST", self.owner._run_path("/candidates"), [{"candidateId": str(idx), "origin": "merge"}])

    @_guarded
    def on_merge_rejected(self, event: Any) -> None:
        proposal = self._proposal(event["iteration"])
        proposal["kind"] = "merge"
        proposal["accepted"] = False
        proposal["reason"] = str(event.get("reason"))[:2000]

    @_guarded
    def on_iteration_end(self, event: Any) -> None:
        # a reflection that raised ends no proposal: its calls belong to nothing
        self.reflecting = None
        with self._reflection_lock:
            self.reflections.pop(event["iteration"], None)
        self._emit(event["iteration"])
        self._front(event.get("state"), event.get("iteration"))

    def _emit(self, iteration: int) -> None:
        proposal = self.proposals.pop(iteration, None)
        # an iteration that proposed nothing (e.g. a perfect subsample, skipped) is no proposal
        if proposal is None or not ("proposedState" in proposal or "reflectiveDataset" in proposal or proposal["kind"] == "merge"):
            return
        if "proposedState" not in proposal and "reason" not in proposal:
            proposal["reason"] = "the reflection produced no new text"
        proposal["proposalIndex"] = self.proposal_count
        proposal["budgetUsed"] = self.budget
        proposal["iteration"] = self.owner._next_iteration - 1 if self.owner._next_iteration else None
        proposal.setdefault("metadata", {})["gepaIteration"] = iteration
        self.proposal_count += 1
        self.owner._send("POST", self.owner._run_path("/proposals"), [{k: v for k, v in proposal.items() if v is not None}], "proposals")

    @_guarded
    def on_optimization_end(self, event: Any) -> None:
        self.best_idx = int(event["best_candidate_idx"])
        self.total_metric_calls = event.get("total_metric_calls")
        self.budget = int(self.total_metric_calls or self.budget)
        self._front(event.get("final_state"), event.get("total_iterations"))

    def flush(self) -> None:
        """Links each full evaluation to the GEPA candidate it evaluated (same texts)."""
        for iteration in list(self.proposals):
            self._emit(iteration)
        by_components = {}
        for idx, candidate in sorted(self.candidates.items()):
            state = candidate.get("programState")
            if isinstance(state, dict):
                by_components.setdefault(_canonical(state), idx)
        with self.owner._lock:
            items = sorted(self.owner._iterations.items())
        for iteration, info in items:
            if info["components"] is None:
                continue
            idx = by_components.get(_canonical(info["components"]))
            if idx is None:
                continue
            info["candidateId"] = str(idx)
            body = {"iteration": iteration, "candidateId": str(idx), "parentCandidateIds": self.candidates[idx].get("parentIds") or []}
            self.owner._send("POST", self.owner._run_path("/iterations"), [body])
