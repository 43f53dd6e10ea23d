"""Optiscope Python client: log DSPy prompt-optimization runs to an Optiscope server.

``from optiscope import Optiscope`` gives the standard-library-only client
(``optiscope.client``); ``optiscope.dspy`` (extra ``[dspy]``) captures DSPy compiles.
"""

from .client import (
    MAX_ITERATIONS_PER_REQUEST,
    MAX_SAMPLES_PER_REQUEST,
    Optiscope,
    OptiscopeConnectionError,
    OptiscopeError,
    RunLogger,
    __version__,
)

__all__ = [
    "Optiscope",
    "OptiscopeError",
    "OptiscopeConnectionError",
    "RunLogger",
    "MAX_SAMPLES_PER_REQUEST",
    "MAX_ITERATIONS_PER_REQUEST",
    "__version__",
]
