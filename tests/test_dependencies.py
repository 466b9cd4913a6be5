"""Reproducible installs: every dependency is capped at its major and pinned in the lock file that every install
command uses, so a new major of Dash, Plotly or pandas cannot reach a deployed wall unannounced."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = [r for group in project["optional-dependencies"].values() for r in group]
    return [Requirement(r) for r in project["dependencies"] + extras]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_dependency_is_capped_at_a_major():
    uncapped = [str(r) for r in _requirements() if not any(s.operator == "<" for s in r.specifier)]
    assert not uncapped, f"no upper bound: {uncapped}"


def test_every_dependency_is_pinned_in_the_lock_file_within_its_range():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[_norm(name)] = version.strip()
    for req in _requirements():
        assert _norm(req.name) in pins, f"{req.name} is not in constraints.txt"
        assert req.specifier.contains(pins[_norm(req.name)]), (req.name, pins[_norm(req.name)], str(req.specifier))


def test_every_install_command_uses_the_lock_file():
    for path in (".ci/run", "Dockerfile", "README.md"):
        text = (ROOT / path).read_text(encoding="utf-8")
        installs = [line for line in text.splitlines() if re.search(r"pip install .*-e", line)]
        assert installs and all("-c constraints.txt" in line for line in installs), (path, installs)
