"""A study is a notebook run with parameters: check them before any work, record what
the results came from (data hash, parameters, package versions) beside the results.

Every notebook calls :func:`check_parameters` in its first cell after the parameters,
so a bad value stops the run there with the parameter's name and the fix;
:func:`journeylab.report.run_notebook` checks names and types against the notebook's own
``parameters`` cell before it even starts a kernel. :func:`record_provenance` ends each
notebook: ``provenance.json`` holds no clock time, so two runs with the same inputs
write the same bytes.
"""
from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .errors import InvalidInputError

__all__ = ["check_parameters", "record_provenance", "file_sha256"]

# Paths that must exist when given ("" means none); events_path is always needed.
_OPTIONAL_PATHS = ("catalogue_path", "truth_path", "personas_path")
_CHOICES = {
    "method": ("markov", "kmeans", "agglomerative"),
    "window": ("journey", "since_previous"),
}
_SHARES = ("activity_coverage", "path_coverage", "min_edge_share", "variant_coverage")
_AT_LEAST = {"seed": 0, "n_boot": 0, "stability_resamples": 0, "examples": 0, "k_min": 1,
             "k_max": 1, "min_touchpoints": 1, "max_steps": 1, "min_customers": 1}
_VERSIONS = ("journeylab", "numpy", "pandas", "scipy", "scikit-learn", "pm4py", "duckdb",
             "pyarrow", "matplotlib", "seaborn", "ipywidgets", "papermill")


def _problem(name: str, value: Any, need: str) -> str:
    return f"parameter {name}={value!r}: {need}"


def _check_one(name: str, value: Any, base: Path) -> str | None:
    if name == "events_path" or (name in _OPTIONAL_PATHS and value):
        if not isinstance(value, str):
            return _problem(name, value, "give a file path as text")
        path = base / value
        if not path.exists():
            return _problem(name, value, f"no such file (looked in {path.resolve()}); give "
                            "the path of an existing file, relative to the notebook's folder"
                            + ("" if name == "events_path" else ", or \"\" for none"))
    elif name in _CHOICES and value not in _CHOICES[name]:
        return _problem(name, value, f"must be one of {list(_CHOICES[name])}")
    elif name == "level" and not (isinstance(value, (int, float)) and 0 < value < 1):
        return _problem(name, value, "a confidence level between 0 and 1, such as 0.95")
    elif name in _SHARES and not (isinstance(value, (int, float)) and 0 <= value <= 1):
        return _problem(name, value, "a share between 0 and 1")
    elif name in _AT_LEAST and not (isinstance(value, int) and not isinstance(value, bool)
                                    and value >= _AT_LEAST[name]):
        return _problem(name, value, f"a whole number of at least {_AT_LEAST[name]}")
    elif name == "min_effect" and not (isinstance(value, (int, float)) and value >= 0):
        return _problem(name, value, "a number of score points, 0 or more")
    elif name == "n_personas" and not (value == "auto" or str(value).isdigit()
                                       and int(value) >= 1):
        return _problem(name, value, "\"auto\" or a whole number of personas such as \"6\"")
    elif name == "instruments" and not (isinstance(value, Mapping) and all(
            isinstance(v, (list, tuple)) and len(v) == 2 and float(v[0]) < float(v[1])
            for v in value.values())):
        return _problem(name, value, "a dict of survey activity -> [low, high], such as "
                        "{\"nps_survey\": [0, 10]}")
    return None


def check_parameters(*, base_dir: str | Path = ".", **parameters: Any) -> dict[str, Any]:
    """Check a study's parameters before any work; return them as a dict.

    Paths are checked to exist (relative to ``base_dir``, the notebook's folder), levels
    and shares to lie in their range, counts to be whole numbers, choices to be known;
    ``k_max`` must not be below ``k_min``. Every problem is listed in one error.

    Raises
    ------
    InvalidInputError
        Naming each bad parameter, its value and what it needs.

    Examples
    --------
    >>> check_parameters(level=0.95, n_boot=200)["n_boot"]
    200
    >>> check_parameters(level=1.5)
    Traceback (most recent call last):
    ...
    journeylab.errors.InvalidInputError: parameter level=1.5: a confidence level between 0 and 1, such as 0.95
    """
    base = Path(base_dir)
    problems = [p for name, value in parameters.items()
                if (p := _check_one(name, value, base)) is not None]
    k_min, k_max = parameters.get("k_min"), parameters.get("k_max")
    if isinstance(k_min, int) and isinstance(k_max, int) and k_max < k_min:
        problems.append(f"parameter k_max={k_max!r}: must not be below k_min={k_min!r}")
    if problems:
        raise InvalidInputError("; ".join(problems))
    return dict(parameters)


def file_sha256(path: str | Path, *, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes (read in chunks, any size).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "x.txt")
    >>> _ = open(p, "w").write("abc")
    >>> file_sha256(p)[:12]
    'ba7816bf8f01'
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def record_provenance(parameters: Mapping[str, Any], out_dir: str | Path, *,
                      base_dir: str | Path = ".") -> pd.DataFrame:
    """Write ``provenance.json`` to ``out_dir``: each input file's name and SHA-256, the
    parameters, Python's and the packages' versions. Returns it as a table to show.

    Parameters that are output folders are left out (they name where, not what), and no
    clock time is written: the same inputs and parameters give the same bytes.

    Examples
    --------
    >>> import tempfile, json, os
    >>> d = tempfile.mkdtemp()
    >>> table = record_provenance({"seed": 1}, d)
    >>> json.load(open(os.path.join(d, "provenance.json")))["parameters"]
    {'seed': 1}
    """
    base = Path(base_dir)
    params = {k: v for k, v in parameters.items() if k != "output_dir"}
    inputs = {}
    for name, value in params.items():
        if name.endswith("_path") and value and (base / value).is_file():
            inputs[name] = {"file": Path(value).name, "sha256": file_sha256(base / value)}
    record = {"inputs": inputs, "parameters": params,
              "versions": {"python": platform.python_version(),
                           **{p: _version(p) for p in _VERSIONS}}}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "provenance.json").write_text(json.dumps(record, indent=1, sort_keys=True,
                                                    default=str) + "\n", encoding="utf-8")
    rows = [("input", f"{k}: {v['file']}", f"sha256 {v['sha256']}") for k, v in inputs.items()]
    rows += [("parameter", k, json.dumps(v, default=str)) for k, v in params.items()]
    rows += [("version", k, v) for k, v in record["versions"].items()]
    return pd.DataFrame(rows, columns=["kind", "name", "value"])
