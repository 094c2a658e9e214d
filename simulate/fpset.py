"""A compact set of 64-bit fingerprints: sorted numpy runs, de-duplicated a batch at a time.

A Python ``set`` of ints costs about 70 bytes an entry; this costs 8 (plus a transient copy
while two runs merge). Runs are kept in sizes that at least double from newest to oldest, so
a batch is looked up with a ``searchsorted`` per run (a logarithmic number of runs) and
every fingerprint takes part in a logarithmic number of merges.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

U64 = np.uint64


class FingerprintSet:
    """Insert batches of fingerprints; learn which ones were new, in batch order."""

    def __init__(self) -> None:
        self.runs: list[npt.NDArray[np.uint64]] = []  # oldest (largest) first, each sorted
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def nbytes(self) -> int:
        return sum(r.nbytes for r in self.runs)

    def contains(self, fps: npt.NDArray[np.uint64], presorted: bool = False) -> npt.NDArray[np.bool_]:
        """Which of ``fps`` are in the set. Unsorted queries are sorted first (a sorted batch is searched
        several times faster: neighbouring queries share the cache lines of the run), unless ``presorted``."""
        if not self.runs or len(fps) == 0:
            return np.zeros(len(fps), dtype=bool)
        if not presorted and len(fps) > 16:
            order = np.argsort(fps, kind="stable")
            found = np.empty(len(fps), dtype=bool)
            found[order] = self.contains(fps[order], presorted=True)
            return found
        found = np.zeros(len(fps), dtype=bool)
        for run in self.runs:
            pos = np.searchsorted(run, fps)
            pos[pos == len(run)] = 0
            found |= run[pos] == fps
        return found

    def has(self, fp: int) -> bool:
        """Whether one fingerprint (a Python int, signed or not, of 64 bits) is in the set."""
        u = np.uint64(fp & 0xFFFF_FFFF_FFFF_FFFF)
        for run in self.runs:
            pos = int(run.searchsorted(u))
            if pos < len(run) and run[pos] == u:
                return True
        return False

    def push_sorted(self, run: npt.NDArray[np.uint64]) -> None:
        """Insert a sorted batch of distinct fingerprints none of which is in the set yet (the caller de-duplicated
        it, e.g. one breadth-first level); the batch is kept, not copied: the caller keeps no view of it."""
        if len(run):
            self._push(run)

    @staticmethod
    def from_signed(values: Iterable[int], count: int) -> npt.NDArray[np.uint64]:
        """Fingerprints given as signed 64-bit ints (Python's ``hash``), as a sorted array of their own."""
        out = np.fromiter(values, dtype=np.int64, count=count).astype(np.uint64)
        out.sort()
        return out

    def to_array(self) -> npt.NDArray[np.uint64]:
        """Every fingerprint (sorted within each run, not overall)."""
        return np.concatenate(self.runs) if self.runs else np.zeros(0, dtype=U64)

    def add(self, fps: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
        """Insert a batch; return a mask of the entries that were new (the first of any repeats in the batch)."""
        if len(fps) == 0:
            return np.zeros(0, dtype=bool)
        uniq, first = np.unique(fps, return_index=True)
        fresh = ~self.contains(uniq, presorted=True) if self.runs else np.ones(len(uniq), dtype=bool)
        new_mask = np.zeros(len(fps), dtype=bool)
        new_mask[first[fresh]] = True
        added = uniq[fresh]  # sorted, since np.unique sorts
        if len(added):
            self._push(added)
        return new_mask

    def _push(self, run: npt.NDArray[np.uint64]) -> None:
        self.count += len(run)
        runs = self.runs
        while runs and len(runs[-1]) <= 2 * len(run):
            run = _merge(runs.pop(), run)
        runs.append(run)


def _merge(last: npt.NDArray[np.uint64], run: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """Two sorted runs as one. A run that owns its buffer grows in place (a large buffer is remapped, not copied)
    and the merge needs a buffer of the smaller run only: the transient memory is the size of ``run``, not of both."""
    n = len(last)
    if last.base is None and last.flags.owndata and last.flags.c_contiguous:
        last.resize(n + len(run), refcheck=False)  # the set holds the only reference to its runs
        last[n:] = run
        last.sort(kind="stable")  # timsort: merges the two sorted halves
        return last
    merged = np.concatenate((last, run))
    merged.sort(kind="stable")
    return merged
