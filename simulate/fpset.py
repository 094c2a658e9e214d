"""A compact set of 64-bit fingerprints: sorted numpy runs, de-duplicated a batch at a time.

A Python ``set`` of ints costs about 70 bytes an entry; this costs 8 (plus a transient copy
while two runs merge). Runs are kept in sizes that at least double from newest to oldest, so
a batch is looked up with a ``searchsorted`` per run (a logarithmic number of runs) and
every fingerprint takes part in a logarithmic number of merges.
"""

from __future__ import annotations

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

    def contains(self, fps: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
        """Which of ``fps`` are in the set."""
        found = np.zeros(len(fps), dtype=bool)
        for run in self.runs:
            pos = np.searchsorted(run, fps)
            pos[pos == len(run)] = 0
            found |= run[pos] == fps
        return found

    def add(self, fps: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
        """Insert a batch; return a mask of the entries that were new (the first of any repeats in the batch)."""
        if len(fps) == 0:
            return np.zeros(0, dtype=bool)
        uniq, first = np.unique(fps, return_index=True)
        fresh = ~self.contains(uniq) if self.runs else np.ones(len(uniq), dtype=bool)
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
            last = runs.pop()
            merged = np.concatenate((last, run))
            del last
            merged.sort(kind="stable")
            run = merged
        runs.append(run)
