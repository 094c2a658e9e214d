"""Verdicts: what the search found, per property, with the traces that show it."""

from __future__ import annotations

from ..result import Verdict
from .liveness import Liveness


class Verdicts(Liveness):
    """Invariants, goals, deadlock, step errors, then liveness (on the whole graph, complete searches only)."""

    def _verdicts(self, complete: bool) -> list[Verdict]:
        out: list[Verdict] = []
        for name, _ in self.invariants:
            if name in self.found and not any(e[3] == name for e in self.errors):
                out.append(Verdict(name, "invariant", "violated", self.trace_to(self.found[name]), "the invariant is false in the last state"))
            elif name in self.found:
                err = next(e for e in self.errors if e[3] == name)
                out.append(Verdict(name, "invariant", "violated", self.trace_to(err[1]), err[0]))
            else:
                out.append(Verdict(name, "invariant", "holds" if complete else "incomplete"))
        for name, _ in self.goals:
            if name in self.found:
                goal_errors = [e for e in self.errors if e[3] == name]
                if goal_errors:
                    out.append(Verdict(name, "sometimes", "violated", self.trace_to(goal_errors[0][1]), goal_errors[0][0]))
                else:
                    out.append(Verdict(name, "sometimes", "reached", self.trace_to(self.found[name]), "witness"))
            else:
                msg = "never reached in the whole state space" if complete else "not reached in the explored part"
                out.append(Verdict(name, "sometimes", "unreached" if complete else "incomplete", None, msg))
        if self.check_deadlock:
            if self.deadlock is not None:
                trace = self.trace_to(self.deadlock)
                message = self.model.deadlock_text(trace.steps[-1].state)
                out.append(Verdict("deadlock", "deadlock", "violated", trace, message))
            else:
                out.append(Verdict("deadlock", "deadlock", "holds" if complete else "incomplete"))
        for msg, idx, label, prop in self.errors:
            if prop != "error":
                continue
            trace = self.trace_to(idx, failing=label)
            out.append(Verdict("error", "error", "violated", trace, msg))
            break
        failed = sum(1 for e in self.errors if e[3] == "error")
        for number, lp in enumerate(self.live, 1):
            if not complete:
                out.append(Verdict(lp.name, lp.kind, "incomplete", None, "liveness needs the whole state space"))
                continue
            if failed:  # a state whose step raised has no known successors: no lasso through it is a behaviour
                what = f"a step failed in {failed:,} state{'s' if failed > 1 else ''} (see the error verdict), whose successors are unknown"
                out.append(Verdict(lp.name, lp.kind, "incomplete", None, f"liveness needs the whole state space: {what}"))
                continue
            self._phase_label = f"liveness {number}/{len(self.live)}: {lp.name}"
            self._phase("", force=True)
            lasso = self._liveness(lp.p, lp.q)
            if lasso is None:
                out.append(Verdict(lp.name, lp.kind, "holds"))
            else:
                out.append(Verdict(lp.name, lp.kind, "violated", lasso, "a fair behaviour never reaches the goal"))
        self._live_graph_cache = None  # the graph is rebuilt once per exploration, not kept afterwards
        self.stats.phase = ""
        return out
