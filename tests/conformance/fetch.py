"""Where the conformance suites live, and a script that fetches them from their public sources.

The tests read the suites from ``$STATECHARTS_CONFORMANCE`` if it is set, else from
``../shared/conformance`` beside the repository. ``python tests/conformance/fetch.py`` fills
that place: the SCION cases (Apache-2.0) come from the npm registry's ``scxml-test-framework``
package, through the ``npm`` client, checked against a pinned digest; the W3C SCXML tests and
their Python port are on no package registry, so the script says where to get them, and
``--w3c-from CLONE`` lays out the port from a clone of its repository.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = "STATECHARTS_CONFORMANCE"
DEFAULT = ROOT.parent / "shared" / "conformance"

SCION_PACKAGE = "scxml-test-framework@2.0.0"
SCION_INTEGRITY = "sha512-qgn+dXjwON+Y6jA8Ebdyg1Ep1l9bABzYgrJDlssi6TH4YGkJ94ymGJV7R+F82EHEzvaVA/cKvycNqz+qJpDbmw=="
SCION_CASES = Path(__file__).with_name("scion-manifest.json")
"""The cases the tests run (a subset of the package's 127 non-W3C cases) and what each needs: structural, python-compatible-expressions or ecmascript."""

W3C_TIERS = Path(__file__).with_name("w3c-tiers.json")
"""The W3C tests the tests run, by tier (from the W3C manifest): tier 1 needs no datamodel, tier 2 a Python one and no invoke."""

W3C_SOURCES = """\
The W3C SCXML tests are on no package registry this project can reach. Get them by hand:
  * the W3C SCXML 1.0 Implementation Report Plan tests (W3C Test Suite License or W3C 3-clause BSD):
    https://www.w3.org/Voice/2013/scxml-irp/ (manifest.xml and the txml/ sources);
  * their hand port to datamodel="python" (BSD-3, Alexander Zhornyak): the SCXML-tutorial repository,
    https://github.com/alexzhornyak/SCXML-tutorial, folder Tests/python/W3C;
With a clone of SCXML-tutorial, `python tests/conformance/fetch.py --w3c-from CLONE` lays the
port out in {where}/w3c (python-tutorial/, its licence, and recommended_subsets.json, the tiers
the tests run)."""


def suite_dir() -> Path:
    """The one place the tests read the suites from: ``$STATECHARTS_CONFORMANCE``, else ``../shared/conformance``."""
    value = os.environ.get(ENV, "").strip()
    return Path(value).expanduser().resolve() if value else DEFAULT


def missing_reason(suite: str) -> str:
    """A skip message for an absent suite (``scion`` or ``w3c``) that says where it was looked for and how to get it."""
    where = suite_dir() / suite
    how = (
        "run `python tests/conformance/fetch.py` (needs npm) to fetch it from the npm registry"
        if suite == "scion"
        else "it is on no package registry: `python tests/conformance/fetch.py` says where to get it and lays it out (--w3c-from)"
    )
    return f"the {suite.upper()} conformance suite is not in {where} (set {ENV} to another place, or {how})"


def fetch_scion(dest: Path) -> int:
    """Fetch the SCION package with npm, check its digest, and lay out the pinned cases in ``dest``; returns the number of cases."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("fetch.py: the SCION cases come from the npm registry, and `npm` is not on PATH (apt-get install npm)")
    cases = json.loads(SCION_CASES.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([npm, "pack", SCION_PACKAGE, "--json", "--pack-destination", tmp], capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            raise SystemExit(f"fetch.py: `npm pack {SCION_PACKAGE}` failed:\n{proc.stderr.strip()}")
        tarball = Path(tmp) / json.loads(proc.stdout)[0]["filename"]
        digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        if digest != SCION_INTEGRITY:
            raise SystemExit(f"fetch.py: {tarball.name} has digest {digest}, expected {SCION_INTEGRITY}: refusing it")
        unpacked = Path(tmp) / "unpacked"
        with tarfile.open(tarball) as tar:
            tar.extractall(unpacked, filter="data")
        package = unpacked / "package"
        staging = dest.with_name(dest.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        shutil.copy2(package / "LICENSE.txt", staging / "LICENSE.txt")
        for group in sorted({case["group"] for case in cases}):  # a group's other files (.js for <script src>) come along
            (staging / group).mkdir()
            for extra in sorted((package / "test" / group).iterdir()):
                if extra.suffix not in (".scxml", ".json"):
                    shutil.copy2(extra, staging / group / extra.name)
        for case in cases:
            for ext in (".scxml", ".json"):
                shutil.copy2(package / "test" / case["group"] / f"{case['test']}{ext}", staging / case["group"] / f"{case['test']}{ext}")
        (staging / "manifest.json").write_text(json.dumps(cases, indent=1), encoding="utf-8")
        shutil.rmtree(dest, ignore_errors=True)
        staging.rename(dest)
    return len(cases)


def install_w3c_port(clone: Path, dest: Path) -> int:
    """Lay out the Python port from a clone of SCXML-tutorial in ``dest`` (the suites' ``w3c``); returns the number of documents."""
    source = clone / "Tests" / "python" / "W3C"
    if not (source / "Mandatory").is_dir() or not (clone / "LICENSE").is_file():
        raise SystemExit(f"fetch.py: {clone} is not a clone of SCXML-tutorial (expected Tests/python/W3C/Mandatory and LICENSE in it)")
    port = dest / "python-tutorial"
    shutil.rmtree(port, ignore_errors=True)
    port.mkdir(parents=True)
    for part in ("Mandatory", "Optional"):
        if (source / part).is_dir():
            shutil.copytree(source / part, port / part)
    shutil.copy2(clone / "LICENSE", port / "LICENSE-SCXML-tutorial-BSD3")
    shutil.copy2(W3C_TIERS, dest / "recommended_subsets.json")
    return len(list(port.rglob("*.scxml")))


def main(argv: list[str] | None = None) -> int:
    """Fetch what is missing (or, with --force, everything fetchable) into the suites' place."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=f"The place: ${ENV}, else {DEFAULT}.")
    parser.add_argument("--force", action="store_true", help="fetch the SCION cases again even if they are there")
    parser.add_argument("--w3c-from", type=Path, metavar="CLONE", help="lay out the W3C tests' Python port from this clone of SCXML-tutorial")
    args = parser.parse_args(argv)
    where = suite_dir()
    print(f"conformance suites: {where}")
    scion = where / "scion"
    if (scion / "manifest.json").is_file() and not args.force:
        print(f"  scion: already there ({scion})")
    else:
        where.mkdir(parents=True, exist_ok=True)
        n = fetch_scion(scion)
        print(f"  scion: {n} cases from npm {SCION_PACKAGE} (Apache-2.0, LICENSE.txt beside them) -> {scion}")
    w3c = where / "w3c"
    if args.w3c_from is not None:
        n = install_w3c_port(args.w3c_from.expanduser().resolve(), w3c)
        print(f"  w3c: {n} documents of the Python port (BSD-3) from {args.w3c_from} -> {w3c}")
    elif (w3c / "recommended_subsets.json").is_file():
        print(f"  w3c: already there ({w3c})")
    else:
        print("  w3c: not there.\n" + W3C_SOURCES.format(where=where), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
