"""LogSync: a job producer, a log server and watch clients that push finished jobs to the database.

A faithful transcription, at small bounds, of a public TLA+ spec ``LogSync`` (a service
that streams the log lines of running jobs to "watch" clients). Its processes share
variables and each TLA+ action updates several of them atomically, so, as for a PlusCal
spec, the processes are the parallel regions of one chart, the shared variables its
context, and each TLA+ action one transition fired by a stimulus (its parameter, a key or
a client, is the stimulus data). One explorer step is one TLA+ step.

* ``main`` (the job producer): ``AddDBJob(k)`` writes a new running job to ``db``,
  ``PushJob`` copies it to the server's in-memory ``state``; ``MainRestart`` forgets the
  job between the two.
* ``server``: ``ProduceLog(k)`` appends a log line, ``FinishJob(k)`` completes the job; each
  bumps the key's sequence number and pushes the news into the one-slot channel of a
  client that waits on the key. ``DeleteRandomKeyInState(k)`` evicts a key from memory.
* ``client[c]``: ``UpdateWatchKeys`` picks the running jobs from ``db``;
  ``AddToWaitList`` registers them at the server (creating ``Gone`` placeholders for keys
  the server no longer has); ``NewWatchChan`` opens an empty channel (and the server may
  fill it at once); ``ConsumeWatchChan`` takes a log line, or the end of a job, which
  ``UpdateDB`` writes back to ``db``; ``ClientRestart`` loses the client's memory.

Invariants ``AllJobsMustBeFinished``, ``DBShouldSameAsMem`` and ``StateAlwaysMatchWaitList``
of the spec, and ``AlwaysTerminate`` (``<>TerminateCond``, the spec's ``FairSpec`` being
weak fairness on the whole next-state relation; here every action is weakly fair).
Bounds: keys and clients as given, ``max_log`` lines a job (the spec has 3; 2 here), one
restart of each kind and one eviction (the spec's ``max_*`` constants).

What exploring it shows: as written, the spec's state space is infinite. After a key is
evicted from memory and recreated as an empty ``Gone`` placeholder, a client whose log
index is past the placeholder's (empty) log is sent ``JobGone`` again and again, and its
index grows without bound (``update_seq_cond`` tests ``last_index = state_index``, never
true again). ``LogIndexBounded`` (ours) catches it in 19 steps under a CONSTRAINT. The
spec's later revision tests ``last_index >= state_index``; with that one change
(``fixed``, the default) the space is finite and every property holds: 2,232 distinct
states with one key and one client, exactly what TLC 2.18 reports for the spec with the
same change and bounds (no error, ``AlwaysTerminate`` included). The module our TLA+
exporter emits for either variant gives TLC the same counts and verdicts again
(``tests/test_tla.py``).
"""

from __future__ import annotations

from typing import Any

from simulate import Actor, Stimulus, System, eventually, invariant
from statecharts import Chart, Expr, Parallel, State, Transition, assign, call, choose, const, ctx, event, if_, if_else

KEYS = ("k1",)
CLIENTS = ("c1",)
MAX_LOG = 2
MAX_CLIENT_RESTART = 1
MAX_MAIN_RESTART = 1
MAX_DELETE_STATE = 1
SEQ0 = 100
LOG0 = 20

NIL = None
CONSUMED = ("Consumed", None)
EMPTY = ("Empty", None)


def put(m: Any, key: Any, value: Any) -> Expr:
    """``[m EXCEPT ![key] = value]``."""
    return call("put", m, key, value)


def put2(m: Any, key1: Any, key2: Any, value: Any) -> Expr:
    """``[m EXCEPT ![key1][key2] = value]``."""
    return put(m, key1, put(m[key1], key2, value))


def _can_push(k: Any, c: Any) -> Expr:
    """``canPushKeyToClient(k, c, watch_chan)`` on the context as it is (the spec's primed server variables)."""
    return (ctx.watch_chan[c][0] == "Empty") & ctx.wait_list[k].contains(c) & (ctx.watch_seq[c][k] < ctx.state_seq[k])


