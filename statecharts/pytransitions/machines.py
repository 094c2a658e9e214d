"""Reading a live ``transitions`` machine object back into a definition (states, transitions, separator)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .definitions import SEPARATOR, _name_of


def _is_machine(obj: Any) -> bool:
    """Whether ``obj`` looks like a live ``transitions`` Machine (duck-typed: no import needed)."""
    return not isinstance(obj, Mapping) and hasattr(obj, "states") and hasattr(obj, "events") and hasattr(obj, "get_state")


def _machine_definition(m: Any) -> tuple[dict[str, Any], str]:
    """Read a live machine's states, transitions and settings into the dict form (and its separator)."""
    sep = getattr(getattr(m, "state_cls", None), "separator", SEPARATOR)
    auto: set[str] = set()

    def names(states: Mapping[Any, Any], prefix: str) -> None:
        for s in states.values():
            n = prefix + str(_name_of(s))
            auto.add("to_" + n)
            names(getattr(s, "states", None) or {}, n + sep)

    names(m.states, "")
    auto_on = bool(getattr(m, "auto_transitions", False))

    def transitions_of(events: Mapping[str, Any], skip_auto: bool) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for ev in events.values():
            if skip_auto and auto_on and ev.name in auto:
                continue
            for ts in ev.transitions.values():
                for t in ts:
                    out.append(
                        {
                            "trigger": ev.name,
                            "source": t.source,
                            "dest": t.dest,
                            "conditions": [c.func for c in t.conditions if c.target],
                            "unless": [c.func for c in t.conditions if not c.target],
                            "before": list(t.before),
                            "after": list(t.after),
                            "prepare": list(t.prepare),
                        }
                    )
        return out

    def state_of(s: Any) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": _name_of(s),
            "on_enter": list(s.on_enter),
            "on_exit": list(s.on_exit),
            "final": bool(getattr(s, "final", False)),
        }
        if getattr(s, "on_final", None):
            d["on_final"] = list(s.on_final)
        if getattr(s, "timeout", 0):
            d["timeout"] = s.timeout
            d["on_timeout"] = list(getattr(s, "on_timeout", None) or [])
        children = getattr(s, "states", None) or {}
        if children:
            d["children"] = [state_of(c) for c in children.values()]
            d["initial"] = getattr(s, "initial", None)
            scoped = getattr(s, "events", None) or {}
            d["transitions"] = transitions_of(scoped, False)
        return d

    name = str(getattr(m, "name", "") or "")
    definition: dict[str, Any] = {
        "name": name[:-2] if name.endswith(": ") else name,  # transitions stores 'Name: ' for log lines
        "states": [state_of(s) for s in m.states.values()],
        "transitions": transitions_of(m.events, True),
        "initial": getattr(m, "initial", None),
        "auto_transitions": auto_on,
        "before_state_change": list(getattr(m, "before_state_change", []) or []),
        "after_state_change": list(getattr(m, "after_state_change", []) or []),
        "prepare_event": list(getattr(m, "prepare_event", []) or []),
        "finalize_event": list(getattr(m, "finalize_event", []) or []),
        "on_exception": list(getattr(m, "on_exception", []) or []),
        "on_final": list(getattr(m, "on_final", []) or []),
    }
    return definition, sep


