"""What every example writes besides its verdicts: diagrams and TLA+.

``write_artifacts(system, result, out)`` writes, under ``out``:

* ``system.dot`` and one ``chart-NAME.dot`` per chart (``.svg`` too when Graphviz's
  ``dot`` binary is installed; DOT text never needs it);
* ``trace-PROPERTY.svg``: a sequence chart for every counterexample and witness;
* ``NAME.tla`` and ``NAME.cfg`` when the TLA+ exporter accepts the system (otherwise the
  reason it gave, e.g. a Python callable it cannot translate).

It returns the paths written and prints one line per artefact, so a reader of an
example's output knows where the pictures are.
"""

from __future__ import annotations

import re
from pathlib import Path

from simulate import Result, System, explore


def slug(text: str) -> str:
    """A file-name-safe version of a name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "system"


def write_artifacts(system: System, result: Result | None, out: str | Path, *, tla: bool = True, quiet: bool = False) -> list[Path]:
    """Write the diagrams (and TLA+) of a system and its explored result under ``out``."""
    from exporters.graphviz import GraphvizNotInstalled, chart_dot, render, system_dot, trace_svg

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    notes: list[str] = []

    def both(dot: object, stem: str) -> None:
        written.append(render(dot, out / f"{stem}.dot"))  # type: ignore[arg-type]
        try:
            written.append(render(dot, out / f"{stem}.svg"))  # type: ignore[arg-type]
        except GraphvizNotInstalled:
            if "graphviz" not in notes:
                notes.append("graphviz")

    both(system_dot(system), "system")
    seen: set[int] = set()
    for a in system.actors:
        if id(a.chart) in seen:
            continue
        seen.add(id(a.chart))
        both(chart_dot(a.chart), f"chart-{slug(a.chart.name)}")
    if result is not None:
        for v in result.verdicts:
            if v.trace is not None:
                path = out / f"trace-{slug(v.name)}.svg"
                path.write_text(trace_svg(v, result))
                written.append(path)
    if tla:
        from exporters.tla import TlaUnsupported, write_tla

        try:
            written.extend(write_tla(system, out))
        except TlaUnsupported as e:
            notes.append(f"TLA+ not exported: {e}")
    if not quiet:
        for p in written:
            print(f"  wrote {p}")
        for n in notes:
            print("  " + ("SVG not rendered: Graphviz's 'dot' is not installed (apt-get install graphviz)" if n == "graphviz" else n))
    return written


def explore_and_report(system: System, out: str | Path, **options: object) -> Result:
    """Explore a system, print its verdicts and shortest counterexamples, and write its artefacts."""
    result = explore(system, **options)  # type: ignore[arg-type]
    print(result.summary())
    for v in result.violations:
        if v.trace is not None:
            print(f"-- {v.name}: shortest counterexample")
            print(v.trace.format())
    write_artifacts(system, result, out)
    print()
    return result