def _push(k: Any, c: Any, fixed: bool) -> Any:
    """``pushToClientChan(k, c, watch_chan)``: the next line of ``k`` (or its end) into c's channel."""
    last = ctx.watch_log_index[c][k]
    info = ctx.state[k]
    count = call("len", info[0])
    running = info[1] == "Running"
    add_log = running | (last < count)
    # the spec: IF last_index = state_index THEN TRUE ELSE last_index + 1 = state_index /\ is_running;
    # the fix of its later revision: last_index >= state_index (past the end of an evicted job's logs)
    update_seq = ((last >= count) if fixed else (last == count)) | ((last + 1 == count) & running)
    ev = if_else(add_log, ("AddLog", k, if_else(last < count, info[0][last], NIL)), (if_else(info[1] == "Gone", "JobGone", "Finished"), k, NIL))
    return assign(
        watch_chan=put(ctx.watch_chan, c, ("Ready", ev)),
        watch_log_index=put2(ctx.watch_log_index, c, k, last + 1),
        watch_seq=if_else(update_seq, put2(ctx.watch_seq, c, k, ctx.state_seq[k]), ctx.watch_seq),
    )


def _push_key_or_nothing(k: Any, clients: tuple[str, ...], fixed: bool) -> Any:
    """``pushKeyOrDoNothing(k)``: some client that can take news of ``k`` gets it."""
    able = call("set", tuple(if_else(_can_push(k, c), c, NIL) for c in clients)) - call("set", (NIL,))
    return if_(call("len", able) > 0, choose("c", able, lambda c: _push(k, c, fixed)))


def _push_client_or_nothing(c: Any, keys: tuple[str, ...], fixed: bool) -> Any:
    """``pushToClientOrDoNothing(c, watch_chan)``: news of some key ``c`` can take."""
    able = call("set", tuple(if_else(_can_push(k, c), k, NIL) for k in keys)) - call("set", (NIL,))
    return if_(call("len", able) > 0, choose("k", able, lambda k: _push(k, c, fixed)))


def _seq_bump(k: Any) -> list[Any]:
    """``updateStateSeq(k)``."""
    return [assign(next_seq=ctx.next_seq + 1), assign(state_seq=put(ctx.state_seq, k, ctx.next_seq))]


def _active_keys(keys: tuple[str, ...]) -> Expr:
    """Running jobs in the database, but not the one main is pushing."""
    running = call("set", tuple(if_else((ctx.db[k] != NIL) & (ctx.db[k][1] == "Running"), k, NIL) for k in keys))
    return running - call("set", (NIL, ctx.current_key))


def _client_region(c: str, keys: tuple[str, ...], fixed: bool) -> State:
    """The watch client ``c``: watch_pc as states Init / WaitOnChan / UpdateDB; its other actions anywhere."""
    me = event.c == c
    chan = ctx.watch_chan[c]
    data = chan[1]
    k = data[1]
    old = ctx.watch_state[c][k]
    old_logs = if_else(old == NIL, (), old[0])
    consumed = put(ctx.watch_chan, c, const(CONSUMED))
    lk = ctx.watch_local_key[c]
    server_keys = call("set", tuple(if_else(ctx.wait_list[key].contains(c), key, NIL) for key in keys)) - call("set", (NIL,))
    new_wait_list: Any = ctx.wait_list
    for key in keys:
        wl = ctx.wait_list[key]
        new_wait_list = put(new_wait_list, key, if_else(ctx.watch_keys[c].contains(key), call("add", wl, c), call("remove", wl, c)))
    nil_state = {key: (ctx.wait_list[key] != call("set", ())) & (ctx.state[key] == NIL) for key in keys}
    any_nil: Any = False
    new_state: Any = ctx.state
    new_seq: Any = ctx.state_seq
    for key in keys:
        any_nil = any_nil | nil_state[key]
        new_state = put(new_state, key, if_else(nil_state[key], const(((), "Gone")), ctx.state[key]))
        new_seq = put(new_seq, key, if_else(nil_state[key], ctx.next_seq, ctx.state_seq[key]))
    per_key = {key: SEQ0 for key in keys}
    return State(
        f"client_{c}",
        State(
            f"{c}_init",
            on={
                "NewWatchChan": Transition(
                    f"{c}_wait", guard=me, actions=[assign(watch_chan=put(ctx.watch_chan, c, const(EMPTY))), _push_client_or_nothing(c, keys, fixed)]
                )
            },
        ),
        State(
            f"{c}_wait",
            on={
                "ConsumeWatchChan": [
                    Transition(
                        f"{c}_init",
                        guard=me & (chan[0] == "Ready") & (data[0] == "AddLog"),
                        actions=assign(watch_chan=consumed, watch_state=put2(ctx.watch_state, c, k, (call("append", old_logs, data[2]), "Running"))),
                    ),
                    Transition(
                        f"{c}_update_db",
                        guard=me & (chan[0] == "Ready"),
                        actions=assign(
                            watch_chan=consumed,
                            watch_state=put2(ctx.watch_state, c, k, (old_logs, if_else(data[0] == "JobGone", "Gone", "Completed"))),
                            watch_local_key=put(ctx.watch_local_key, c, k),
                        ),
                    ),
                ]
            },
        ),
        State(
            f"{c}_update_db",
            on={
                "UpdateDB": Transition(
                    f"{c}_init", guard=me, actions=assign(db=put(ctx.db, lk, ctx.watch_state[c][lk]), watch_local_key=put(ctx.watch_local_key, c, NIL))
                )
            },
        ),
        on={
            "UpdateWatchKeys": Transition(
                guard=me & (ctx.watch_keys[c] != _active_keys(keys)), actions=assign(watch_keys=put(ctx.watch_keys, c, _active_keys(keys)))
            ),
            "AddToWaitList": Transition(
                guard=me & (ctx.watch_keys[c] != server_keys),
                actions=[
                    assign(wait_list=new_wait_list),
                    if_(any_nil, [assign(next_seq=ctx.next_seq + 1), assign(state=new_state, state_seq=new_seq)]),
                    _push_client_or_nothing(c, keys, fixed),
                ],
            ),
            "ClientRestart": Transition(
                f"{c}_init",
                internal=True,  # an external transition would exit the whole parallel state
                guard=me & (ctx.num_client_restart < MAX_CLIENT_RESTART),
                actions=assign(
                    num_client_restart=ctx.num_client_restart + 1,
                    watch_chan=put(ctx.watch_chan, c, const(CONSUMED)),
                    watch_keys=put(ctx.watch_keys, c, call("set", ())),
                    watch_local_key=put(ctx.watch_local_key, c, NIL),
                    watch_log_index=put(ctx.watch_log_index, c, const({key: 0 for key in keys})),
                    watch_seq=put(ctx.watch_seq, c, const(per_key)),
                    watch_state=put(ctx.watch_state, c, const({key: None for key in keys})),
                ),
            ),
        },
    )


