"""The conformance suites' one place ($STATECHARTS_CONFORMANCE, else ../shared/conformance), and the fetch script."""

from __future__ import annotations

import filecmp
import json
import shutil
from pathlib import Path

import fetch
import pytest


def test_the_place_is_the_environment_variable_else_shared(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(fetch.ENV, raising=False)
    assert fetch.suite_dir() == Path(__file__).resolve().parents[3] / "shared" / "conformance"
    monkeypatch.setenv(fetch.ENV, str(tmp_path / "suites"))
    assert fetch.suite_dir() == tmp_path / "suites"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(fetch.ENV, "relative")
    assert fetch.suite_dir() == tmp_path / "relative"  # relative to where the tests run


def test_a_missing_suite_says_where_it_looked_and_how_to_get_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(fetch.ENV, str(tmp_path))
    scion, w3c = fetch.missing_reason("scion"), fetch.missing_reason("w3c")
    assert str(tmp_path / "scion") in scion and fetch.ENV in scion and "tests/conformance/fetch.py" in scion and "npm" in scion
    assert str(tmp_path / "w3c") in w3c and "no package registry" in w3c and "tests/conformance/fetch.py" in w3c


def test_without_the_w3c_tests_the_script_says_where_they_come_from(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(fetch.ENV, str(tmp_path))
    (tmp_path / "scion").mkdir()
    (tmp_path / "scion" / "manifest.json").write_text("[]")
    assert fetch.main([]) == 0
    out, err = capsys.readouterr()
    assert "scion: already there" in out
    assert "w3c: not there" in err and "scxml-irp" in err and "SCXML-tutorial" in err and "recommended_subsets.json" in err


def test_the_pinned_cases_are_the_shared_copys() -> None:
    manifest = fetch.suite_dir() / "scion" / "manifest.json"
    if not manifest.is_file():
        pytest.skip(fetch.missing_reason("scion"))
    assert json.loads(fetch.SCION_CASES.read_text()) == json.loads(manifest.read_text())


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("npm") is None, reason="npm not on PATH: fetching the SCION cases needs the npm client (apt-get install npm)")
def test_fetching_scion_from_npm_gives_the_shared_copy(tmp_path: Path) -> None:
    """End to end: npm pack, digest check, the pinned cases laid out; byte for byte the shared copy when there is one."""
    dest = tmp_path / "scion"
    n = fetch.fetch_scion(dest)
    cases = json.loads((dest / "manifest.json").read_text())
    assert n == len(cases) == 106 and (dest / "LICENSE.txt").read_text().lstrip().startswith("Apache License")
    for case in cases:
        assert (dest / case["group"] / f"{case['test']}.scxml").is_file() and (dest / case["group"] / f"{case['test']}.json").is_file()
    shared = fetch.suite_dir() / "scion"
    if (shared / "manifest.json").is_file():
        cmp = filecmp.dircmp(dest, shared)
        differences: list[str] = []

        def walk(c: filecmp.dircmp[str], prefix: str) -> None:
            differences.extend(prefix + name for name in c.left_only + c.right_only + c.diff_files)
            for name, sub in c.subdirs.items():
                walk(sub, f"{prefix}{name}/")

        walk(cmp, "")
        assert not differences, differences


def test_the_w3c_port_is_laid_out_from_a_clone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--w3c-from takes a clone's Tests/python/W3C and LICENSE, and adds the tiers, where test_w3c.py reads them."""
    clone = tmp_path / "SCXML-tutorial"
    auto = clone / "Tests" / "python" / "W3C" / "Mandatory" / "Auto"
    auto.mkdir(parents=True)
    (auto / "test144.scxml").write_text("<scxml/>")
    (clone / "LICENSE").write_text("BSD 3-Clause License")
    suites = tmp_path / "suites"
    (suites / "scion").mkdir(parents=True)
    (suites / "scion" / "manifest.json").write_text("[]")
    monkeypatch.setenv(fetch.ENV, str(suites))
    assert fetch.main(["--w3c-from", str(clone)]) == 0
    assert "w3c: 1 documents" in capsys.readouterr().out
    port = suites / "w3c" / "python-tutorial"
    assert (port / "Mandatory" / "Auto" / "test144.scxml").read_text() == "<scxml/>"
    assert (port / "LICENSE-SCXML-tutorial-BSD3").read_text().startswith("BSD 3-Clause")
    tiers = json.loads((suites / "w3c" / "recommended_subsets.json").read_text())
    assert "144" in tiers["tier1_core_no_datamodel"] and tiers["tier2_python_datamodel_no_invoke"]
    with pytest.raises(SystemExit, match="not a clone of SCXML-tutorial"):
        fetch.main(["--w3c-from", str(tmp_path / "elsewhere")])


def test_the_committed_tiers_are_the_shared_copys() -> None:
    subsets = fetch.suite_dir() / "w3c" / "recommended_subsets.json"
    if not subsets.is_file():
        pytest.skip(fetch.missing_reason("w3c"))
    assert json.loads(fetch.W3C_TIERS.read_text()) == json.loads(subsets.read_text())
