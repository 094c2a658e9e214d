"""Checkpoints of a plain breadth-first search: written at level boundaries while it runs and when it stops
early (a limit, Ctrl-C), read to resume to the same verdicts.

A checkpoint holds what the explorer keeps (fingerprints, parent links, the frontier, the
verdicts found so far) and the model's own tables (``Explorable.tables``: for the actor system,
the interned local states and messages the stored states refer to by number). It is
gzip-compressed JSON whose values the model tags (``to_json``): a checkpoint is data, and
reading one never runs code. The model's signature is stored with it, so a checkpoint is never
resumed against a different model.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import signal
import threading
import time
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from statecharts.errors import ModelError

from ..fpset import FingerprintSet
from .base import FINGERPRINT_BITS
from .verdicts import Verdicts

FORMAT = "statecharts.checkpoint/1"


class CheckpointError(ModelError):
    """A checkpoint cannot be written, read or resumed (names the file and the reason)."""


def pack(a: array[int]) -> str:
    """An array of integers as text (its typecode, then base64 of its bytes)."""
    return a.typecode + base64.b64encode(a.tobytes()).decode("ascii")


def unpack(text: str) -> array[int]:
    a = array(text[0])
    a.frombytes(base64.b64decode(text[1:]))
    return a


def save(path: str | Path, data: dict[str, Any]) -> None:
    """Write a checkpoint atomically (a crash while writing leaves the previous one intact)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=1) as f:
            json.dump({"format": FORMAT, **data}, f)
        os.replace(tmp, path)
    except OSError as e:
        raise CheckpointError(f"cannot write checkpoint {path}: {e.strerror or e}") from None


def load(path: str | Path, name: str, expected: tuple[str, str | None], kind: str | None = None) -> dict[str, Any]:
    """Read a checkpoint written for the model called ``name`` (whose signature is ``expected``) by a run of this
    ``kind`` (None: one worker; "sharded": several workers' meta; "shard": one shard's part)."""
    path = Path(path)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise CheckpointError(f"no checkpoint at {path}") from None
    except (OSError, EOFError, ValueError) as e:
        raise CheckpointError(f"{path} is not a checkpoint (or it is damaged): {e}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a checkpoint of this version ({FORMAT})")
    if data.get("kind") != kind:
        if data.get("kind") == "sharded":
            raise CheckpointError(f"{path} was written by a sharded run: resume it with workers={data.get('workers')}")
        if kind == "sharded" and data.get("kind") is None:
            raise CheckpointError(f"{path} was written by a one-worker run: resume it with workers=1")
        raise CheckpointError(f"{path} is a part of a checkpoint ({data.get('kind')}), not one: resume the checkpoint that names it")
    digest, why = expected
    why = why or data.get("unsigned")
    if why:
        raise CheckpointError(
            f"{path} cannot be resumed safely: {why}, so a changed model could not be told apart; explore it afresh (or give that part as plain data or an expression)"
        )
    if data.get("signature") != digest:
        raise CheckpointError(
            f"{path} was written for another model (system {data.get('system')!r}); the system {name!r} has changed since, or is another one: explore it afresh"
        )
    return data


