"""The flagship example: a serverless WebSocket gateway (API Gateway + lambdas + app), four designs.

See ``README.md`` for the story and ``model.py`` for the system; run it with
``python -m examples.websocket_gateway [--design naive|deferred|grace-retry|fixed|all]``.
"""

from .model import AMENDMENTS, CALLS, DESIGNS, FINAL, FINAL_SITES, MUTATIONS, NARROW, SPEC, Bounds, build, system

__all__ = ["AMENDMENTS", "CALLS", "DESIGNS", "FINAL", "FINAL_SITES", "MUTATIONS", "NARROW", "SPEC", "Bounds", "build", "system"]
