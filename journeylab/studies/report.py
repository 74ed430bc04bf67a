"""Run notebooks with papermill and render them to HTML."""
from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Mapping

from ..defaults import RANDOM_STATE
from ..errors import InvalidInputError, StudyError

__all__ = ["run_notebook", "run_demo", "render_html", "notebook_parameters", "parse_parameter",
           "check_notebook_parameters", "type_phrase"]

_NOTEBOOK_RE = re.compile(r"^\d\d_.*\.ipynb$")


def render_html(notebook: str | Path, html_path: str | Path | None = None, *,
                offline: bool = True, single_file: bool = False) -> Path:
    """Render an executed notebook to HTML for a browser with no kernel and no internet.

    Each explorer shows as its page (see :mod:`journeylab.explore.page`): its controls
    work in the browser and every view is in the file. Every Graphviz process map can be
    panned, zoomed, hovered for details and saved as SVG or PNG. The page's script is
    inside the HTML; nothing is loaded from the internet.

    Any other ipywidget is shown from its saved state by the Jupyter widget manager, whose
    JavaScript is copied beside the HTML (``embed-amd.js``, ``require.js``, fetched once
    at set-up); with ``single_file`` it is put inside the HTML instead, so the report is
    one file to e-mail. ``offline=False`` takes the widget manager from a public CDN.
    """
    import nbformat
    from nbconvert import HTMLExporter

    from ..explore.page import page_scripts, plotly_js
    from ..plot.sankey import PLOTLY_ASSET

    notebook = Path(notebook)
    html_path = Path(html_path) if html_path else notebook.with_suffix(".html")
    nb = nbformat.read(notebook, as_version=4)
    widgets = _prefer_pages(nb)
    exporter = HTMLExporter(template_name="lab")
    exporter.mathjax_url = _NO_SCRIPT  # no formula is written in TeX: nothing to load
    html_path.parent.mkdir(parents=True, exist_ok=True)
    if widgets and (offline or single_file):
        from .assets import asset_dir, copy_assets

        if single_file:  # the scripts inside the page, as data URLs the page loads
            import base64

            urls = {name: "data:text/javascript;base64," +
                    base64.b64encode((asset_dir() / name).read_bytes()).decode("ascii")
                    for name in ("require.js", "embed-amd.js")}
        else:
            urls = copy_assets(html_path.parent)
        exporter.require_js_url = urls["require.js"]
        exporter.widget_renderer_url = urls["embed-amd.js"]
    if not widgets:  # the template loads RequireJS (for widgets) from a CDN: not needed
        exporter.require_js_url = _NO_SCRIPT
    body, _ = exporter.from_notebook_node(nb)
    body = re.sub(r'<script[^>]*src="' + re.escape(_NO_SCRIPT) + r'[^"]*"[^>]*>\s*</script>',
                  "", body)
    body = _safe_script_data(body)
    if 'class="jl-plotly"' in body and not single_file:
        (html_path.parent / PLOTLY_ASSET).write_text(plotly_js(), encoding="utf-8")
    body = body.replace("</body>", page_scripts(body, inline=single_file) + "\n</body>", 1)
    html_path.write_text(body, encoding="utf-8")
    return html_path


_DATA_SCRIPT = re.compile(r'(<script type="application/vnd\.jupyter\.widget-[a-z-]+\+json">)'
                          r'(.*?)(</script>)', re.S)


def _safe_script_data(body: str) -> str:
    """The JSON embedded in the page's data ``<script>`` blocks (the widget state, each
    widget view) with ``<``, ``>`` and ``&`` written as JSON escapes (``\\u003c``...): the
    same JSON to a parser, but no name from the data (``<!--``, ``</script>``,
    ``<script``) can end the block or change how the browser reads it. nbconvert escapes
    only ``/``."""
    def safe(m: re.Match) -> str:
        data = m.group(2).replace("<", "\\u003c").replace(">", "\\u003e") \
            .replace("&", "\\u0026")
        return m.group(1) + data + m.group(3)

    return _DATA_SCRIPT.sub(safe, body)


_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_NO_SCRIPT = "journeylab-no-script.js"
_PLOTLY = "application/vnd.plotly.v1+json"


def _prefer_pages(nb: Any) -> bool:
    """Outputs that carry both an explorer's live widget and its page keep the page only
    (a browser with no kernel cannot run the widget's Python); plotly figures become
    :func:`journeylab.plot.figure_html`. Returns whether any other
    widget is left; when none is, the saved widget state is dropped too."""
    from ..plot.sankey import figure_html

    left = False
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if _PLOTLY in data:  # a plotly figure: drawn by the plotly.js the report ships
                out["data"] = {"text/html": figure_html(data[_PLOTLY])}
                continue
            if _WIDGET_VIEW not in data:
                continue
            if 'class="jl-page"' in data.get("text/html", ""):
                del data[_WIDGET_VIEW]
            else:
                left = True
    if not left:
        nb.metadata.pop("widgets", None)
    return left


