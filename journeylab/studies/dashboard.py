"""The exploration notebooks as an app: Voila runs them and shows their outputs and
explorers, without code, to people who should not need a notebook.

:func:`prepare_dashboard` writes copies of the notebooks with your parameters set (the
papermill way: a cell after the ``parameters`` cell), so a dashboard can show any log;
:func:`serve_dashboard` serves them with Voila on 127.0.0.1 only: nobody else on the
network can reach it, and it answers only requests addressed to this machine's own names
(a ``Host`` header naming another site, as in DNS rebinding, gets 403). Stop it with
Ctrl-C.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..errors import InvalidInputError

__all__ = ["prepare_dashboard", "serve_dashboard", "DASHBOARD_NOTEBOOKS"]

# The notebooks with explorers: paths, personas, satisfaction drivers.
DASHBOARD_NOTEBOOKS = ("01_discover_paths", "02_personas", "03_satisfaction_drivers")
HOST = "127.0.0.1"


def prepare_dashboard(notebooks: Sequence[str | Path], folder: str | Path, *,
                      parameters: Mapping[str, Any] | None = None) -> list[Path]:
    """Copies of ``notebooks`` in ``folder`` with ``parameters`` set (each notebook gets
    the ones it declares; they are checked as for a papermill run). Relative paths are
    taken from the current folder; ``output_dir`` defaults to ``folder/<notebook>``.

    Examples
    --------
    From the project folder::

        prepare_dashboard(["notebooks/01_discover_paths.ipynb"], "dash",
                          parameters={"events_path": "my_events.csv"})
        # [PosixPath('/.../dash/01_discover_paths.ipynb')]
    """
    import nbformat

    from .report import check_notebook_parameters, notebook_parameters

    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    given = {k: (str(Path(v).resolve()) if k.endswith("_path") and isinstance(v, str) and v
                 else v) for k, v in dict(parameters or {}).items()}
    written = []
    for book in map(Path, notebooks):
        if not book.exists():
            raise InvalidInputError(f"No notebook at {str(book)!r}.")
        declared = notebook_parameters(book)
        mine = {k: v for k, v in given.items() if k in declared}
        if "output_dir" in declared:
            mine.setdefault("output_dir", str(folder / book.stem))
        check_notebook_parameters(book.resolve(), mine)
        nb = nbformat.read(book, as_version=4)
        if mine:  # the papermill way: a cell after the parameters overrides them
            at = next(i for i, c in enumerate(nb.cells)
                      if "parameters" in c.get("metadata", {}).get("tags", []))
            source = "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in mine.items())
            nb.cells.insert(at + 1, nbformat.v4.new_code_cell(
                source, metadata={"tags": ["injected-parameters"]}))
        target = folder / book.name
        nbformat.write(nb, target)
        written.append(target)
    unused = sorted(set(given) - {k for b in notebooks for k in notebook_parameters(b)})
    if unused:
        raise InvalidInputError(f"No dashboard notebook has the parameter(s) {unused}.")
    return written


def serve_dashboard(folder: str | Path, *, port: int = 8866, notebook: str | None = None,
                    open_browser: bool = False) -> subprocess.Popen:
    """Start Voila on ``127.0.0.1:port`` serving ``folder`` (or one ``notebook`` in it);
    returns the running process. Code cells are hidden; tracebacks are not sent to the
    page; the page template is Voila's own without the icon font it would load from a
    public CDN, so the page loads nothing from the internet."""
    folder = Path(folder).resolve()
    target = folder / notebook if notebook else folder
    if not target.exists():
        raise InvalidInputError(f"Nothing to serve at {str(target)!r}.")
    share = Path(__file__).resolve().parent / "share"  # the journeylab Voila template
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(share), env.get("JUPYTER_PATH"))
                                          if p)
    # share/config/voila.json: the server's own Host check (jupyter_server's check_host,
    # which Voila turns off by default): a request whose Host header names another site
    # (DNS rebinding) gets 403; only 127.0.0.1, [::1] and localhost (with the port) pass
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        p for p in (str(share / "config"), env.get("JUPYTER_CONFIG_PATH")) if p)
    cmd = [sys.executable, "-m", "voila", str(target), f"--Voila.ip={HOST}",
           "--template=journeylab",
           f"--port={int(port)}", "--Voila.port_retries=0", "--strip_sources=True",
           "--show_tracebacks=False",
           "--KernelManager.client_class=journeylab.studies.kernel.PatientKernelClient",
           "--Voila.open_browser=" + ("True" if open_browser else "False")]
    return subprocess.Popen(cmd, cwd=str(folder), env=env)
