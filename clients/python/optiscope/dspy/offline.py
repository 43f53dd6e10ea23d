"""A deterministic offline language model for tests, examples and benchmarks.

``OfflineLM`` is a real ``dspy.LM`` (a ``dspy.BaseLM`` subclass) whose engine never touches
the network. It answers any DSPy signature in the chat adapter's format, so it can stand in
for the task model, MIPROv2's proposer and GEPA's reflection model:

* **task model**: it solves the toy arithmetic task of ``arithmetic_dataset()`` ("What is
  17 + 25?") correctly with a probability that grows with the prompt's quality: few-shot
  demos and instructions that ask for care ("carefully", "step by step", "double-check")
  make it right more often. Whether one answer is right is a seeded hash of the prompt, so
  the same prompt always gets the same answer, and different candidate programs really
  score differently;
* **proposer / reflection model**: fields that ask for an instruction get one of a fixed
  set of instructions, chosen by a seeded hash (and, at temperature > 0, by how many times
  the same prompt was asked before, so n samples differ); plain prompts (GEPA's reflection
  prompt) get a new instruction inside a ``` block.

Token usage is counted as characters / 4; ``latency`` (seconds) makes each call sleep, to
measure tracking overhead against a realistic call time. ``cost_per_million=(input, output)``
(USD per million tokens) puts a ``cost`` on each call's history entry, where DSPy puts its price
estimate for a priced provider (a custom engine gets ``None``). Not for production use.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import time
from typing import Any, Dict, List, Optional, Tuple

import dspy
from dspy.lm15 import Message, Response, TextPart, Usage

__all__ = ["OfflineLM", "arithmetic_dataset", "arithmetic_metric", "arithmetic_feedback_metric"]

GOOD_WORDS = ("carefully", "step by step", "double-check", "verify")

INSTRUCTIONS = [
    "Solve the arithmetic question carefully and answer with the number only.",
    "Read the question, compute the result step by step, and give the final number.",
    "Answer the question.",
    "Compute the value; double-check the arithmetic before answering.",
    "Give a short numeric answer.",
    "Work through the calculation carefully, verify it, and reply with the number.",
    "Respond with your best guess.",
    "Think step by step about the operation, then state the result.",
]

_FIELD_HEADER = re.compile(r"\[\[ ## (\w+) ## \]\]")
_OUTPUT_SECTION = re.compile(r"Your output fields are:(.*?)(?:All interactions will be structured|\Z)", re.S)
_FIELD_DECL = re.compile(r"`(\w+)` \(([^)]*)\)")
_ARITH = re.compile(r"(-?\d+)\s*([+\-*x])\s*(-?\d+)")


def _unit(*parts: Any) -> float:
    """A uniform number in [0, 1) that depends only on the parts."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _solve(text: str) -> Optional[int]:
    match = _ARITH.search(text)
    if not match:
        return None
    a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
    return a + b if op == "+" else a - b if op == "-" else a * b


