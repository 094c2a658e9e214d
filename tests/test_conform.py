"""Trace validation: logs of runs checked against the model (API, log format, command line, determinism)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from examples.distributed_lock import build
from simulate.conform import LogError, parse_log, validate
from simulate.tracelog import TraceLog
from statecharts_cli import main

ROOT = Path(__file__).resolve().parents[1]
LOCK = build("queue")

# client[0] takes the lock, client[1] queues; the storage's steps are not logged
RUN = [
    {"actor": "client[0]", "event": "acquire", "from": "env", "state": "waiting", "sent": [{"to": "lock", "event": "request"}]},
    {"actor": "client[1]", "event": "acquire", "from": "env", "state": "waiting"},
    {"actor": "lock", "event": "request", "from": "client[0]", "state": "held", "sent": [{"to": "client[0]", "event": "grant", "data": {"token": 1}}]},
    {"actor": "lock", "event": "request", "from": "client[1]", "state": "held", "sent": [], "context": {"queue": ["client[1]"]}},
    {"actor": "client[0]", "event": "grant", "from": "lock", "data": {"token": 1}, "state": "critical"},
    {"actor": "client[0]", "event": "written", "from": "storage", "data": {"ok": True}, "state": "leaving"},
    {"actor": "client[0]", "event": "release", "from": "env"},
    {"actor": "lock", "event": "release", "from": "client[0]", "sent": [{"to": "client[1]", "event": "grant", "data": {"token": 2}}]},
]


def test_a_run_of_the_model_is_accepted() -> None:
    r = validate(LOCK, RUN, max_gap=1)
    assert r.ok and r.matched == len(RUN) == len(r.entries)
    # the witness has the unlogged storage step in it
    texts = [s.text for s in r.trace.steps]
    assert "write(token=1) from client[0] [unlogged]" in texts
    assert "all 8 entries are a behaviour of the model" in r.format()


def test_unlogged_steps_are_bounded() -> None:
    r = validate(LOCK, RUN, max_gap=0)
    assert r.status == "diverged" and r.matched == 5 and r.failing is not None and r.failing.where == "entry 6"
    assert "storage: deliver write(token=1) from client[0] -> up, sends written(ok=True) to client[0]" in [m.describe() for m in r.allowed]


def test_a_divergence_names_the_entry_and_what_the_model_allowed() -> None:
    bad = [dict(e) for e in RUN]
    bad[3] = {"actor": "lock", "event": "request", "from": "client[1]", "state": "held", "sent": [{"to": "client[1]", "event": "grant", "data": {"token": 2}}]}
    r = validate(LOCK, bad, max_gap=1)
    assert r.status == "diverged" and r.matched == 3
    assert r.failing is not None and r.failing.where == "entry 4"
    assert [(m.describe(), why) for m, why in r.candidates] == [
        ("lock: deliver request from client[1] -> held, sends nothing", "the model sends nothing; observed grant(token=2) to client[1]")
    ]
    text = r.format()
    assert "longest matching prefix: 3 of 8 entries" in text
    assert "cannot match entry 4: lock: deliver request from client[1] (state held; sent grant(token=2) to client[1])" in text
    assert "the model allowed next:\n  client[0]: deliver grant(token=1) from lock -> critical, sends write(token=1) to storage" in text
    assert "✗  4" in text  # the text sequence chart marks the failing entry
    # observations are checked: a wrong state, a wrong context value, wrong data
    for k, change, why in [
        (4, {"state": "waiting"}, "afterwards the model is in critical, observed waiting"),
        (3, {"context": {"queue": []}}, "afterwards the model has queue=('client[1]',), observed queue=[]"),
        (4, {"data": {"token": 7}}, "the model's data is (token=1), observed (token=7)"),
    ]:
        bad = [dict(e) for e in RUN]
        bad[k] = {**bad[k], **change}
        r = validate(LOCK, bad, max_gap=1)
        assert r.matched == k and [why2 for _, why2 in r.candidates if why2.startswith(why.split(",")[0])], (change, r.candidates)
        assert any(why == w for _, w in r.candidates), (why, r.candidates)


def test_the_log_writer_writes_what_the_checker_reads(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with TraceLog(str(path)) as log:
        for e in RUN:
            sent = [(m["to"], m["event"], m.get("data")) for m in e["sent"]] if "sent" in e else None
            log.record(e["actor"], e["event"], e.get("data"), sender=e.get("from"), state=e.get("state"), context=e.get("context"), sent=sent)
    r = validate(LOCK, path, max_gap=1)
    assert r.ok and r.entries[2].where == "run.jsonl line 3"
    stream = io.StringIO()
    TraceLog(stream).record("lock", "request", sender="client[0]", state=("held",), context={"queue": ("a",), "seen": {"x"}})
    assert json.loads(stream.getvalue()) == {"actor": "lock", "event": "request", "from": "client[0]", "state": ["held"], "context": {"queue": ["a"], "seen": ["x"]}}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "run.jsonl line 2: not JSON"),
        ('["actor"]', "an entry is a JSON object, not list"),
        ('{"actor": "lock", "event": "request", "frm": "client[0]"}', "unknown key 'frm'"),
        ('{"event": "request"}', "'actor' (the instance that handled the event"),
        ('{"actor": "lock"}', "'event' (the name of the event lock handled) is missing"),
        ('{"actor": "lock", "event": "request", "kind": "send"}', "kind 'send': use deliver, stimulus, timer or crash"),
        ('{"actor": "lok", "event": "request"}', "unknown actor 'lok' (instances: lock, client[0], client[1], storage)"),
        ('{"actor": "lock", "event": "request", "state": "hold"}', "state 'hold' is not a state of lock's chart 'Lock' (its states: free, held)"),
        ('{"actor": "lock", "event": "request", "context": {"holders": null}}', "context field 'holders' is not a field of chart 'Lock'"),
        ('{"actor": "lock", "event": "request", "sent": [{"to": "clint", "event": "grant"}]}', "message 'grant' sent to unknown actor 'clint'"),
        ('{"actor": "lock", "event": "request", "sent": "grant"}', "'sent' must be a list"),
        ('{"actor": "lock", "event": "request", "data": 3}', "'data' must be an object, not 3"),
    ],
)
def test_a_bad_log_line_is_named(line: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    path.write_text(json.dumps(RUN[0]) + "\n" + line + "\n\n")
    with pytest.raises(LogError) as info:
        validate(LOCK, path)
    assert message in str(info.value) and ("line 2" in str(info.value) or "entry" in str(info.value))
    # ignored: blank lines, keys starting with '_', timestamps
    assert len(parse_log(['{"actor": "lock", "event": "request", "_pid": 7, "ts": 1.5}', "", "  "])) == 1


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad, text = tmp_path / "good.jsonl", tmp_path / "bad.jsonl", tmp_path / "bad.txt"
    good.write_text("".join(json.dumps(e) + "\n" for e in RUN))
    wrong = [dict(e) for e in RUN]
    wrong[3]["sent"] = [{"to": "client[1]", "event": "grant", "data": {"token": 2}}]
    bad.write_text("".join(json.dumps(e) + "\n" for e in wrong))
    text.write_text("hello\n")
    out = tmp_path / "charts"
    target = "examples/distributed_lock.py"
    assert main(["conform", target, str(good), "--max-gap", "1", "--out", str(out)]) == 0
    assert "ok: all 8 entries" in capsys.readouterr().out
    assert main(["conform", target, str(bad), "--max-gap", "1", "--out", str(out), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "statecharts.conform/1" and doc["status"] == "diverged" and doc["matched"] == 3
    assert doc["failing"]["where"] == "bad.jsonl line 4" and Path(doc["sequence_chart"]).exists()
    assert "<svg" in Path(doc["sequence_chart"]).read_text()
    assert main(["conform", target, str(bad), "--max-gap", "0"]) == 1
    assert main(["conform", target, str(text)]) == 4
    assert "bad.txt line 1: not JSON" in capsys.readouterr().err.replace("\n", " ").replace("│", "")
    assert main(["conform", target, str(tmp_path / "missing.jsonl")]) == 4
    assert main(["conform", target, str(good), "--max-gap", "-1"]) == 4
    assert main(["conform", target, str(good), "--max-gap", "3", "--max-states", "1"]) == 2
    assert "incomplete: more than 1 model states are consistent with the run at good.jsonl line 6" in capsys.readouterr().out
    assert main(["conform", "examples/nothing_here.py", str(good)]) == 3


def test_results_do_not_depend_on_hash_seeds(tmp_path: Path) -> None:
    log = tmp_path / "run.jsonl"
    log.write_text("".join(json.dumps(e) + "\n" for e in RUN[:3] + [{"actor": "client[1]", "event": "grant", "from": "lock"}]))
    code = (
        "import sys; from examples.distributed_lock import build; from simulate.conform import validate; from simulate.testgen import generate;"
        "s = build('queue'); print(validate(s, sys.argv[1], max_gap=2).format());"
        "print([(c.name, [m.describe() for m in c.steps]) for c in generate(s, cover=('transitions', 'goals', 'states'), depth=6)])"
    )
    outs = set()
    for seed in ("0", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT))
        outs.add(subprocess.run([sys.executable, "-c", code, str(log)], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout)
    assert len(outs) == 1
    assert "diverged" in next(iter(outs))


def test_timers_and_unlogged_steps() -> None:
    lease = build("lease", rounds=1)
    from simulate.testgen import generate

    case = next(c for c in generate(lease, depth=8) if "[event.origin == holder]" in c.name)  # the client retries (a timer)
    log = []
    for m in case.steps:
        entry = {"actor": m.actor, "kind": m.kind, "state": list(m.leaves), "sent": [{"to": x.to, "event": x.event, "data": dict(x.data)} for x in m.sent]}
        if m.kind != "timer":
            entry.update(event=m.event, **{"from": m.sender})
        log.append(entry)
    assert validate(lease, log).ok
    # the retry timer is not logged: one unlogged step must be allowed
    k = next(i for i, e in enumerate(log) if e["kind"] == "timer")
    quiet = log[:k] + log[k + 1 :]
    assert validate(lease, quiet, max_gap=1).ok
    r = validate(lease, quiet)
    assert r.status == "diverged" and r.matched == k and any(m.kind == "timer" for m in r.allowed)
