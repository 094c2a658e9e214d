"""The explorer: exhaustive search of any model of ``simulate.protocol.Explorable``, and nothing else.

BFS (shortest counterexamples), DFS and random simulation (``search``), invariants and goals on every
new state (``base``), traces replayed from parent links (``traces``), liveness by fair lassos in the
kept graph (``liveness``), coverage and the networkx graph (``coverage``), verdicts (``verdicts``)
and checkpoints of plain BFS (``checkpoints``). Its modules import the protocol, the result types
and the error root only (tests/test_protocol.py checks it): the explorer knows nothing about
statecharts. :func:`explore_model` explores any such model; :func:`explore` compiles a System
(``simulate.model.Model``, the actor layer's implementation) and explores it, on one worker or sharded.
"""

from ..entry import explore
from .api import explore_model
from .base import FINGERPRINT_BITS, OUTSIDE, ExplorationFailed, ProgressFn, check_limits
from .search import Explorer

_Explorer = Explorer  # the name the parallel explorer and older code subclass

__all__ = ["FINGERPRINT_BITS", "OUTSIDE", "ExplorationFailed", "Explorer", "ProgressFn", "check_limits", "explore", "explore_model"]