def log_sync_chart(keys: tuple[str, ...] = KEYS, clients: tuple[str, ...] = CLIENTS, max_log: int = MAX_LOG, fixed: bool = False) -> Chart:
    """Main, server and clients as parallel regions over the spec's shared variables."""
    k = event.k
    info = ctx.state[k]
    server = State(
        "server",
        State("serving"),
        on={
            "ProduceLog": Transition(
                guard=(info != NIL) & (info[1] == "Running") & (call("len", info[0]) < max_log),
                actions=[
                    assign(next_log=ctx.next_log + 1),
                    assign(state=put(ctx.state, k, (call("append", info[0], ctx.next_log), info[1]))),
                    *_seq_bump(k),
                    _push_key_or_nothing(k, clients, fixed),
                ],
            ),
            "FinishJob": Transition(
                guard=(info != NIL) & (info[1] == "Running"),
                actions=[assign(state=put(ctx.state, k, (info[0], "Completed"))), *_seq_bump(k), _push_key_or_nothing(k, clients, fixed)],
            ),
            "DeleteRandomKeyInState": Transition(
                guard=(ctx.num_delete_state < MAX_DELETE_STATE) & (info != NIL),
                actions=assign(
                    num_delete_state=ctx.num_delete_state + 1,
                    state=put(ctx.state, k, NIL),
                    state_seq=put(ctx.state_seq, k, SEQ0),
                    wait_list=put(ctx.wait_list, k, call("set", ())),
                ),
            ),
        },
    )
    main = State(
        "main",
        State(
            "main_init",
            on={
                "AddDBJob": Transition(
                    "push_job", guard=ctx.db[k] == NIL, actions=assign(current_key=k, db=put(ctx.db, k, const(((), "Running"))))
                )
            },
        ),
        State(
            "push_job",
            on={"PushJob": Transition("main_init", actions=assign(current_key=NIL, state=put(ctx.state, ctx.current_key, ctx.db[ctx.current_key])))},
        ),
        on={
            "MainRestart": Transition(
                "main_init", internal=True, guard=ctx.num_main_restart < MAX_MAIN_RESTART, actions=assign(num_main_restart=ctx.num_main_restart + 1, current_key=NIL)
            )
        },
    )
    per_key_clients: dict[str, Any] = {c: {key: SEQ0 for key in keys} for c in clients}
    return Chart(
        "LogSync",
        Parallel("log_sync", main, server, *[_client_region(c, keys, fixed) for c in clients]),
        context={
            "current_key": None,
            "db": {key: None for key in keys},
            "state": {key: None for key in keys},
            "state_seq": {key: SEQ0 for key in keys},
            "next_log": LOG0,
            "next_seq": SEQ0,
            "wait_list": {key: frozenset() for key in keys},
            "watch_keys": {c: frozenset() for c in clients},
            "watch_chan": {c: CONSUMED for c in clients},
            "watch_seq": per_key_clients,
            "watch_log_index": {c: {key: 0 for key in keys} for c in clients},
            "watch_state": {c: {key: None for key in keys} for c in clients},
            "watch_local_key": {c: None for c in clients},
            "num_client_restart": 0,
            "num_main_restart": 0,
            "num_delete_state": 0,
        },
    )


