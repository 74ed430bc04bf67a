"""Writing tables out: :func:`write_table` writes CSV (gzip when the name ends in ``.gz``, the
same bytes on every run), Parquet or JSON lines, choosing by the file name, and
:func:`neutralise_formulas` makes the text cells of a table safe to open in a spreadsheet
(nothing in them can run as a formula), which CSV output does unless asked not to.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..errors import InvalidInputError
from .readers import format_of

__all__ = ["write_table", "neutralise_formulas"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# ----------------------------------------------------------------------------- writers
def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells cannot run as spreadsheet formulas.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading
    apostrophe, which spreadsheets show as text. Numbers are left alone.

    Examples
    --------
    >>> import pandas as pd
    >>> neutralise_formulas(pd.DataFrame({"a": ["=1+1", "ok"]}))["a"].tolist()
    ["'=1+1", 'ok']
    """
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if not (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)
                or isinstance(s.dtype, pd.CategoricalDtype)):
            continue
        text = s.astype(object)
        is_str = (text.map(lambda v: isinstance(v, str), na_action="ignore")
                  .fillna(False).astype(bool))
        risky = is_str & text.where(is_str, "").astype(str).str.startswith(_FORMULA_START)
        if risky.any():
            text = text.copy()
            text[risky] = "'" + text[risky].astype(str)
            out[col] = text
    if any(str(c).startswith(_FORMULA_START) for c in out.columns):
        out.columns = ["'" + str(c) if str(c).startswith(_FORMULA_START) else c
                       for c in out.columns]
    return out


def write_table(frame: pd.DataFrame, path: str | os.PathLike, *, format: str | None = None,
                safe_for_spreadsheets: bool = True) -> Path:
    """Write a table as CSV, Parquet or JSON lines, choosing by the file name.

    CSV output neutralises formula injection unless ``safe_for_spreadsheets=False``.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> p = write_table(pd.DataFrame({"a": [1]}), os.path.join(tempfile.mkdtemp(), "t.csv"))
    >>> p.suffix
    '.csv'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = format or format_of(path)
    if fmt == "csv":
        out = neutralise_formulas(frame) if safe_for_spreadsheets else frame
        out.to_csv(path, index=False, lineterminator="\n",
                   compression={"method": "gzip", "mtime": 0}  # same bytes on every run
                   if path.name.endswith(".gz") else None)
    elif fmt == "parquet":
        frame.to_parquet(path, index=False)
    elif fmt == "jsonl":
        frame.to_json(path, orient="records", lines=True, date_format="iso", force_ascii=False)
    else:
        raise InvalidInputError(f"Cannot write format {fmt!r}; use .csv, .parquet or .jsonl.")
    return path
