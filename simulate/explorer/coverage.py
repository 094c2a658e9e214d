"""What the search covered (the model says what its parts are, e.g. chart transitions) and the state graph."""

from __future__ import annotations

from typing import Any

from .traces import Traces


class Coverage(Traces):
    """Coverage (this run's and a resumed checkpoint's) and the networkx graph of ``graph=True``."""

    def _taken_so_far(self) -> dict[str, set[int]]:
        """Everything covered so far: a resumed checkpoint's, then this run's (the parallel explorer asks its shards)."""
        taken = {k: set(v) for k, v in self._resumed_taken.items()}
        for k, v in self.model.covered().items():
            taken.setdefault(k, set()).update(v)
        return taken

    def _coverage(self) -> dict[str, list[str]]:
        return self.model.coverage(self._taken_so_far())  # type: ignore[no-any-return]

    def _networkx(self) -> Any:
        import networkx as nx

        m = self.model
        g = nx.DiGraph()
        if not self.keep_graph:
            return g
        states = self._all_states()
        for i, s in enumerate(states):
            depth = 0 if self.parents[i] == -1 else g.nodes[self.parents[i]]["depth"] + 1
            g.add_node(i, initial=self.parents[i] == -1, depth=depth, **m.node_attributes(s))
        for src, fp, _, label in self.edges:
            dst = self.index.get(fp)
            if dst is not None:
                who, kind, what = m.describe_label(label)
                g.add_edge(src, dst, label=f"{who}: {kind} {what}", kind=kind)
        for name, idx in self.found.items():
            if idx in g:
                g.nodes[idx].setdefault("marks", []).append(name)
        if self.deadlock is not None:
            g.nodes[self.deadlock].setdefault("marks", []).append("deadlock")
        return g
