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
        srcs, dsts, found = self.edge_targets()
        last, succs = -1, None
        for k in range(len(srcs)):  # edges are kept without labels: re-expand each source once (edges are grouped by it)
            if not found[k]:
                continue
            src = int(srcs[k])
            if src != last:
                last, succs = src, m.successors(states[src])
            assert succs is not None
            who, kind, what = m.describe_label(succs[self.edge_ord[k]][0])
            g.add_edge(src, int(dsts[k]), label=f"{who}: {kind} {what}", kind=kind)
        for name, idx in self.found.items():
            if idx in g:
                g.nodes[idx].setdefault("marks", []).append(name)
        if self.deadlock is not None:
            g.nodes[self.deadlock].setdefault("marks", []).append("deadlock")
        return g
