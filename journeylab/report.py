"""Run notebooks with papermill and render them to HTML."""
from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Mapping

from .errors import InvalidInputError

__all__ = ["run_notebook", "run_demo", "render_html"]

_NOTEBOOK_RE = re.compile(r"^\d\d_.*\.ipynb$")


def render_html(notebook: str | Path, html_path: str | Path | None = None) -> Path:
    """Render an executed notebook to a self-contained HTML file (figures embedded)."""
    import nbformat
    from nbconvert import HTMLExporter

    notebook = Path(notebook)
    html_path = Path(html_path) if html_path else notebook.with_suffix(".html")
    nb = nbformat.read(notebook, as_version=4)
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    html_path.write_text(body, encoding="utf-8")
    return html_path


def _patient_client_class():
    """A kernel client whose channels re-check their socket at least twice a second.

    A single long wait on a ZMQ socket can miss its wake-up and then never see a reply that
    is already there: the run hangs with the kernel idle (seen here on cells that build
    widgets; nbclient #312). Each wait is cut into half-second slices, each starting with
    a direct check of the socket, up to the caller's own deadline.
    """
    from queue import Empty
    from time import monotonic

    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.channels import AsyncZMQSocketChannel
    from traitlets import Type

    class SlicedWaitChannel(AsyncZMQSocketChannel):
        async def get_msg(self, timeout: float | None = None):
            deadline = None if timeout is None else monotonic() + timeout
            while True:
                try:
                    return await super().get_msg(timeout=0)
                except Empty:
                    pass
                left = None if deadline is None else deadline - monotonic()
                if left is not None and left <= 0:
                    raise Empty
                try:
                    return await super().get_msg(timeout=0.5 if left is None else min(0.5, left))
                except Empty:
                    continue

    class PatientKernelClient(AsyncKernelClient):
        shell_channel_class = Type(SlicedWaitChannel)
        iopub_channel_class = Type(SlicedWaitChannel)
        control_channel_class = Type(SlicedWaitChannel)

    return PatientKernelClient


def _local_kernel_manager(socket_dir: str):
    """A kernel manager that talks to the kernel over local sockets, not TCP ports, with
    a client that cannot miss a reply (see :func:`_patient_client_class`)."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    client = _patient_client_class()

    class LocalSocketKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self):
            return "ipc"

        @default("ip")
        def _ip_default(self):
            return os.path.join(socket_dir, "kernel")

        @default("client_factory")
        def _client_factory_default(self):
            return client

    return LocalSocketKernelManager


def run_notebook(notebook: str | Path, out_dir: str | Path, *,
                 parameters: Mapping[str, Any] | None = None, html: bool = True,
                 kernel_name: str = "python3", cell_timeout: int = 1800) -> dict[str, Path]:
    """Execute ``notebook`` with papermill into ``out_dir`` and render it.

    The notebook runs with its own folder as working directory, as in JupyterLab, so
    relative paths in its parameters mean the same in both. A cell that runs longer than
    ``cell_timeout`` seconds stops the run with an error.

    Returns
    -------
    dict with ``notebook`` and (when ``html``) ``html`` paths.

    Examples
    --------
    From the project folder (the suite runs every notebook this way)::

        run_notebook("notebooks/00_quick_tour.ipynb", "reports",
                     parameters={"events_path": "../data/sample/events.csv"})
    """
    import papermill as pm

    notebook = Path(notebook).resolve()
    if not notebook.exists():
        raise InvalidInputError(f"No notebook at {str(notebook)!r}.")
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / notebook.name
    with tempfile.TemporaryDirectory(prefix="journeylab-kernel-") as sockets:
        pm.execute_notebook(str(notebook), str(executed), parameters=dict(parameters or {}),
                            cwd=str(notebook.parent), kernel_name=kernel_name,
                            progress_bar=False, log_output=False,
                            execution_timeout=cell_timeout, start_timeout=120,
                            kernel_manager_class=_local_kernel_manager(sockets))
    paths = {"notebook": executed}
    if html:
        paths["html"] = render_html(executed)
    return paths


def run_demo(*, out: str | Path = "reports", customers: int = 20_000, seed: int = 42,
             notebooks: str | Path = "notebooks",
             data_dir: str | Path = "data/processed/default") -> list[dict[str, Path]]:
    """Generate the default data if missing, then run and render every numbered notebook."""
    from .synth import generate_journeys

    data_dir = Path(data_dir)
    events = data_dir / "events.parquet"
    if not events.exists():
        t = time.perf_counter()
        truth = generate_journeys(customers, seed=seed)
        truth.save(data_dir)
        print(f"generated {len(truth.events):,} events of {customers:,} journeys in "
              f"{time.perf_counter() - t:.1f}s -> {events}")
    else:
        print(f"using existing default data {events}")
    books = sorted(p for p in Path(notebooks).glob("*.ipynb") if _NOTEBOOK_RE.match(p.name))
    if not books:
        raise InvalidInputError(f"No numbered notebooks (NN_name.ipynb) in {str(notebooks)!r}.")
    out = Path(out)
    written = []
    for i, book in enumerate(books, 1):
        t = time.perf_counter()
        print(f"[{i}/{len(books)}] {book.name} ...", end=" ", flush=True)
        import papermill as pm

        offered = {"events_path": str(events.resolve()),
                   "output_dir": str((out / book.stem).resolve()), "seed": seed,
                   "truth_path": str((data_dir / "truth_personas.csv").resolve())}
        takes = pm.inspect_notebook(str(book))
        paths = run_notebook(book, out, parameters={k: v for k, v in offered.items()
                                                    if k in takes})
        written.append(paths)
        print(f"done in {time.perf_counter() - t:.1f}s", flush=True)
    print("\nwritten:")
    for paths in written:
        for p in paths.values():
            print(f"  {p}")
    sys.stdout.flush()
    return written
