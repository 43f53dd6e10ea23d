"""DSPy integration: ``track`` an optimizer's compile into an Optiscope run, and
``load_program`` a stored program state back into a DSPy module.

    from optiscope.dspy import track
    with track(optimizer, name="qa · MIPROv2 light", tags=["qa"], valset=valset) as run:
        compiled = optimizer.compile(program, trainset=trainset, valset=valset)
    print(run.url)

Needs the ``[dspy]`` extra (``pip install "./clients/python[dspy]"``).
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Sequence

from ..client import Optiscope, OptiscopeError

try:
    import dspy as _dspy  # noqa: F401
except ModuleNotFoundError as _missing:  # the stdlib-only install: say which extra brings DSPy
    if _missing.name != "dspy":
        raise
    raise ModuleNotFoundError(
        'optiscope.dspy needs DSPy: install the package with its [dspy] extra (from an Optiscope checkout: pip install "./clients/python[dspy]")',
        name="dspy",
    ) from None

from ._track import Tracker, example_id, program_hash  # noqa: E402

__all__ = ["track", "load_program", "Tracker", "example_id", "program_hash"]


def track(
    optimizer: Any,
    name: Optional[str] = None,
    tags: Optional[Sequence[str]] = None,
    valset: Optional[Sequence[Any]] = None,
    client: Optional[Optiscope] = None,
    *,
    spool_dir: Optional[os.PathLike] = None,
    project_id: Optional[str] = None,
    log_samples: bool = True,
    sync_spool: bool = True,
    quiet: bool = False,
    metadata: Optional[Dict[str, Any]] = None,
) -> Tracker:
    """A context manager that logs everything ``optimizer.compile`` does inside it as one run.

    ``client`` defaults to ``Optiscope()`` (``OPTISCOPE_URL``, ``OPTISCOPE_API_KEY``).
    Writes go out from a background thread; when the server is unreachable they are
    spooled under ``spool_dir`` (``OPTISCOPE_SPOOL_DIR`` or ``~/.optiscope/spool``) for
    ``optiscope sync``. Logging never raises into the compile; on exit one line says what
    was logged, spooled and failed. An exception from the compile marks the run failed
    and propagates."""
    return Tracker(
        optimizer,
        name=name,
        tags=tags,
        valset=valset,
        client=client,
        spool_dir=spool_dir,
        project_id=project_id,
        log_samples=log_samples,
        sync_spool=sync_spool,
        quiet=quiet,
        metadata=metadata,
    )


def _pick_iteration(iterations: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The selected iteration; else the best full evaluation; else the best scored one."""
    with_state = [i for i in iterations if i.get("programState") is not None]
    for item in with_state:
        if item.get("selected") or item.get("isSelected"):
            return item
    rank = {"full": 0, None: 1, "minibatch": 2}
    scored = sorted(
        with_state,
        key=lambda i: (rank.get(i.get("evalKind"), 1), -(i["score"] if i.get("score") is not None else -1), i.get("iteration", 0)),
    )
    return scored[0] if scored else None


def load_program(run_or_iteration: Any, into: Any, *, iteration: Optional[int] = None, client: Optional[Optiscope] = None) -> Any:
    """Loads a stored program state into the DSPy module ``into`` and returns it.

    ``run_or_iteration``: a run id, a ``Tracker`` (``run`` of ``with track(...) as run``),
    a run dict, or an iteration dict with ``programState``. For a run, the iteration is
    the one marked selected (the program the optimizer returned) unless ``iteration`` is
    given."""
    if isinstance(run_or_iteration, dict) and "programState" in run_or_iteration and "iteration" in run_or_iteration:
        chosen = run_or_iteration
    else:
        if isinstance(run_or_iteration, Tracker):
            client = client or Optiscope(run_or_iteration.client.base_url, run_or_iteration.client.api_key)
            run_id = run_or_iteration.id
        elif isinstance(run_or_iteration, dict):
            run_id = run_or_iteration["id"]
        else:
            run_id = str(run_or_iteration)
        client = client or Optiscope()
        iterations = client.list_iterations(run_id)
        if iteration is not None:
            chosen = next((i for i in iterations if i.get("iteration") == iteration), None)
            if chosen is None:
                raise OptiscopeError(404, "not_found", f"run {run_id} has no iteration {iteration}")
        else:
            chosen = _pick_iteration(iterations)
        if chosen is None or chosen.get("programState") is None:
            raise OptiscopeError(404, "not_found", f"run {run_id} has no iteration with a program state")
    into.load_state(chosen["programState"])
    return into
