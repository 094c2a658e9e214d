"""``statecharts explore TARGET``: a local web page to step through a system by hand (Flask).

One session per server (a local tool for one user): a ``simulate.stepper.Stepper`` behind a
lock. The page (``exporters.explore_page``) posts an action (take an enabled step, go back,
restart, jump to a counterexample, explore now) and redraws from the view each returns.
The server listens on 127.0.0.1 only; ``--port 0`` (the default) picks a free port.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

if TYPE_CHECKING:
    from flask import Flask
    from werkzeug.serving import BaseWSGIServer

    from simulate.stepper import Stepper
    from simulate.system import System

__all__ = ["add_parser", "cmd_explore", "create_app", "make_server"]


def add_parser(command: Callable[..., argparse.ArgumentParser], names: str, positive: Callable[[str], int]) -> None:
    """Register ``explore`` on the subcommand parsers (``command`` adds a subcommand with TARGET, its NAME being ``names``)."""
    e = command(
        "explore",
        help="serve a local page to step through a system by hand",
        description="Serve a page on 127.0.0.1 where you start from the initial state, take any enabled step, go back, "
        "and jump to the counterexamples the explorer finds; each actor's chart and the sequence chart follow.",
        names=names,
    )
    e.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default 0: a free port, printed)")
    e.add_argument("--no-check", action="store_true", help="do not explore the whole system on start (the page has a button for it)")
    e.add_argument("--max-states", type=positive, help="stop the exploration after this many distinct states")
    e.add_argument("--open", action="store_true", help="open the page in the default browser")


def create_app(system: System, *, check: bool = True, max_states: int | None = None) -> Flask:
    """The Flask application serving one stepping session of ``system`` (explored on start when ``check``)."""
    from flask import Flask, Response, jsonify

    from exporters.explore_page import explore_html, explore_view
    from simulate.stepper import Stepper

    stepper = Stepper(system, max_states=max_states)
    if check:
        stepper.check()
    lock = threading.Lock()
    app = Flask("statecharts.explore")
    app.config["STEPPER"] = stepper

    def view() -> Response:
        return jsonify(explore_view(stepper))

    def refuse(message: str) -> tuple[Response, int]:
        body = explore_view(stepper)
        body["error_message"] = message
        return jsonify(body), 400

    @app.get("/")
    def page() -> Response:
        return Response(explore_html(stepper), mimetype="text/html")

    @app.get("/api/view")
    def api_view() -> Response:
        with lock:
            return view()

    @app.post("/api/take/<int:k>")
    def api_take(k: int) -> Response | tuple[Response, int]:
        with lock:
            if k not in {e.index for e in stepper.enabled()}:
                return refuse(f"step {k} is not enabled here")
            stepper.take(k)
            return view()

    @app.post("/api/back")
    def api_back() -> Response:
        with lock:
            stepper.back()
            return view()

    @app.post("/api/reset")
    def api_reset() -> Response:
        with lock:
            stepper.reset()
            return view()

    @app.post("/api/truncate/<int:k>")
    def api_truncate(k: int) -> Response:
        with lock:
            while len(stepper.steps) > max(1, k + 1):
                stepper.back()
            return view()

    @app.post("/api/check")
    def api_check() -> Response:
        with lock:
            stepper.check()
            return view()

    @app.post("/api/jump/<int:k>")
    def api_jump(k: int) -> Response | tuple[Response, int]:
        with lock:
            result = stepper.result
            if result is None or not 0 <= k < len(result.verdicts) or result.verdicts[k].trace is None:
                return refuse(f"no trace {k} to jump to")
            trace = result.verdicts[k].trace
            assert trace is not None
            stepper.jump(trace)
            return view()

    return app


def make_server(app: Flask, port: int = 0) -> BaseWSGIServer:
    """A threaded WSGI server for the app on 127.0.0.1 (``port`` 0: a free one; see ``server.server_port``)."""
    from werkzeug.serving import make_server as werkzeug_server

    return werkzeug_server("127.0.0.1", port, app, threaded=True)


def cmd_explore(args: argparse.Namespace, out: Console) -> int:
    """Load the target's System and serve the explorer page until Ctrl-C."""
    from .export import ToolMissing, UsageError
    from .targets import Target, find_system, load_module

    try:
        import flask  # noqa: F401
    except ImportError:
        raise ToolMissing("statecharts explore needs Flask: pip install 'statecharts[explore]'") from None
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: give a port from 0 (a free one) to 65535")
    target = Target.parse(args.target)
    system = find_system(load_module(target.location), target)
    if not args.no_check:
        out.print(Text(f"exploring {system.name} for its counterexamples…", style="dim"))
    app = create_app(system, check=not args.no_check, max_states=args.max_states)
    stepper: Stepper = app.config["STEPPER"]
    if stepper.result is not None:
        r = stepper.result
        out.print(f"{r.system}: {r.status}, {r.stats.distinct_states:,} distinct states; {sum(v.trace is not None for v in r.verdicts)} traces to jump to")
    try:
        server = make_server(app, args.port)
    except OSError as e:
        raise UsageError(f"cannot listen on 127.0.0.1:{args.port}: {e.strerror or e}; choose another --port (0: a free one)") from None
    url = f"http://127.0.0.1:{server.server_port}/"
    out.print(Text(f"statecharts explore: {url}  (Ctrl-C stops)", style="cyan"))
    if args.open:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        out.print(Text("stopped", style="dim"))
    finally:
        server.server_close()
    return 0
