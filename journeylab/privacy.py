"""Shared reports protect people: keyed pseudonyms for customer ids
(:mod:`journeylab.pseudonyms`, offered here too), and no table row or map element about
fewer than k customers (k-anonymity on what is shown), no rare name, and no name that
shows other than as written (:func:`visible_text`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

import numpy as np
import pandas as pd

from .core.columns import is_share_name
from .errors import InvalidInputError
from .pseudonyms import pseudonymise, pseudonymise_log

if TYPE_CHECKING:
    from .core.log import EventLog

__all__ = ["pseudonymise", "pseudonymise_log", "protect", "COUNT_COLUMNS", "ReportContext",
           "report_context", "set_report_context", "rare_names", "shown_table", "mask_text",
           "visible_text"]

# The columns that say how many customers a row is about, in the order they are looked for.
COUNT_COLUMNS = ("customers", "cases", "journeys", "size", "reach", "exposed_scored",
                 "windows", "answers")


def _is_count(name: Any) -> bool:
    """Other counts of customers in a row (``hairpin_cases``, ``dropoffs``, ``ends``); never a share
    or rate of them (``share_of_journeys``, ``conversion_rate``), which says nothing about
    how few customers a row is about."""
    if not isinstance(name, str) or is_share_name(name):
        return False
    return name in COUNT_COLUMNS or name in ("dropoffs", "ends", "journeys_scored") or \
        name.endswith(_COUNT_SUFFIXES)


_COUNT_SUFFIXES = ("_cases", "_customers", "_journeys", "_answers")


def _governed(count: str, columns: Iterable[Any]) -> list[Any]:
    """The statistics computed over the customers a count column counts, told by its
    name: ``self_loop_cases`` counts those behind ``self_loops``, ``satisfaction_answers``
    those behind ``mean_satisfaction``, ``repeat_cases`` those behind ``mean_repeats``."""
    stem = next((count[:-len(x)] for x in _COUNT_SUFFIXES if count.endswith(x)), None)
    if not stem:
        return []
    return [c for c in columns if isinstance(c, str) and c != count and stem in c
            and not _is_count(c)]


def _count_column(table: pd.DataFrame, count: str | None) -> str | None:
    if count is not None:
        if count not in table.columns:
            raise InvalidInputError(f"protect: no column {count!r}; the table has "
                                    f"{list(table.columns)}.")
        return count
    return next((c for c in COUNT_COLUMNS if c in table.columns), None)


def protect(table: pd.DataFrame, *, min_customers: int = 5,
            count: str | None = None) -> pd.DataFrame:
    """The table as it may be shown: rows about fewer than ``min_customers`` customers merged
    into one "other" row (label columns say how many groups it holds; its statistics blank), which
    is itself blanked when it is still under ``min_customers``.

    The customer count is the ``count`` column, or the first of :data:`COUNT_COLUMNS`
    the table has. A table of single journeys (a ``case_id`` column and no count) is
    about one customer a row: with ``min_customers > 1`` it is withheld (an empty table).
    Other count cells of kept rows under ``min_customers`` (``hairpin_cases``: 2) are blanked.
    ``min_customers=1`` returns the
    table as it is. ``attrs["suppressed"]`` says how many rows were merged.

    Examples
    --------
    >>> t = pd.DataFrame({"touchpoint": ["a", "b", "c"], "customers": [40, 3, 1],
    ...                   "mean": [4.1, 1.0, 5.0]})
    >>> protect(t, min_customers=5)
                 touchpoint  customers  mean
    0                     a       40.0   4.1
    1  (2 groups, each < 5)        NaN   NaN
    """
    k = min_customers
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidInputError(f"min_customers must be a whole number of at least 1, got "
                                f"{k!r}.")
    if k == 1:
        return table
    if table.attrs.get("protected_min_customers", 0) >= k:  # protected already: idempotent
        return table
    table = _listed_out(table, k)
    col = _count_column(table, count)
    if col is None:
        if "case_id" in table.columns:
            out = table.iloc[:0].copy()
            out.attrs["suppressed"] = len(table)
            out.attrs["protected_min_customers"] = k
            return out
        raise InvalidInputError(f"protect cannot tell how many customers each row is about: "
                                f"give count= one of {list(table.columns)}.")
    small = table[col].fillna(0).to_numpy() < k
    kept = table.loc[~small].copy()
    for c in kept.columns:
        if c != col and _is_count(c) and pd.api.types.is_numeric_dtype(kept[c]):
            v = kept[c].astype(float)
            few = ((v > 0) & (v < k)).to_numpy()
            kept[c] = v.where(~few)
            # and what is computed over those few customers (one person's score, repeats)
            for g in _governed(c, kept.columns):
                if pd.api.types.is_numeric_dtype(kept[g]):
                    kept[g] = kept[g].astype(float).where(~few)
    if not small.any():
        kept.attrs = dict(table.attrs)
        kept.attrs["suppressed"] = 0
        kept.attrs["protected_min_customers"] = k
        return kept
    merged_n = table.loc[small, col].sum()
    other = {}
    for c in table.columns:
        if c == col:
            other[c] = merged_n if merged_n >= k else np.nan
        elif pd.api.types.is_numeric_dtype(table[c]) or pd.api.types.is_bool_dtype(table[c]):
            other[c] = np.nan
        else:
            other[c] = f"({int(small.sum())} groups, each < {k})"
    out = pd.concat([kept, pd.DataFrame([other])], ignore_index=True)
    out.attrs = dict(table.attrs)
    out.attrs["suppressed"] = int(small.sum())
    out.attrs["protected_min_customers"] = k
    return out


# ----------------------------------------------------------------- the shared report's context
#
# A shared report protects people in ONE place: the report context, set once per notebook
# (``jl.enable_report_display(min_customers=..., log=...)``). It holds k and the "rare
# names" of the log: every touchpoint, channel, stage and text value of a journey attribute
# (segment...) met by fewer than k customers. Everything a report shows passes through it:
# every displayed table (:func:`shown_table`, called by ``format_table``), every matplotlib
# figure (``plot._literal_text``), every Graphviz label (``plot.dot_label``, pm4py's models
# included), every explorer's controls (``widgets._Explorer``) and any other text output
# (printed lines, HTML): a rare name is shown as "(rare touchpoint)" and so on. With k = 1
# (the analyst's mode) there is no rare name and everything is shown.

_ROLE_LABELS = {"activity": "(rare touchpoint)", "channel": "(rare channel)",
                "stage": "(rare stage)"}
_MAX_VALUES = 2000  # a text attribute with more values is free text: its values are not names


def _numeric_text(name: str) -> bool:
    try:
        float(name)
    except ValueError:
        return False
    return True


def rare_names(log: EventLog, min_customers: int) -> tuple[dict[str, str], set[str]]:
    """The names of ``log`` met by fewer than ``min_customers`` customers, each with the label shown
    instead (``{"rare_complaint": "(rare touchpoint)"}``), and every name of the same
    columns (so a common name holding a rare one is left whole).

    Names are the touchpoints, channels and stages, and the text values of the other
    columns (journey attributes such as a segment); case ids are not names (tables of
    single journeys are withheld by :func:`protect`).

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(pd.DataFrame({
    ...     "case_id": ["a", "a", "b", "b", "c"], "activity": ["x", "y", "x", "y", "z"],
    ...     "timestamp": pd.date_range("2024-01-01", periods=5, freq="h")}))
    >>> rare_names(log, 2)[0]
    {'z': '(rare touchpoint)'}
    """
    ev = log.events
    rare: dict[str, str] = {}
    names: set[str] = set()
    cases = log.case_codes
    columns = [c for c in ("activity", "channel", "stage") if c in ev.columns]
    columns += [c for c in log.attribute_columns()
                if not pd.api.types.is_numeric_dtype(ev[c])
                and not pd.api.types.is_bool_dtype(ev[c])
                and not pd.api.types.is_datetime64_any_dtype(ev[c])]
    for col in columns:
        values = ev[col].astype(object)
        present = values.notna().to_numpy()
        if not present.any():
            continue
        frame = pd.DataFrame({"v": values[present].astype(str).to_numpy(),
                              "c": cases[present]})
        reach = frame.groupby("v", sort=False)["c"].nunique()
        if col not in _ROLE_LABELS and len(reach) > _MAX_VALUES:
            continue
        names.update(reach.index)
        label = _ROLE_LABELS.get(col, "(rare value)")
        for name in reach.index[reach.to_numpy() < min_customers]:
            rare.setdefault(name, label)
    return rare, names


#: The marks that change the direction of the text after them, shown by their codes.
_DIRECTION_MARKS = {c: f"[U+{c:04X}]" for c in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F),
                                                *range(0x2066, 0x206A))}


def visible_text(text: Any) -> Any:
    """``text`` as a report shows it: a mark that changes the direction of the text after
    it (U+202E, ...) written as its code, so that no name from the data shows reversed or
    reorders what follows it. Other values as they are. Every text a report shows passes
    here (through :meth:`ReportContext.mask` and the table formatter).

    >>> visible_text("refund\u202eeciovni")
    'refund[U+202E]eciovni'
    """
    return text.translate(_DIRECTION_MARKS) if isinstance(text, str) else text


class ReportContext:
    """What a shared report may show: ``min_customers`` and the log's rare names.

    :meth:`mask` replaces every rare name in a text by its label; :meth:`is_rare` tells a
    whole value that is a rare name."""

    def __init__(self, min_customers: int = 1, rare: dict[str, str] | None = None,
                 names: set[str] | None = None):
        import html
        import re

        self.min_customers = int(min_customers)
        self.rare = dict(rare or {}) if self.min_customers > 1 else {}
        keys: dict[str, str | None] = {}
        numeric = set()
        for name in set(names or ()) | set(self.rare):
            if not name or (_numeric_text(name) and name not in self.rare):
                continue  # "1" is no name to look for inside a text
            if _numeric_text(name):  # a rare "404": looked for as an item of a list only
                numeric.add(name)
            for form in {name, html.escape(name), html.escape(name, quote=False)}:
                # a common name wins over a rare one it contains
                if keys.get(form) is None:
                    keys[form] = self.rare.get(name)
        self._labels = keys
        wanted = [n for n, label in keys.items() if label is not None]
        if wanted:
            parts = []
            for n in sorted(keys, key=len, reverse=True):
                pre = r"(?<!\w)" if re.match(r"\w", n[0]) else ""
                post = r"(?!\w)" if re.match(r"\w", n[-1]) else ""
                if n in numeric:  # never inside a number or a sentence: "1,404 journeys"
                    pre, post = r"(?:^|(?<=, )|(?<=> )|(?<=\| )|(?<=\n))", r"(?=$|,|\s[>|(]|\n)"
                parts.append(pre + re.escape(n) + post)
            self._pattern = re.compile("|".join(parts))
        else:
            self._pattern = None

    @property
    def active(self) -> bool:
        return self.min_customers > 1

    def is_rare(self, value: Any) -> bool:
        return isinstance(value, str) and value in self.rare

    def mask(self, text: Any) -> Any:
        """The text with every rare name replaced by its label and its direction marks shown
        by their codes (:func:`visible_text`); other values as they are."""
        if not isinstance(text, str):
            return text
        if not self.rare:
            return visible_text(text)
        if text in self.rare:
            return self.rare[text]
        if self._pattern is None:
            return visible_text(text)
        return visible_text(self._pattern.sub(
            lambda m: self._labels.get(m.group(0)) or m.group(0), text))

    def mask_markup(self, markup: str) -> str:
        """HTML or SVG with rare names masked in its text only (never in tags, styles or
        scripts)."""
        import re

        if not self.rare or self._pattern is None:
            return markup
        pieces = re.split(r"(<style\b.*?</style>|<script\b.*?</script>|<[^>]*>)", markup,
                          flags=re.S | re.I)
        return "".join(p if i % 2 else self.mask(p) for i, p in enumerate(pieces))


_CONTEXT = ReportContext()


def report_context() -> ReportContext:
    """The report context in force (k = 1, nothing masked, unless one was set)."""
    return _CONTEXT


def set_report_context(min_customers: int = 1, log: EventLog | None = None) -> ReportContext:
    """Set what every table, figure, map and explorer of this process may show:
    nothing about fewer than ``min_customers`` customers, and no name of ``log`` met by
    fewer (see :func:`rare_names`). ``min_customers=1`` shows everything."""
    global _CONTEXT
    if not isinstance(min_customers, (int, np.integer)) or min_customers < 1:
        raise InvalidInputError(f"min_customers must be a whole number of at least 1, got "
                                f"{min_customers!r}.")
    rare, names = rare_names(log, min_customers) if (log is not None and min_customers > 1) \
        else ({}, set())
    _CONTEXT = ReportContext(min_customers, rare, names)
    return _CONTEXT


def mask_text(text: Any) -> Any:
    """``text`` as a shared report may show it (rare names replaced)."""
    return _CONTEXT.mask(text)


def _text_columns(table: pd.DataFrame) -> list[int]:
    types = pd.api.types
    return [i for i, dtype in enumerate(table.dtypes)
            if not types.is_numeric_dtype(dtype) and not types.is_bool_dtype(dtype)
            and not types.is_datetime64_any_dtype(dtype)]


_AS_IS = object()


def _per_text(values: pd.Series, f, *, other: Any = _AS_IS) -> np.ndarray:
    """``f`` of every cell that is text, computed once per distinct text (a table repeats
    its touchpoint names); other cells as they are, or ``other``. An object array."""
    cells = values.to_numpy(dtype=object, copy=True)
    text = np.fromiter((isinstance(v, str) for v in cells), bool, len(cells))
    out = cells if other is _AS_IS else np.full(len(cells), other, dtype=object)
    if text.any():
        codes, uniques = pd.factorize(cells[text])
        done = np.empty(len(uniques), dtype=object)
        for j, u in enumerate(uniques):
            done[j] = f(u)
        out[text] = done[codes]
    return out


def _mask_index(index: pd.Index, ctx: ReportContext) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.set_levels([lv.map(ctx.mask) if lv.dtype == object else lv
                                 for lv in index.levels], verify_integrity=False)
    if index.dtype == object or pd.api.types.is_string_dtype(index):
        return pd.Index([ctx.mask(v) for v in index], name=index.name)
    return index


def shown_table(table: pd.DataFrame | pd.Series, *, for_figure: bool = False,
                context: ReportContext | None = None) -> pd.DataFrame | pd.Series:
    """``table`` as the shared report may show it, under the report context: rows about
    fewer than k customers merged (:func:`protect`, when the table has a customer count),
    rows and columns named by a rare name merged (tables without a count: a persona
    reach, removal effects, a decomposition), columns of fewer than k customers
    (``attrs["column_customers"]``) left out, and rare names inside text replaced by
    their label. ``for_figure``: rows left out are dropped rather than merged (a figure
    has no "other" row). With k = 1 the table is returned as it is."""
    ctx = context or _CONTEXT
    if not ctx.active or not isinstance(table, (pd.DataFrame, pd.Series)):
        return table
    if isinstance(table, pd.Series):
        table = table.to_frame(table.name if table.name is not None else "value")
    k = ctx.min_customers
    attrs = dict(table.attrs)
    t = _single_values_out(table, attrs, k)
    count = _count_column(t, None)
    if count is not None:
        if for_figure:
            t = t[t[count].fillna(0).to_numpy() >= k]
        else:
            t = protect(t, min_customers=k)
    elif "case_id" in t.columns and not for_figure:
        t = protect(t, min_customers=k)
    # columns about fewer than k customers (persona reach: one column per persona)
    by_column = attrs.get("column_customers") or {}
    drop = [c for c in t.columns if (c in by_column and by_column[c] < k) or ctx.is_rare(c)]
    if drop:
        t = t.drop(columns=drop)
        if not for_figure:
            t[f"({len(drop)} columns, each < {k})"] = np.nan
    # rows named by a rare name (its index label or a text cell)
    if "case_id" not in t.columns and len(t):
        named = np.zeros(len(t), dtype=bool)
        if not isinstance(t.index, pd.MultiIndex):
            named |= np.array([ctx.is_rare(v) for v in t.index], dtype=bool)
        for i in _text_columns(t):
            named |= _per_text(t.iloc[:, i], ctx.is_rare, other=False).astype(bool)
        if named.any():
            kept = t.loc[~named]
            if for_figure:
                t = kept
            else:
                n = int(named.sum())
                other = {c: (f"({n} rows named by rare names)" if i in set(_text_columns(t))
                             else np.nan) for i, c in enumerate(t.columns)}
                default_index = isinstance(t.index, pd.RangeIndex)
                row = pd.DataFrame([other], columns=t.columns,
                                   index=None if default_index else
                                   pd.Index([f"({n} rare names)"], name=t.index.name))
                t = pd.concat([kept, row], ignore_index=default_index)
    # rare names inside text: cells, index labels, column labels
    t = t.copy()
    for i in _text_columns(t):
        t.isetitem(i, pd.Series(_per_text(t.iloc[:, i], ctx.mask), index=t.index,
                                dtype=object, name=t.columns[i]))
    t.index = _mask_index(t.index, ctx)
    if not isinstance(t.columns, pd.MultiIndex):
        t.columns = pd.Index([ctx.mask(c) for c in t.columns], name=t.columns.name)
    t.attrs = {**attrs, **{k_: v for k_, v in t.attrs.items() if k_ != "column_customers"},
               "protected_min_customers": k}
    return t


#: The rows of ``DataFrame.describe()``: its ``min`` and ``max`` are one customer's values.
_DESCRIBE = {"count", "mean", "std", "min", "25%", "50%", "75%", "max"}


def _listed_out(table: pd.DataFrame, k: int) -> pd.DataFrame:
    """``table`` with the items of its listing cells about fewer than ``k`` customers left
    out. ``attrs["listed_counts"]`` gives, per column, each row's items (by its index
    label) as ``(text, customers)``; a cell lists them as ``text (customers) | ...``. A
    row it does not know is left empty."""
    listed = table.attrs.get("listed_counts")
    if not listed:
        return table
    t = table.copy()
    for col, rows in listed.items():
        if col in t.columns:
            t[col] = [" | ".join(f"{x} ({n})" for x, n in rows[i] if n >= k)
                      or f"(each under {k} journeys)" if i in rows else None for i in t.index]
    t.attrs = {a: v for a, v in table.attrs.items() if a != "listed_counts"}
    return t


def _single_values_out(table: pd.DataFrame, attrs: dict, k: int) -> pd.DataFrame:
    """What in ``table`` is about single customers, left out of a shared report: columns
    quoting rows (``attrs["row_examples"]``: a finding's examples), the ``min`` and ``max``
    of a ``describe()``, the values of rows about fewer than ``k`` customers
    (``attrs["row_customers"]``, one count a row), the items of a listing about fewer
    (``attrs["listed_counts"]``), the cells of a table of shares of ``attrs["share_of"]``
    journeys that are about fewer, and the time of day of timestamps (the day is kept)."""
    t = _listed_out(table, k).drop(columns=[c for c in attrs.get("row_examples", ())
                                            if c in table.columns])
    if {str(i) for i in t.index} >= _DESCRIBE:
        t = t.drop(index=[i for i in t.index if str(i) in ("min", "max")])
    total = attrs.get("share_of")  # a table of shares of ``total`` journeys, cell by cell
    if total:
        cells = t.select_dtypes("number")
        under = (cells * total > 0) & (cells * total < k - 1e-9)
        if under.to_numpy().any():
            t = t.copy() if t is table else t
            t[cells.columns] = cells.mask(under)
    few = attrs.get("row_customers")
    if few is not None and len(few) == len(t):
        under = np.asarray(few, dtype=float) < k
        if under.any():
            t = t.astype(object).where(~under[:, None] | ~_value_cells(t), None)
    for i, dtype in enumerate(t.dtypes):
        if pd.api.types.is_datetime64_any_dtype(dtype):
            t = t.copy() if t is table else t
            t.isetitem(i, t.iloc[:, i].dt.floor("D"))
        elif pd.api.types.is_object_dtype(dtype):
            col = t.iloc[:, i]
            stamps = col.map(lambda v: isinstance(v, pd.Timestamp))
            if stamps.any():
                t = t.copy() if t is table else t
                t.isetitem(i, col.where(~stamps, col[stamps].map(lambda v: v.floor("D"))))
    return t


def _value_cells(table: pd.DataFrame) -> np.ndarray:
    """Which cells hold a value rather than a label: all but the first text column."""
    labels = _text_columns(table)[:1]
    cells = np.ones(table.shape, dtype=bool)
    cells[:, labels] = False
    return cells