def _local_kernel_manager(socket_dir: str):
    """A kernel manager that talks to the kernel over local sockets, not TCP ports, with
    a client that cannot miss a reply (see
    :class:`journeylab.studies.kernel.PatientKernelClient`)."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    from .kernel import PatientKernelClient as client

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


@contextmanager
def _environment(**values: str | None):
    """Environment variables set (None: left as they are) for the kernels started
    inside, then restored."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update({k: v for k, v in values.items() if v is not None})
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


_A = {"int": "an"}  # the article before a type's name
_TYPES = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,),
          "list": (list, tuple), "dict": (dict,)}


def type_phrase(type_name: str) -> str:
    """A parameter type's name with its article, as messages say it.

    Examples
    --------
    >>> type_phrase("int"), type_phrase("float")
    ('an int', 'a float')
    """
    return f"{_A.get(type_name, 'a')} {type_name}"


def notebook_parameters(notebook: str | Path) -> dict[str, dict[str, Any]]:
    """A notebook's parameters: ``{name: {"type", "default", "help"}}``, read from its
    ``parameters`` cell (the same as ``papermill --help-notebook`` lists).

    Examples
    --------
    From the project folder::

        notebook_parameters("notebooks/00_quick_tour.ipynb")["random_state"]
        # {'type': 'int', 'default': 0, 'help': 'random seed for every random step'}
    """
    import ast

    import papermill as pm

    out = {}
    for name, info in pm.inspect_notebook(str(notebook)).items():
        try:
            default = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            default = info["default"]
        out[name] = {"type": info["inferred_type_name"], "default": default,
                     "help": info["help"]}
    return out


def parse_parameter(text: str, type_name: str) -> Any:
    """A parameter value given as text (on the command line) read as its declared type:
    ``"0.9"`` for a float, ``'["a", "b"]'`` (JSON or a Python literal) for a list.

    Examples
    --------
    >>> parse_parameter("0.9", "float"), parse_parameter("a,b", "list")
    (0.9, ['a', 'b'])
    """
    import ast

    if type_name == "str":
        return text
    if type_name == "bool":
        if text.lower() in ("true", "1", "yes"):
            return True
        if text.lower() in ("false", "0", "no"):
            return False
        raise InvalidInputError(f"{text!r} is not true or false.")
    import json

    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        try:  # JSON: true, false, null
            return json.loads(text)
        except ValueError:
            pass
        if type_name == "list":  # a,b,c
            return [v.strip() for v in text.split(",") if v.strip()]
        raise InvalidInputError(f"{text!r} is not {type_phrase(type_name)}.") \
            from None
    if type_name == "float" and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    return value


def check_notebook_parameters(notebook: str | Path, parameters: Mapping[str, Any]) -> None:
    """Check parameters against a notebook's ``parameters`` cell, before any kernel starts.

    Parameters
    ----------
    notebook : str or Path
    parameters : mapping
        Name -> value, as papermill would inject them.

    Raises
    ------
    InvalidInputError
        A name the notebook does not declare, a value of another type than its declared
        one, or an impossible value (see :func:`journeylab.check_parameters`, which gets
        the notebook's defaults merged with ``parameters``).
    """
    from .parameters import STUDY_PARAMETERS, check_parameters

    notebook = Path(notebook)
    declared = notebook_parameters(notebook)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        known = ", ".join(f"{n} ({d['type']})" for n, d in declared.items())
        raise InvalidInputError(f"{notebook.name} has no parameter {', '.join(unknown)}; "
                                f"its parameters are: {known}.")
    problems = []
    for name, value in parameters.items():
        kind = declared[name]["type"]
        kinds = _TYPES.get(kind)
        if kinds and (not isinstance(value, kinds) or (isinstance(value, bool)
                                                        and bool not in kinds)):
            problems.append(f"parameter {name}={value!r}: {notebook.name} takes "
                            f"{type_phrase(kind)} ({declared[name]['help']}), such as "
                            f"{declared[name]['default']!r}")
    if problems:
        raise InvalidInputError("; ".join(problems))
    merged = {n: d["default"] for n, d in declared.items()} | dict(parameters)
    # a notebook of the user's own may take parameters journeylab does not know
    check_parameters(base_dir=notebook.parent,
                     **{n: v for n, v in merged.items() if n in STUDY_PARAMETERS})