class OfflineEngine:
    """The engine behind ``OfflineLM``: ``complete(Request) -> Response``, no network."""

    def __init__(self, seed: int, latency: float, model: str) -> None:
        self.seed = seed
        self.latency = latency
        self.model = model
        self._seen: Dict[str, int] = {}
        self._lock = threading.Lock()

    def complete(self, request: Any) -> Response:
        system = request.system if isinstance(request.system, str) or request.system is None else "".join(
            getattr(p, "text", "") for p in request.system
        )
        system = system or ""
        turns = [(m.role, m.text or "") for m in request.messages]
        temperature = request.config.temperature or 0.0
        text = self.answer(system, turns, temperature)
        if self.latency:
            time.sleep(self.latency)
        prompt_chars = len(system) + sum(len(t) for _, t in turns)
        return Response(
            id=None,
            model=self.model,
            message=Message.assistant([TextPart(text)]),
            finish_reason="stop",
            usage=Usage(input_tokens=max(1, prompt_chars // 4), output_tokens=max(1, len(text) // 4)),
        )

    def stream(self, request: Any):  # pragma: no cover - DSPy streams only when asked to
        from dspy.lm15 import response_to_events

        return response_to_events(self.complete(request))

    def close(self) -> None:
        pass

    # --- the policy ------------------------------------------------------------------

    def answer(self, system: str, turns: List[Tuple[str, str]], temperature: float) -> str:
        last = turns[-1][1] if turns else ""
        prompt_key = system + "\x1e" + "\x1e".join(t for _, t in turns)
        variant = 0
        if temperature > 0:
            with self._lock:
                variant = self._seen.get(prompt_key, 0)
                self._seen[prompt_key] = variant + 1
        outputs = self._output_fields(system)
        if not outputs:
            # a plain prompt (GEPA's reflection prompt): a new instruction in a code block
            return "```\n" + self._instruction(prompt_key, variant) + "\n```"
        demos = sum(1 for role, _ in turns[:-1] if role == "assistant")
        values = {name: self._value(name, kind, system, last, demos, prompt_key, variant) for name, kind in outputs}
        if "Respond with a JSON object" in last:
            # the JSON adapter's format (GEPA's instruction proposer asks for it)
            return json.dumps({name: _typed(value) for name, value in values.items()})
        body = "".join(f"[[ ## {name} ## ]]\n{value}\n\n" for name, value in values.items())
        return body + "[[ ## completed ## ]]"

    @staticmethod
    def _output_fields(system: str) -> List[Tuple[str, str]]:
        section = _OUTPUT_SECTION.search(system)
        if not section:
            return []
        return [(m.group(1), m.group(2).strip()) for m in _FIELD_DECL.finditer(section.group(1))]

    def _instruction(self, key: str, variant: int) -> str:
        rng = random.Random(_unit(self.seed, "instruction", key, variant))
        return rng.choice(INSTRUCTIONS)

    def _value(self, name: str, kind: str, system: str, last: str, demos: int, key: str, variant: int) -> Any:
        lowered = name.lower()
        if lowered == "answer":
            return self._task_answer(system, last, demos, variant)
        if lowered == "reasoning":
            return "I compute the operation in the question."
        if "instruction" in lowered:
            return self._instruction(key + name, variant)
        if "prefix" in lowered:
            return "Answer:"
        if kind.startswith("dict"):
            return "{}"
        if kind.startswith("list"):
            return "[]"
        if kind == "bool":
            return "True"
        if kind in ("int", "float"):
            return "1"
        rng = random.Random(_unit(self.seed, name, key, variant))
        return f"A {name.replace('_', ' ')} ({rng.randrange(1000)})."

    def _task_answer(self, system: str, last: str, demos: int, variant: int) -> str:
        truth = _solve(last)
        if truth is None:
            return "unknown"
        lowered = system.lower()
        quality = 0.3 + 0.1 * min(demos, 3) + 0.12 * sum(1 for word in GOOD_WORDS if word in lowered)
        if _unit(self.seed, "task", system, last, demos, variant) < min(quality, 0.95):
            return str(truth)
        return str(truth + 1)


def _typed(value: Any) -> Any:
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


class OfflineLM(dspy.LM):
    """A seeded, deterministic ``dspy.LM`` that needs no network (see the module docstring).

    ``OfflineLM("offline/task")`` as the task model, ``OfflineLM("offline/proposer")`` as
    a proposer or reflection model: the name is only a label (it is what Optiscope shows
    as the model of each role)."""

    def __init__(
        self,
        model: str = "offline/task",
        *,
        seed: int = 0,
        latency: float = 0.0,
        cost_per_million: Optional[Tuple[float, float]] = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("cache", False)
        kwargs.setdefault("temperature", 0.0)
        kwargs.setdefault("max_tokens", 1000)
        self.seed = seed
        self.latency = latency
        self.cost_per_million = cost_per_million
        super().__init__(model, engine=OfflineEngine(seed, latency, model), **kwargs)

    def update_history(self, entry: Dict[str, Any]) -> None:
        # DSPy leaves a custom engine's cost unknown (None); priced, the entry carries one
        if self.cost_per_million is not None and entry.get("cost") is None:
            usage = entry.get("usage") or {}
            read = (lambda *keys: next((int(usage[k]) for k in keys if usage.get(k) is not None), 0))
            inputs, outputs = read("prompt_tokens", "input_tokens"), read("completion_tokens", "output_tokens")
            entry["cost"] = (inputs * self.cost_per_million[0] + outputs * self.cost_per_million[1]) / 1_000_000
            entry["cost_details"] = {"kind": "offline", "costPerMillion": list(self.cost_per_million)}
        super().update_history(entry)


def arithmetic_dataset(n: int, *, seed: int = 0) -> List["dspy.Example"]:
    """``n`` examples ``question -> answer`` of the toy arithmetic task, seeded."""
    rng = random.Random(seed)
    examples = []
    for _ in range(n):
        a, b = rng.randrange(2, 60), rng.randrange(2, 60)
        op = rng.choice("+-*")
        value = a + b if op == "+" else a - b if op == "-" else a * b
        examples.append(dspy.Example(question=f"What is {a} {op} {b}?", answer=str(value)).with_inputs("question"))
    return examples


def arithmetic_metric(example: Any, prediction: Any, trace: Any = None, *_: Any) -> float:
    """1.0 when the predicted answer is the example's, else 0.0."""
    return 1.0 if str(getattr(prediction, "answer", "")).strip() == str(example.answer).strip() else 0.0


def arithmetic_feedback_metric(
    gold: Any, pred: Any, trace: Any = None, pred_name: Any = None, pred_trace: Any = None
) -> "dspy.Prediction":
    """GEPA's metric shape: a score and a feedback text."""
    score = arithmetic_metric(gold, pred)
    if score == 1.0:
        feedback = f"Correct: {gold.answer}."
    else:
        feedback = f"Wrong: answered {getattr(pred, 'answer', None)!r}, expected {gold.answer}. Compute carefully."
    return dspy.Prediction(score=score, feedback=feedback)


