"""One formatting layer for every table a report shows.

Compute functions return tidy frames with raw numbers (seconds, shares from 0 to 1, counts
as floats after a merge); :func:`format_table` is the one place that turns them into what a
reader sees: durations as ``2.1 d``, counts as ``2,955``, shares as ``12.3%``, timestamps to
the second, missing values as ``–``, every name from the data HTML-escaped, wide tables
scrolling inside the page and long ones cut to ``max_rows`` with a note. It formats only:
the values stay as they are. :func:`enable_report_display` makes a notebook show every
DataFrame this way.
"""
from __future__ import annotations

import html
import itertools
import json
import math
import numbers
import re
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..core.columns import is_share_name

__all__ = ["format_table", "format_value", "format_duration", "column_kind", "is_share_name",
           "enable_report_display", "style_table", "MISSING", "script_json"]

#: How a missing value is shown.
MISSING = "–"

_DURATION = re.compile(r"(^|_)s$|^seconds$|_seconds$")
_uuids = itertools.count()


def _is_duration_name(name: Any) -> bool:
    return isinstance(name, str) and name != "s" and bool(_DURATION.search(name))


def format_duration(seconds: Any) -> str:
    """Short human duration: ``45 s``, ``12 min``, ``3.2 h``, ``2.1 d`` (``–`` when missing).

    Examples
    --------
    >>> format_duration(5400), format_duration(183568.25289), format_duration(None)
    ('1.5 h', '2.1 d', '–')
    """
    if isinstance(seconds, pd.Timedelta) or isinstance(seconds, np.timedelta64):
        seconds = pd.Timedelta(seconds).total_seconds()
    if seconds is None or seconds is pd.NaT or (isinstance(seconds, numbers.Number)
                                                and math.isnan(float(seconds))):
        return MISSING
    s = float(seconds)
    sign, s = ("-", -s) if s < 0 else ("", s)
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if s >= size:
            v = s / size
            return f"{sign}{v:,.0f} {unit}" if v >= 10 else f"{sign}{v:.1f} {unit}"
    return f"{sign}{s:.0f} s"


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays
        return False


