"""A griffe extension for the API reference: Sphinx roles in docstrings become code spans.

The docstrings say :class:`Chart` (readable in ``help()``); Markdown would print the role
literally, so ``:role:`~pkg.mod.Name``` becomes ```Name``` and ``:role:`pkg.Name``` becomes ```pkg.Name```.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj|const):`(~?)([^`]+)`")


def _code(m: re.Match[str]) -> str:
    target = m.group(2)
    return f"`{target.rsplit('.', 1)[-1] if m.group(1) else target}`"


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx cross-reference roles in every docstring to Markdown code spans."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = ROLE.sub(_code, obj.docstring.value)
