"""``python -m statecharts`` and the ``statecharts`` console script: see :mod:`statecharts_cli`.

The one import of the command-line layer from the ``statecharts`` package (the import-linter
contract in pyproject.toml names this exception): it is what lets ``python -m statecharts``
keep working while the command line lives above ``simulate`` and ``exporters``.
"""

from __future__ import annotations

import sys

from statecharts_cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
