"""The notebooks as files: each NN_name.ipynb is paired with NN_name.py (py:percent, by
jupytext), the two hold the same cells, and the committed .ipynb carries no outputs.

After editing a notebook, `make notebooks` syncs its pair and strips the outputs."""
from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupytext.config import find_jupytext_configuration_file, load_jupytext_configuration_file

ROOT = Path(__file__).resolve().parent.parent
NB = ROOT / "notebooks"
NOTEBOOKS = sorted(NB.glob("[0-9][0-9]_*.ipynb"))
FIX = "run `make notebooks`"


def cells(nb) -> list[tuple[str, str, list[str]]]:
    """What a pair must agree on: each cell's type, source and tags, in order."""
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


def test_the_four_notebooks_and_their_pairs_are_there():
    stems = [p.stem for p in NOTEBOOKS]
    assert stems == ["00_quick_tour", "01_discover_paths", "02_personas",
                     "03_satisfaction_drivers"]
    assert sorted(p.stem for p in NB.glob("[0-9][0-9]_*.py")) == stems


def test_the_pairing_is_declared_for_jupyterlab_and_the_command_line():
    config_file = find_jupytext_configuration_file(str(NB))
    assert config_file and Path(config_file).parent == NB
    config = load_jupytext_configuration_file(config_file)
    assert config.formats in ("ipynb,py:percent", ["ipynb,py:percent"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_py_and_the_ipynb_hold_the_same_cells(path):
    notebook = jupytext.read(path)
    script_path = path.with_suffix(".py")
    script = jupytext.read(script_path)
    assert script.metadata["jupytext"]["text_representation"]["format_name"] == "percent"
    a, b = cells(notebook), cells(script)
    for i, (x, y) in enumerate(zip(a, b)):
        assert x == y, f"cell {i} of {path.name} differs from {script_path.name}: {FIX}"
    assert len(a) == len(b), f"{path.name} has {len(a)} cells, {script_path.name} {len(b)}: {FIX}"
    # the kernel the notebook runs in, also when the .ipynb is made from the .py alone
    for nb in (notebook, script):
        assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, \
                f"cell {i} of {path.name} has outputs: {FIX}"
        assert set(cell.metadata) <= {"tags"}, f"cell {i} of {path.name}: {FIX}"
    assert "widgets" not in nb.metadata, f"{path.name} holds saved widget state: {FIX}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_first_code_cell_is_the_parameters_cell(path):
    for nb in (jupytext.read(path), jupytext.read(path.with_suffix(".py"))):
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code[0].metadata.get("tags") == ["parameters"]
        assert not any("parameters" in c.metadata.get("tags", []) for c in code[1:])
        # one `name: type = value  # help` a line; the help holds no "=", which would be
        # read as part of the value
        for line in code[0].source.splitlines():
            assert re.fullmatch(r"\w+: \w+ = .+  # [^=]+", line), line
