"""statecharts: hierarchical, parallel statecharts with SCXML semantics, as values.

Define a chart with :class:`Chart` and :class:`State` / :class:`Parallel` / :class:`Final`
/ :class:`History`, write guards and actions with ``ctx`` / ``event`` expressions, run it
with :class:`Interpreter`, and hand it to ``simulate`` to explore systems of actors.

``__all__`` is what a user writes; the engine's values (``statecharts.engine``: ChartState,
StepResult, Outgoing, Cancelled) and the state tree's base class (``statecharts.chart.StateNode``)
stay importable from their modules for the layers above.
"""

from .actions import (
    SELF,
    SENDER,
    Action,
    assign,
    broadcast,
    cancel,
    choose,
    foreach,
    if_,
    log,
    python,
    raise_,
    reply,
    send,
    send_to,
)
from .chart import Chart, Final, History, Parallel, State, Transition
from .errors import (
    ChartDefinitionError,
    ChoiceExplosionError,
    ExecutionError,
    ExpressionError,
    InfiniteMacrostepError,
    NondeterminismError,
    StatechartError,
    UnknownEventError,
)
from .expr import Expr, In, all_of, and_, any_of, call, const, ctx, event, if_else, not_, or_, parse, py, to_source, var
from .interpreter import Interpreter, Snapshot
from .pytransitions import from_transitions
from .scxml import ecmascript_to_python, load_scxml, parse_scxml
from .values import Event, FrozenMap

__version__ = "0.1.0"

__all__ = [
    "SELF",
    "SENDER",
    "Action",
    "Chart",
    "ChartDefinitionError",
    "ChoiceExplosionError",
    "Event",
    "ExecutionError",
    "Expr",
    "ExpressionError",
    "Final",
    "FrozenMap",
    "History",
    "In",
    "InfiniteMacrostepError",
    "Interpreter",
    "NondeterminismError",
    "Parallel",
    "Snapshot",
    "State",
    "StatechartError",
    "Transition",
    "UnknownEventError",
    "all_of",
    "and_",
    "any_of",
    "assign",
    "broadcast",
    "call",
    "cancel",
    "choose",
    "const",
    "ctx",
    "ecmascript_to_python",
    "event",
    "foreach",
    "from_transitions",
    "if_",
    "if_else",
    "load_scxml",
    "log",
    "not_",
    "or_",
    "parse",
    "parse_scxml",
    "py",
    "python",
    "raise_",
    "reply",
    "send",
    "send_to",
    "to_source",
    "var",
]