def _f(name: str) -> str:
    return f"field('sync', {name!r})"


def terminate_cond(keys: tuple[str, ...], clients: tuple[str, ...]) -> str:
    """The spec's ``TerminateCond``, over the actor ``sync``."""
    db, state, wl, wk, chan = _f("db"), _f("state"), _f("wait_list"), _f("watch_keys"), _f("watch_chan")
    active = f"{{k for k in {keys!r} if {db}[k] != None and {db}[k][1] == 'Running' and k != {_f('current_key')}}}"
    return (
        f"all({db}[k] != None and {db}[k][1] in ('Completed', 'Gone') for k in {keys!r})"
        f" and all({state}[k] == None or {state}[k][1] in ('Completed', 'Gone') for k in {keys!r})"
        + "".join(
            f" and In('sync', '{c}_wait') and {wk}[{c!r}] == {active} and {wk}[{c!r}] == {{k for k in {keys!r} if {c!r} in {wl}[k]}}"
            f" and {chan}[{c!r}][0] == 'Empty'"
            for c in clients
        )
    )


VARIANTS = ("spec", "fixed")


def build(variant: str = "fixed", keys: tuple[str, ...] = KEYS, clients: tuple[str, ...] = CLIENTS, max_log: int = MAX_LOG) -> System:
    """LogSync with the given keys and clients, every action a weakly fair stimulus.

    ``spec`` is the spec as written, explored under the CONSTRAINT that a client's log index
    stays within ``max_log + 3`` (without it the space is infinite, and ``LogIndexBounded``
    fails); ``fixed`` has its later revision's ``>=`` and needs no constraint.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; use one of {', '.join(VARIANTS)}")
    term = terminate_cond(keys, clients)
    db, state, wl = _f("db"), _f("state"), _f("wait_list")
    info_equal = (
        f"{db}[k][1] in ('Completed', 'Gone') and {state}[k][1] in ('Completed', 'Gone')"
        f" and ({state}[k][1] != 'Completed' or ({db}[k][0] == {state}[k][0] and {db}[k][1] == 'Completed'))"
    )
    per_key = [{"k": key} for key in keys]
    per_client = [{"c": c} for c in clients]
    stimuli = [Stimulus("sync", e, data=per_key, fair=True) for e in ("AddDBJob", "ProduceLog", "FinishJob", "DeleteRandomKeyInState")]
    stimuli += [Stimulus("sync", e, fair=True) for e in ("PushJob", "MainRestart")]
    stimuli += [
        Stimulus("sync", e, data=per_client, fair=True)
        for e in ("NewWatchChan", "UpdateWatchKeys", "AddToWaitList", "ConsumeWatchChan", "UpdateDB", "ClientRestart")
    ]
    return System(
        f"LogSync({variant}, keys={len(keys)}, clients={len(clients)}, max_log={max_log})",
        actors=[Actor("sync", log_sync_chart(keys, clients, max_log, fixed=variant == "fixed"))],
        stimuli=stimuli,
        properties=[
            invariant("AllJobsMustBeFinished", f"not ({term}) or all({db}[k] != None and {db}[k][1] in ('Completed', 'Gone') for k in {keys!r})"),
            invariant("DBShouldSameAsMem", f"not ({term}) or all({state}[k] == None or ({info_equal}) for k in {keys!r})"),
            invariant("StateAlwaysMatchWaitList", f"all(len({wl}[k]) == 0 or {state}[k] != None for k in {keys!r})"),
            invariant("LogIndexBounded", f"all(all({_f('watch_log_index')}[c][k] <= {max_log + 2} for k in {keys!r}) for c in {clients!r})"),
            eventually("AlwaysTerminate", term),
        ],
        check_deadlock=False,
        constraint=None
        if variant == "fixed"
        else f"all(all({_f('watch_log_index')}[c][k] <= {max_log + 3} for k in {keys!r}) for c in {clients!r})",
    )


system = build()


def main() -> None:
    """Explore one key and one client, then two keys; print verdicts and counterexamples."""
    from examples._artifacts import explore_and_report

    for variant in VARIANTS:
        explore_and_report(build(variant), f"out/log_sync/{variant}")


if __name__ == "__main__":
    main()