def _whole(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    return bool(len(finite)) and bool(np.all(finite == np.round(finite))) and \
        bool(np.all(np.abs(finite) < 2 ** 53))


def _decimals(values: np.ndarray) -> int:
    """Decimals giving the largest value three significant digits (0 to 4): 1,234 and
    183 get none, 4.22 two, 0.0312 four."""
    finite = np.abs(values[np.isfinite(values)])
    top = finite.max() if len(finite) else 0.0
    if top == 0:
        return 0
    return int(min(max(2 - math.floor(math.log10(top)), 0), 4))


def _timestamp(value: pd.Timestamp, *, date_only: bool = False, tz: bool = True) -> str:
    text = value.strftime("%Y-%m-%d" if date_only else "%Y-%m-%d %H:%M:%S")
    if tz and value.tzinfo is not None:
        text += f" {value.tzname()}"
    return text


def column_kind(name: Any, values: pd.Series | None = None) -> str:
    """How a column is shown: ``"duration"``, ``"share"``, ``"count"`` (whole numbers),
    ``"number"``, ``"time"``, ``"bool"`` or ``"text"``, from its name and values.

    Examples
    --------
    >>> column_kind("median_s", pd.Series([1.5])), column_kind("persona", pd.Series([0.0, 1.0]))
    ('duration', 'count')
    """
    if values is not None:
        dtype = values.dtype
        if pd.api.types.is_bool_dtype(dtype):
            return "bool"
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return "time"
        if pd.api.types.is_timedelta64_dtype(dtype):
            return "duration"
        if not pd.api.types.is_numeric_dtype(dtype):
            return "text"
    if _is_duration_name(name):
        return "duration"
    if is_share_name(name):
        return "share"
    if values is None:
        return "number"
    return "count" if _whole(values.to_numpy(dtype=float, na_value=np.nan)) else "number"


def format_value(value: Any, *, name: Any = None, kind: str | None = None,
                 decimals: int | None = None) -> str:
    """One value as a report shows it (not HTML-escaped; :func:`format_table` escapes).

    ``kind`` is one of :func:`column_kind`'s kinds; by default it follows the column
    ``name`` (``*_s`` durations, shares and rates) and the value (whole numbers as counts).

    Examples
    --------
    >>> format_value(2955.0), format_value(0.1234, name="share"), format_value(float("nan"))
    ('2,955', '12.3%', '–')
    >>> format_value(183568.25289, name="mean_s"), format_value(4.2173)
    ('2.1 d', '4.22')
    """
    if _is_missing(value):
        return MISSING
    if isinstance(value, (pd.Timedelta, np.timedelta64)):
        return format_duration(value)
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return _timestamp(pd.Timestamp(value))
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if not isinstance(value, numbers.Number):
        return str(value)
    v = float(value)
    if kind is None:
        kind = column_kind(name)
        if kind == "number" and math.isfinite(v) and v == round(v) and abs(v) < 2 ** 53:
            kind = "count"
    if kind == "duration":
        return format_duration(v)
    if kind == "share":
        return f"{v:.1%}"
    if not math.isfinite(v):
        return str(v)
    if kind == "count":
        return f"{int(round(v)):,}"
    d = _decimals(np.array([v])) if decimals is None else decimals
    return f"{v:,.{d}f}"


def _column_formatter(name: Any, values: pd.Series) -> tuple[Callable[[Any], str], str]:
    """The formatter of one column and its header."""
    kind = column_kind(name, values)
    header = str(name)
    if kind == "duration" and isinstance(name, str) and _is_duration_name(name):
        header = re.sub(r"_s$|_seconds$", "", name) or name
    if kind == "time":
        tz = getattr(values.dtype, "tz", None)
        times = values.dropna()
        date_only = bool(len(times)) and bool((times == times.dt.normalize()).all())
        if tz is not None:
            header = f"{name} ({pd.Timestamp(0, tz=tz).tzname() or tz})"
        return (lambda v: _timestamp(pd.Timestamp(v), date_only=date_only, tz=False)), header
    if kind == "text":
        return (lambda v: format_value(v)), header
    if kind == "bool":
        return (lambda v: "yes" if v else "no"), header
    return (lambda v: format_value(v, kind=kind)), header


#: Characters of a text cell a report shows; a longer one ends in "…" (the tables written
#: as files keep every character).
MAX_CELL_TEXT = 240


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_CELL_TEXT else text[:MAX_CELL_TEXT - 1].rstrip() + "…"


def _escaped(formatter: Callable[[Any], str]) -> Callable[[Any], str]:
    from ..privacy import visible_text

    def show(value: Any) -> str:
        return MISSING if _is_missing(value) else \
            html.escape(_shorten(visible_text(formatter(value))))
    return show


def _label(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return _timestamp(value, date_only=value == value.normalize())
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return f"{int(value):,}"
    return str(value)


_STYLES = [
    # a wide table scrolls inside the page instead of running past its edge
    {"selector": "", "props": "display: block; max-width: 100%; overflow-x: auto; "
                              "border-collapse: collapse; font-size: 0.9em;"},
    # long names wrap between words (or inside one too long for the cell), never letter by
    # letter in a narrow column
    {"selector": "th, td", "props": "max-width: 28em; white-space: normal; "
                                    "overflow-wrap: break-word; padding: 0.2em 0.6em; "
                                    "vertical-align: top;"},
    {"selector": "th", "props": "text-align: left;"},
    {"selector": "td", "props": "text-align: right;"},
    {"selector": "caption", "props": "caption-side: bottom; text-align: left; "
                                     "font-style: italic; color: #555;"},
]


def format_table(table: pd.DataFrame | pd.Series, *, max_rows: int | None = 50,
                 formats: dict[str, Any] | None = None):
    """The table as a report shows it: a pandas ``Styler`` (HTML) over the same values.

    * durations (``*_s`` columns in seconds, timedelta columns) as ``3.2 h`` / ``2.1 d``,
      the header without its unit suffix (``median_s`` -> ``median``);
    * whole numbers (also float columns holding only whole numbers, as persona ``0.0``)
      as integers with thousands separators: ``2,955``;
    * shares and rates (``share``, ``*_share``, ``share_*``, ``*_rate``, ``conversion*``)
      as percentages: ``12.3%``; other numbers with three significant digits (``4.22``,
      ``0.0312``, ``1,235``);
    * timestamps to the second, the timezone once in the header;
    * missing values as ``–``; every text cell, header and index label HTML-escaped;
    * a wide table scrolls sideways, long text cells wrap (and end in "…" past
      :data:`MAX_CELL_TEXT` characters), and a frame longer than
      ``max_rows`` (None: no limit) shows its first rows with a note
      "showing 50 of N rows".

    ``formats`` overrides a column's format (a format string such as ``"{:+.2f}"`` or a
    callable). The input is not changed.

    Examples
    --------
    >>> t = pd.DataFrame({"touchpoint": ["<b>call</b>"], "median_s": [183568.25289],
    ...                   "cases": [2955.0], "share": [0.1234]})
    >>> html = format_table(t).to_html()
    >>> all(s in html for s in ["&lt;b&gt;call&lt;/b&gt;", "2.1 d", "2,955", "12.3%"])
    True
    """
    from ..privacy import shown_table

    if isinstance(table, pd.Series):
        table = table.to_frame(table.name if table.name is not None else "value")
    # a shared report's protection (see enable_report_display): nothing about fewer than
    # min_customers customers, no rare name; the identity in the analyst's mode
    table = shown_table(table)
    n = len(table)
    shown = table if max_rows is None or n <= max_rows else table.head(max_rows)
    shown = shown.copy(deep=False)  # new labels below; the values are the input's
    # names of the index and the columns are rendered raw by pandas: escape them here
    shown.index = shown.index.set_names([None if v is None else html.escape(str(v))
                                         for v in shown.index.names])
    shown.columns = shown.columns.set_names([None if v is None else html.escape(str(v))
                                             for v in shown.columns.names])
    formatters: dict[Any, Callable[[Any], str]] = {}
    headers: dict[Any, str] = {}
    flat = shown.columns.nlevels == 1
    for i, col in enumerate(shown.columns):
        values = shown.iloc[:, i]
        fmt, header = _column_formatter(col if flat else col[-1], values)
        if formats and col in formats:
            given = formats[col]
            fmt = given if callable(given) else given.format
        formatters[col] = _escaped(fmt)
        if flat:
            headers[col] = header
    styler = shown.style.format(formatters, na_rep=MISSING)
    # object columns of a table whose rows are named (a transposed profile): each cell by
    # its row's name, so a "share" row shows a percentage
    named_rows = pd.api.types.is_object_dtype(shown.index) or \
        pd.api.types.is_string_dtype(shown.index)
    if shown.index.is_unique and named_rows and flat:
        for i, col in enumerate(shown.columns):
            if not pd.api.types.is_object_dtype(shown.iloc[:, i]) or (formats and col in formats):
                continue
            for row in shown.index:
                kind = column_kind(row)
                if kind in ("duration", "share"):
                    styler = styler.format(
                        _escaped(lambda v, kind=kind: format_value(v, kind=kind)
                                 if isinstance(v, numbers.Number) else format_value(v)),
                        subset=pd.IndexSlice[[row], [col]], na_rep=MISSING)
    styler = styler.format_index(lambda c: html.escape(headers.get(c, _label(c))), axis=1)
    default_index = shown.index.nlevels == 1 and shown.index.name is None and \
        pd.api.types.is_integer_dtype(shown.index)
    if default_index:
        styler = styler.hide(axis="index")
    else:
        styler = styler.format_index(lambda v: html.escape(_label(v)), axis=0)
    text = [c for i, c in enumerate(shown.columns)
            if column_kind(c, shown.iloc[:, i]) == "text"]
    styler = styler.set_uuid(f"jl{next(_uuids)}").set_table_styles(_STYLES)
    if text:  # text reads from the left; numbers stay right-aligned
        styler = styler.set_table_styles(
            {c: [{"selector": "td", "props": "text-align: left;"}] for c in text},
            overwrite=False)
    if len(shown) < n:
        styler = styler.set_caption(f"showing {len(shown):,} of {n:,} rows")
    return styler


def style_table(table: pd.DataFrame, formats: dict | None = None, *,
                max_rows: int | None = 50):
    """The same as :func:`format_table` (kept for notebooks that call it), with
    ``formats`` overriding columns' formats.

    Examples
    --------
    >>> html = style_table(pd.DataFrame({"t": ["<b>x</b>"], "v": [0.5]}), {"v": "{:.0%}"}).to_html()
    >>> "&lt;b&gt;x&lt;/b&gt;" in html and "50%" in html
    True
    """
    return format_table(table, max_rows=max_rows, formats=formats)


def _html(obj: Any, max_rows: int | None) -> str:
    return format_table(obj, max_rows=max_rows).to_html()


def enable_report_display(*, max_rows: int | None = 50, enable: bool = True,
                          min_customers: int = 1, log: Any = None) -> bool:
    """Make a notebook a report: show every pandas DataFrame (and Series) it displays
    through :func:`format_table`, and protect what it shows. Call it once, in the
    notebook's first cell, with the study's ``min_customers`` (k) and its ``log``.

    With k above 1 (a shared report), one report context
    (:func:`journeylab.privacy.set_report_context`) protects everything the report shows:
    every table (rows about fewer than k customers merged, rows named by a *rare name* -
    a touchpoint, channel, stage or attribute value met by fewer than k customers -
    merged), every figure and map (rare rows left out, rare names shown as
    "(rare touchpoint)"...), every explorer's options and saved state, and any other
    text the notebook shows or prints. With k = 1 (the analyst's mode) everything is shown.
    Tables written to files are not changed. Outside IPython only the context is set.
    ``enable=False`` goes back to pandas' own HTML and lifts the protection. Returns
    whether a formatter was (un)registered. In a report, matplotlib's warnings of a glyph
    missing from its font (emoji and other signs in names) are not shown: the figure
    draws an empty box for the sign, and the warning would fill the page.

    Examples
    --------
    >>> enable_report_display()  # not in a notebook: nothing to do
    False
    """
    import warnings

    from ..privacy import set_report_context

    set_report_context(min_customers if enable else 1, log if enable else None)
    if enable:
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font",
                                category=UserWarning)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return False
    shell = get_ipython()
    if shell is None:
        return False
    formatter = shell.display_formatter.formatters["text/html"]
    for kind in (pd.DataFrame, pd.Series):
        if enable:
            formatter.for_type(kind, lambda obj, _n=max_rows: _html(obj, _n))
        else:
            formatter.pop(kind, None)
    _guard_outputs(shell, enable)
    _plotly_as_data(enable)
    return True


def _plotly_as_data(enable: bool) -> None:
    """Plotly figures shown as their data (``application/vnd.plotly.v1+json``): drawn by
    JupyterLab's plotly extension live, and by the plotly.js a rendered report ships
    (never a copy of plotly.js per figure, nor a CDN)."""
    try:
        import plotly.io as pio
    except ImportError:  # pragma: no cover - plotly is a dependency
        return
    pio.renderers.default = "plotly_mimetype" if enable else "plotly_mimetype+notebook"


_TEXT_TYPES = ("text/plain", "text/markdown", "text/latex")
_MARKUP_TYPES = ("text/html", "image/svg+xml")


def _mask_bundle(data: dict) -> dict:
    """Every text of a display bundle as the report context lets it be shown."""
    from ..privacy import report_context

    ctx = report_context()
    if not ctx.active or not isinstance(data, dict):
        return data
    out = dict(data)
    for kind, value in data.items():
        if not isinstance(value, str):
            continue
        if kind in _TEXT_TYPES:
            out[kind] = ctx.mask(value)
        elif kind in _MARKUP_TYPES:
            out[kind] = ctx.mask_markup(value)
    return out


def _guard_outputs(shell: Any, enable: bool) -> None:
    """The last net under the report context: every rich output (``display()`` and each
    cell's result go through ``display_formatter.format``) and every printed line have
    rare names masked in their text. Installed once; lifted with ``enable=False``.

    IPython puts back each stream's ``write`` after every cell (it tees a cell's output
    into its history), so the printed lines' mask is put on again as each cell starts
    (IPython's ``pre_run_cell`` event), inside IPython's own."""
    fmt = shell.display_formatter
    original = getattr(fmt, "_jl_original_format", None)
    if enable and original is None:
        original = fmt.format

        def format(obj, include=None, exclude=None):
            data, metadata = original(obj, include=include, exclude=exclude)
            return _mask_bundle(data), metadata

        fmt._jl_original_format = original
        fmt.format = format
    elif not enable and original is not None:
        fmt.format = original
        del fmt._jl_original_format
    callbacks = shell.events.callbacks.get("pre_run_cell", [])
    if enable and _mask_streams not in callbacks:
        shell.events.register("pre_run_cell", _mask_streams)
    elif not enable and _mask_streams in callbacks:
        shell.events.unregister("pre_run_cell", _mask_streams)
    _mask_streams(None, enable=enable)


def _mask_streams(info: Any = None, *, enable: bool = True) -> None:
    """Mask rare names in what is printed to ``sys.stdout`` and ``sys.stderr`` (``enable``)
    or no longer; a stream's ``write`` is wrapped once."""
    import sys

    for stream in (sys.stdout, sys.stderr):
        try:
            write = stream.write
            if enable and not getattr(write, "_jl_masked", False):
                def masked(text, *args, _write=write, **kwargs):
                    from ..privacy import mask_text

                    return _write(mask_text(text) if isinstance(text, str) else text,
                                  *args, **kwargs)

                masked._jl_masked, masked._jl_inner = True, write
                stream.write = masked
            elif not enable and getattr(write, "_jl_masked", False):
                stream.write = write._jl_inner
        except (AttributeError, TypeError):  # a stream that takes no new attribute
            pass


def script_json(value: Any) -> str:
    """JSON to embed in an HTML ``<script>`` block: ``<``, ``>`` and ``&`` written as JSON
    escapes, so no text inside can end the block or open a comment.

    Examples
    --------
    >>> script_json({"a": "</script>"})
    '{"a": "\\\\u003c/script\\\\u003e"}'
    """
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c") \
        .replace(">", "\\u003e").replace("&", "\\u0026")