def check_consistent(path: Path, parts: dict[str, Any], initial_states: int, properties: set[str]) -> None:
    """Refuse a checkpoint whose parts do not fit together (a hand-edited or truncated file that still unzips)."""
    parents, ordinals, seen = parts["parents"], parts["ordinals"], parts["seen"]
    n = len(parents)

    def bad(what: str) -> CheckpointError:
        return CheckpointError(f"{path} is inconsistent: {what}; it cannot be resumed (explore afresh)")

    if len(ordinals) != n:
        raise bad(f"{n} parent links but {len(ordinals)} step positions")
    if len(seen) != n:
        raise bad(f"{n} states but {len(seen)} fingerprints")
    for i, (p, o) in enumerate(zip(parents, ordinals)):
        if not -1 <= p < i or o < 0 or (p == -1 and o >= initial_states):
            raise bad(f"the parent link of state {i} ({p}, step {o}) is out of range")
    for states, index, which in ((parts["current"], parts["current_index"], "current"), (parts["next"], parts["next_index"], "next")):
        if len(states) != len(index):
            raise bad(f"the {which} frontier has {len(states)} states but {len(index)} indices")
        for k in index:
            if not 0 <= k < n:
                raise bad(f"the {which} frontier names state {k}, of {n}")
    if list(parts["next_index"]) != list(range(n - len(parts["next_index"]), n)):
        raise bad("the next frontier is not the last states stored")
    for name, k in parts["found"].items():
        if name not in properties or not 0 <= k < n:
            raise bad(f"the verdict of {name!r} points at state {k}, of {n}, or is not a property of the system")
    for _, k, _, name in parts["errors"]:
        if not isinstance(k, int) or not 0 <= k < n:
            raise bad(f"an error ({name!r}) points at state {k}, of {n}")
    deadlock = parts["deadlock"]
    if deadlock is not None and (not isinstance(deadlock, int) or not 0 <= deadlock < n):
        raise bad(f"the deadlock points at state {deadlock}, of {n}")
    if parts["depth"] < 0 or parts["states_generated"] < 0 or parts["max_depth"] < 0:
        raise bad("a negative depth or count")


