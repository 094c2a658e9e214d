"""The README stays true: its Python blocks run, in order, and its marked shell commands exit as it says.

Everything runs in a scratch directory (with ``examples`` linked in), as the README says a
reader runs it: a Python block whose first line is ``# NAME.py`` is that file (it is written,
and ``# NAME.py, continued`` is appended to it); every other Python block runs as in a fresh
``python`` session started there (a new namespace, the reader's modules such as ``tour``
imported anew), so it must import what it uses. A shell block preceded by
``<!-- test: exit=N -->`` runs line by line, each line expected to exit with N; the
``statecharts`` command is this checkout's (``python -m statecharts``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


@dataclass
class Block:
    """A fenced code block: its language, text, line number and expected exit status (shell blocks under a marker)."""

    lang: str
    text: str
    line: int
    expect: int | None


def blocks() -> list[Block]:
    """The README's fenced code blocks, in order."""
    out: list[Block] = []
    lines = README.read_text(encoding="utf-8").splitlines()
    i = 0
    expect: int | None = None
    while i < len(lines):
        m = re.fullmatch(r"<!-- test: exit=(\d+) -->", lines[i].strip())
        if m:
            expect = int(m.group(1))
            i += 1
            continue
        fence = re.fullmatch(r"```(\w*)", lines[i].strip())
        if fence:
            start = i + 1
            j = start
            while lines[j].strip() != "```":
                j += 1
            out.append(Block(fence.group(1), "\n".join(lines[start:j]) + "\n", start + 1, expect))
            expect = None
            i = j + 1
            continue
        if lines[i].strip():
            expect = None  # a marker applies to the block right below it
        i += 1
    return out


def test_marked_commands_and_measured_section() -> None:
    """Every marker sits on a shell block; the Measured section keeps its placeholders."""
    bs = blocks()
    assert any(b.lang == "python" for b in bs)
    assert all(b.lang == "sh" for b in bs if b.expect is not None)
    tested = [b.text for b in bs if b.expect is not None]
    assert any("statecharts check examples/websocket_gateway" in t for t in tested)
    text = README.read_text(encoding="utf-8")
    measured = text.split("## Measured", 1)[1]
    assert "<!-- figures -->" in measured


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' binary not installed (the README renders diagrams)")
def test_readme_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    bin_dir = tmp_path / ".bin"
    bin_dir.mkdir()
    shim = bin_dir / "statecharts"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m statecharts "$@"\n')
    shim.chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", PYTHONPATH=str(ROOT), COLUMNS="120")
    env.pop("TLA2TOOLS", None)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    written: set[str] = set()
    ran_python = ran_shell = 0
    for b in blocks():
        where = f"README.md line {b.line}"
        if b.lang == "python":
            first = b.text.splitlines()[0]
            m = re.fullmatch(r"# (\S+\.py)(, continued)?", first)
            if m:  # a file the reader saves: written, not run
                compile(b.text, where, "exec")
                with open(tmp_path / m.group(1), "a" if m.group(2) else "w", encoding="utf-8") as f:
                    f.write(b.text)
                written.add(Path(m.group(1)).stem)
                continue
            for name in written:  # a fresh session imports the reader's files anew
                sys.modules.pop(name, None)
            exec(compile(b.text, where, "exec"), {"__name__": "__main__"})
            ran_python += 1
        elif b.lang == "sh" and b.expect is not None:
            for command in b.text.splitlines():
                if not command.strip() or command.lstrip().startswith("#"):
                    continue
                proc = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
                assert proc.returncode == b.expect, f"{where}: `{command}` exited {proc.returncode}, README says {b.expect}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
                assert "Traceback" not in proc.stderr, f"{where}: `{command}`\n{proc.stderr}"
                ran_shell += 1
    assert ran_python >= 5 and ran_shell >= 6 and written
    for name in written:
        sys.modules.pop(name, None)
    # what the tour says it produces
    for name in ("client.svg", "system.svg", "lost-update.svg", "store.svg", "tla/LostUpdate.tla", "tla/LostUpdate.cfg", "statecharts-out/lostupdate-nolostupdate.svg"):
        assert (tmp_path / name).exists(), name