def run_notebook(notebook: str | Path, out_dir: str | Path, *,
                 parameters: Mapping[str, Any] | None = None, html: bool = True,
                 offline: bool = True, single_file: bool = False, kernel_name: str = "python3",
                 cell_timeout: int = 1800) -> dict[str, Path]:
    """Execute ``notebook`` with papermill into ``out_dir`` and render it.

    The notebook runs with its own folder as working directory, as in JupyterLab, so
    relative paths in its parameters mean the same in both. Parameters are checked
    against the notebook's ``parameters`` cell first (known names, declared types,
    possible values), so a bad one fails at once, before a kernel starts. A cell that runs
    longer than ``cell_timeout`` seconds stops the run with an error.

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
    check_notebook_parameters(notebook, dict(parameters or {}))
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / notebook.name
    with tempfile.TemporaryDirectory(prefix="journeylab-kernel-") as sockets, \
            _environment(JOURNEYLAB_PAGES="1" if html else None):
        try:
            pm.execute_notebook(str(notebook), str(executed),
                                parameters=dict(parameters or {}),
                                cwd=str(notebook.parent), kernel_name=kernel_name,
                                progress_bar=False, log_output=False,
                                execution_timeout=cell_timeout, start_timeout=120,
                                kernel_manager_class=_local_kernel_manager(sockets))
        except pm.PapermillExecutionError as exc:
            raise StudyError(f"{notebook.name} stopped in cell {exc.exec_count}: "
                             f"{exc.ename}: {exc.evalue}. The executed notebook, with the "
                             f"traceback, is {executed}.") from None
    paths = {"notebook": executed}
    if html:
        paths["html"] = render_html(executed, offline=offline, single_file=single_file)
    return paths


def _run_one(book: Path, out: Path, parameters: dict, offline: bool, single_file: bool
             ) -> tuple[str, dict[str, Path], float]:
    t = time.perf_counter()
    paths = run_notebook(book, out, parameters=parameters, offline=offline,
                         single_file=single_file)
    return book.name, paths, time.perf_counter() - t


# A notebook that takes one of these parameters waits for the notebook that writes it.
_FROM_EARLIER = {"personas_path": ("02_personas", "assignments.csv")}


def run_demo(*, out: str | Path = "reports", customers: int = 20_000,
             random_state: int = RANDOM_STATE,
             notebooks: str | Path = "notebooks",
             data_dir: str | Path = "data/processed/default",
             workers: int = 2, offline: bool = True, single_file: bool = False
             ) -> list[dict[str, Path]]:
    """Generate the default data if missing, then run and render every numbered notebook.

    Notebooks run ``workers`` at a time, each in its own kernel; one that reads another's
    tables (03 reads the personas 02 found) starts when that one is done. A progress bar
    follows the runs; a summary lists every file written, with each notebook's time.
    """
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    import multiprocessing

    import papermill as pm
    from tqdm.auto import tqdm

    from ..synth import generate_journeys, synthetic_parameters

    t0 = time.perf_counter()
    data_dir = Path(data_dir)
    events = data_dir / "events.parquet"
    if not events.exists():
        t = time.perf_counter()
        truth = generate_journeys(customers, random_state=random_state)
        truth.save(data_dir)
        print(f"generated {len(truth.events):,} events of {customers:,} journeys in "
              f"{time.perf_counter() - t:.1f}s -> {events}")
    else:
        print(f"using existing default data {events}")
    books = sorted(p for p in Path(notebooks).glob("*.ipynb") if _NOTEBOOK_RE.match(p.name))
    if not books:
        raise InvalidInputError(f"No numbered notebooks (NN_name.ipynb) in {str(notebooks)!r}.")
    out = Path(out).resolve()
    plans: dict[str, tuple[Path, dict, set[str]]] = {}
    for book in books:
        offered = {**synthetic_parameters(data_dir), "output_dir": str(out / book.stem),
                   "random_state": random_state}
        takes = pm.inspect_notebook(str(book))
        params = {k: v for k, v in offered.items() if k in takes}
        after = set()
        for name, (stem, table) in _FROM_EARLIER.items():
            if name in takes and any(b.stem == stem for b in books):
                params[name] = str(out / stem / table)
                after.add(stem)
        plans[book.stem] = (book, params, after)
    done: dict[str, tuple[dict[str, Path], float]] = {}
    # longest first: the notebooks others wait for, then the rest in order
    waiting = sorted(plans, key=lambda s: (not any(s in p[2] for p in plans.values()), s))
    bar = tqdm(total=len(plans), desc="notebooks", unit="nb", file=sys.stdout)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=ctx) as pool:
        running = {}
        while waiting or running:
            for stem in [s for s in waiting if plans[s][2] <= set(done)]:
                if len(running) >= max(1, workers):
                    break
                book, params, _ = plans[stem]
                running[pool.submit(_run_one, book, out, params, offline,
                                    single_file)] = stem
                waiting.remove(stem)
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                stem = running.pop(future)
                name, paths, seconds = future.result()
                done[stem] = (paths, seconds)
                bar.update(1)
                bar.write(f"  {name} done in {seconds:.1f}s")
    bar.close()
    written = [done[b.stem][0] for b in books]
    print(f"\nwritten to {out} in {time.perf_counter() - t0:.1f}s:")
    for book in books:
        paths, seconds = done[book.stem]
        tables = sorted(p.name for p in (out / book.stem).glob("*") if p.is_file()) \
            if (out / book.stem).is_dir() else []
        print(f"  {paths['html'].name:<34} {seconds:5.1f}s  "
              f"{len(tables)} tables and figures in {book.stem}/")
    sys.stdout.flush()
    return written
