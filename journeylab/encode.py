"""Label encoding shared by validation and the EventLog: text -> sorted integer codes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["encode_labels", "densify", "categorical", "sort_order"]


def _as_text(uniques) -> pa.Array:
    """Arrow text array of the distinct values (numbers written without a trailing .0)."""
    u = pd.Series(uniques)
    if pd.api.types.is_float_dtype(u.dtype):
        whole = u.dropna()
        if len(whole) and np.all(np.mod(whole.to_numpy(), 1) == 0):
            u = u.astype("Int64")
    if pd.api.types.is_bool_dtype(u.dtype) or u.dtype == object:
        u = u.map(lambda v: v if isinstance(v, str) else str(v), na_action="ignore")
    arr = pa.array(u.astype("string[pyarrow]"))
    return arr.cast(pa.large_string()) if arr.type != pa.large_string() else arr


def encode_labels(s: pd.Series) -> tuple[np.ndarray, pd.Index, int]:
    """Encode text labels as codes into their sorted distinct values.

    Values are NFC-normalised and trimmed; empty or missing values get code -1.

    Returns
    -------
    codes : int32 array, categories : Index (sorted, unique), changed : rows whose text
    was altered by normalisation.
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy().astype(np.int32)
        uniques = s.cat.categories
    else:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        codes = codes.astype(np.int32)
    if len(uniques) == 0:
        return codes, pd.Index([], dtype=object), 0
    raw = _as_text(uniques)
    text = pc.utf8_trim_whitespace(pc.utf8_normalize(raw, "NFC"))
    changed_u = pc.fill_null(pc.not_equal(text, raw), False).to_numpy(zero_copy_only=False)
    if not isinstance(uniques, pd.Index) or not pd.api.types.is_string_dtype(uniques):
        # numbers written as text are a representation, not a repair
        str_mask = np.asarray([isinstance(v, str) for v in uniques], bool)
        changed_u &= str_mask
    valid_u = pc.fill_null(pc.greater(pc.utf8_length(text), 0), False).to_numpy(zero_copy_only=False)
    order = pc.array_sort_indices(text).to_numpy()
    order = order[valid_u[order]]
    sorted_text = text.take(pa.array(order))
    if len(sorted_text) > 1:
        new = np.r_[True, pc.not_equal(sorted_text[1:], sorted_text[:-1])
                    .to_numpy(zero_copy_only=False)]
    else:
        new = np.ones(len(sorted_text), bool)
    dense = np.cumsum(new) - 1
    remap = np.full(len(uniques) + 1, -1, dtype=np.int32)  # the last slot maps code -1
    remap[order] = dense
    categories = pd.Index(sorted_text.filter(pa.array(new)).to_numpy(zero_copy_only=False),
                          dtype=object)
    out = remap[codes]  # code -1 reads the last slot, which stays -1
    changed = int(np.count_nonzero(changed_u[codes[codes >= 0]])) if changed_u.any() else 0
    return out, categories, changed


def densify(codes: np.ndarray, categories: pd.Index) -> tuple[np.ndarray, pd.Index]:
    """Drop categories no code uses; codes stay in sorted-category order."""
    used = np.bincount(codes[codes >= 0], minlength=len(categories)) > 0
    if used.all():
        return codes, categories
    remap = np.append(np.cumsum(used) - 1, -1).astype(codes.dtype)  # last slot: code -1
    return remap[codes], categories[used]


def categorical(codes: np.ndarray, categories: pd.Index, *, ordered: bool = False) -> pd.Categorical:
    """A Categorical from trusted codes (no re-validation)."""
    dtype = pd.CategoricalDtype(categories, ordered=ordered)
    return pd.Categorical.from_codes(codes.astype(_code_dtype(len(categories))), dtype=dtype,
                                     validate=False)


def _code_dtype(n: int):
    return np.int8 if n < 127 else np.int16 if n < 32_767 else np.int32


def sort_order(case_codes: np.ndarray, ts_ns: np.ndarray) -> np.ndarray:
    """Stable order by (case, time): ties keep their input order.

    Input that is already in that order (the usual export) costs one linear check.
    """
    n = len(case_codes)
    if n < 2:
        return np.arange(n)
    dc = np.diff(case_codes)
    if np.all((dc > 0) | ((dc == 0) & (np.diff(ts_ns) >= 0))):
        return np.arange(n)
    return np.lexsort((ts_ns, case_codes))
