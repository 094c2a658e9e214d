"""``python -m statecharts`` and the ``statecharts`` console script: see :mod:`statecharts.cli`."""

from __future__ import annotations

import sys

from statecharts.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