class Checkpoints(Verdicts):
    """Writing and resuming checkpoints (plain BFS only: no liveness, graph, constraint, symmetry or reduction)."""

    def use_checkpoints(self, checkpoint: str | Path | None, every: float, resume: str | Path | None) -> None:
        """Write checkpoints to ``checkpoint`` and/or resume from ``resume`` (plain BFS only)."""
        if checkpoint is None and resume is None:
            return
        why = [
            reason
            for reason, present in (
                (f"mode {self.mode!r}", self.mode != "bfs"),
                ("liveness properties", bool(self.live)),
                ("graph=True", self.want_graph),
                ("a constraint", self.constraint is not None),
                ("symmetry", bool(self.model.symmetric)),
                ("partial-order reduction", self.reducer is not None),
            )
            if present
        ]
        if why:
            raise ModelError(
                f"system {self.model.name!r}: checkpoints are written by plain BFS only, and this exploration has {', '.join(why)}: "
                "drop the checkpoint, or explore without them"
            )
        if every <= 0:
            raise ModelError(f"checkpoint_every={every}: give a positive number of seconds")
        self.checkpoint_path = Path(checkpoint) if checkpoint is not None else None
        if self.checkpoint_path is not None:  # found now, not at the first write minutes into the run
            folder = self.checkpoint_path.parent
            if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK) or self.checkpoint_path.is_dir():
                raise CheckpointError(
                    f"cannot write checkpoint {self.checkpoint_path}: "
                    + ("it is a directory" if self.checkpoint_path.is_dir() else f"{folder} is not a writable directory")
                )
        self.resume_path = Path(resume) if resume is not None else None
        self.checkpoint_every = every

    def _begin_checkpoints(self, t0: float) -> Callable[[], None]:
        """Sign the model, schedule the first checkpoint and let Ctrl-C stop at the next tick (so that a checkpoint
        can be written in a consistent place); returns what undoes the Ctrl-C handler."""
        if self.checkpoint_path is None and self.resume_path is None:
            return lambda: None
        self._signature = self.model.signature()
        self._next_checkpoint = t0 + self.checkpoint_every
        if self.checkpoint_path is None or threading.current_thread() is not threading.main_thread():
            return lambda: None

        def on_sigint(signum: int, frame: Any) -> None:
            if self._interrupted:  # a second Ctrl-C: stop at once
                raise KeyboardInterrupt
            self._interrupted = True

        previous = signal.signal(signal.SIGINT, on_sigint)

        def restore() -> None:
            signal.signal(signal.SIGINT, previous)

        return restore

    def _write_checkpoint(self, current: Sequence[Any], current_index: array[int], nxt: Sequence[Any], next_index: array[int], depth: int) -> None:
        assert self.checkpoint_path is not None
        m = self.model
        enc = m.to_json
        data = {
            "system": m.name,
            "signature": self._signature[0],
            "unsigned": self._signature[1],
            **m.tables(),
            "parents": pack(self.parents),
            "ordinals": pack(self.ordinals),
            "fingerprint_bits": FINGERPRINT_BITS,
            "seen": pack(self._fingerprints()),
            "current": [enc(x) for x in current],
            "current_index": pack(array("q", current_index)),
            "next": [enc(x) for x in nxt],
            "next_index": pack(array("q", next_index)),
            "depth": depth,
            "found": self.found,
            "errors": [[text, idx, enc(label) if label is not None else None, name] for text, idx, label, name in self.errors],
            "deadlock": self.deadlock,
            "stats": {
                "states_generated": self.stats.states_generated,
                "max_depth": self.stats.max_depth,
                "seconds": self._seconds_before + time.perf_counter() - self._t0,
            },
            "taken": {k: sorted(v) for k, v in self._taken_so_far().items()},
        }
        save(self.checkpoint_path, data)
        self._next_checkpoint = time.perf_counter() + self.checkpoint_every

    def _load_checkpoint(self) -> tuple[list[Any], array[int], list[Any], array[int], int]:
        """Continue the exploration a checkpoint stopped (a checkpoint of another model, or an inconsistent one, is refused)."""
        assert self.resume_path is not None
        m = self.model
        path = self.resume_path
        data = load(path, m.name, self._signature)
        if data.get("fingerprint_bits") != FINGERPRINT_BITS:
            raise CheckpointError(
                f"{path} was written by an older version, with {data.get('fingerprint_bits', 60)}-bit fingerprints (now {FINGERPRINT_BITS}): explore afresh"
            )
        try:
            dec = m.from_json
            parts: dict[str, Any] = {
                "parents": unpack(data["parents"]),
                "ordinals": unpack(data["ordinals"]),
                "seen": unpack(data["seen"]),
                "current": [dec(x) for x in data["current"]],
                "current_index": unpack(data["current_index"]),
                "next": [dec(x) for x in data["next"]],
                "next_index": unpack(data["next_index"]),
                "depth": int(data["depth"]),
                "found": {str(k): int(v) for k, v in data["found"].items()},
                "errors": [(str(text), idx, dec(label) if label is not None else None, str(name)) for text, idx, label, name in data["errors"]],
                "deadlock": data["deadlock"],
                "states_generated": int(data["stats"]["states_generated"]),
                "max_depth": int(data["stats"]["max_depth"]),
            }
            seconds = float(data["stats"]["seconds"])
            taken = {str(k): {int(t) for t in v} for k, v in data["taken"].items()}
        except KeyError as e:
            raise CheckpointError(f"{path} is damaged: it has no {e.args[0]!r} part") from None
        except (TypeError, ValueError, AttributeError, IndexError) as e:
            raise CheckpointError(f"{path} is not a checkpoint of this explorer (or it is damaged): {type(e).__name__}: {e}") from None
        check_consistent(path, parts, len(self.initial), self.property_names)
        try:
            m.restore_tables(data)
        except KeyError as e:
            raise CheckpointError(f"{path} is damaged: it has no {e.args[0]!r} part") from None
        except (TypeError, ValueError, AttributeError, IndexError) as e:
            raise CheckpointError(f"{path} is not a checkpoint of this explorer (or it is damaged): {type(e).__name__}: {e}") from None
        stored = np.unique(np.array(parts["seen"], dtype=np.int64).astype(np.uint64))
        if len(stored) != len(parts["parents"]):
            raise CheckpointError(f"{path} is inconsistent: {len(parts['parents'])} states but {len(stored)} distinct fingerprints")
        ordinals = parts["ordinals"]
        self.parents, self.ordinals = parts["parents"], ordinals if ordinals.typecode in "BHI" else array("I", ordinals)
        self.store = FingerprintSet()
        self.store.push_sorted(stored)
        self.found, self.errors, self.deadlock = parts["found"], parts["errors"], parts["deadlock"]
        self.stats.states_generated, self.stats.max_depth = parts["states_generated"], parts["max_depth"]
        self.stats.distinct_states = len(self.parents)
        self._seconds_before = seconds
        self._resumed_taken = taken
        return (parts["current"], parts["current_index"], parts["next"], parts["next_index"], parts["depth"])
