"""requirements.lock pins the exact versions the set-up installs: every dependency that
pyproject.toml declares is in it at a version the declared range allows, and environment.yml
agrees with it."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
# conda packages that are not the PyPI package of the same name
CONDA_TO_PYPI = {"python-duckdb": "duckdb", "python-graphviz": "graphviz"}
CONDA_ONLY = {"python", "pip", "graphviz"}  # graphviz on conda-forge is the `dot` program


def locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        assert sep and re.fullmatch(r"[\w.!+-]+", version), f"not an exact pin: {line!r}"
        assert canonicalize_name(name) not in pins, f"{name} is pinned twice"
        pins[canonicalize_name(name)] = version
    return pins


def locked_python() -> str:
    header = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    return re.search(r"python (\d+\.\d+)", header).group(1)


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    return [Requirement(r) for r in project["dependencies"] + extras["test"] + extras["bench"]]


def test_the_lock_pins_every_declared_dependency_within_its_range():
    pins = locked()
    assert "journeylab" not in pins
    for req in declared():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in requirements.lock: run `make lock`"
        assert req.specifier.contains(pins[name], prereleases=True), \
            f"requirements.lock has {req.name}=={pins[name]}, pyproject.toml asks {req}"


def test_environment_yml_agrees_with_the_lock():
    pins = locked()
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip_section += dep["pip"]
            continue
        name, version = re.fullmatch(r"([\w.-]+)\s*(?:==?\s*([^\s#]+))?", dep).groups()
        if name == "python":
            assert version == locked_python(), f"environment.yml has {dep}"
        elif name not in CONDA_ONLY:
            pypi = canonicalize_name(CONDA_TO_PYPI.get(name, name))
            assert pypi in pins, f"environment.yml lists {name}, which is not in the lock"
            assert version == pins[pypi], \
                f"environment.yml has {dep}, requirements.lock {pypi}=={pins[pypi]}"
    assert "-r requirements.lock" in pip_section
    for line in pip_section:  # anything else pip installs is pinned as in the lock
        if not line.startswith(("-r ", "-e ")):
            req = Requirement(line)
            assert str(req.specifier) == f"=={pins[canonicalize_name(req.name)]}", line


def test_the_setup_installs_the_lock_and_is_redone_when_it_changes():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    stamp_rule = re.search(r"^\$\(STAMP\):(.*)$", makefile, re.M).group(1)
    assert "requirements.lock" in stamp_rule.split() and "pyproject.toml" in stamp_rule.split()
    assert "pip install --quiet -r requirements.lock" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile
