"""Timestamps: :func:`parse_timestamps`, the one reading of the timestamp column. ISO 8601
first, then other date spellings (day- or month-first) or the strptime format given; zone
names at the end read for UTC, GMT, UT and Z, other abbreviations quarantined; naive times
taken in ``assume_timezone`` when others carry an offset, with the daylight-saving gaps and
overlaps named; a column of numbers read as Unix epoch seconds to nanoseconds or Excel serial
dates (the unit told by their size or given in :data:`NUMBER_FORMATS`); values outside the
years 1677-2262 quarantined. Also :func:`match`, the vectorised regex test in Arrow that the
reading of scores shares.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InvalidInputError
from ..core.encode import null_mask, null_spellings
from .date_order import one_order, quarantine_other_order
from .findings import EXAMPLES, Finding, short
from .quarantine import TIMESTAMP_REASONS

__all__ = ["parse_timestamps", "match", "epoch_unit", "NUMBER_FORMATS", "ZONE_NAMES"]


#: A UTC offset after a time of day (Z, +01, +0100, +01:00): never the end of a date such as
#: 01-02-2024.
_TZ_RE = r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$"
_ISO_RE = (r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?"
           r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?)?")
_ISO_DOT_RE = _ISO_RE.replace("[.,]", r"\.")  # ISO 8601 with a decimal point only
_DATEISH_RE = (r"^\s*(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{2,4}"
               r"|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{2,4}|\d{8}(?:[T ]?\d{4,6})?)")


def _rows_read(code: str, mask: np.ndarray, s: pd.Series, column: str, what: str) -> Finding:
    """An info finding for rows read in a documented way: how many rows of ``column``
    ``what``, with example rows and their values."""
    idx = np.flatnonzero(mask)[:EXAMPLES]
    return Finding(
        code, "info",
        f"{int(mask.sum()):,} rows of {column!r} {what}, e.g. " + ", ".join(
            f"row {i}: {short(s.iloc[i])!r}" for i in idx) + ".",
        rows=int(mask.sum()), column=column,
        examples=[{"row": int(i), "value": short(s.iloc[i])} for i in idx])


_NS_LO, _NS_HI = pd.Timestamp.min.value, pd.Timestamp.max.value
_NAT = np.iinfo(np.int64).min
_UNIT_NS = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
#: timestamp_format= values for numbers: Unix epoch units and Excel serial dates.
NUMBER_FORMATS = {"epoch_s": "s", "epoch_ms": "ms", "epoch_us": "us", "epoch_ns": "ns",
                  "excel": "excel"}
_UNIT_WORDS = {"s": "seconds", "ms": "milliseconds", "us": "microseconds",
               "ns": "nanoseconds", "excel": "Excel serial dates (days since 1899-12-30)"}
#: A whole column of numbers is read as the unit whose 1980-2100 window holds them.
_EPOCH_WINDOW = (315_532_800, 4_102_444_800)  # 1980-01-01 .. 2100-01-01 in seconds
_EXCEL_WINDOW = (29_221.0, 73_051.0)  # the same years as Excel serial days
_EXCEL_ORIGIN_NS = pd.Timestamp("1899-12-30").value
#: Zone names read by name (the others are abbreviations of several zones).
ZONE_NAMES = {"UTC": "+00:00", "GMT": "+00:00", "UT": "+00:00", "Z": "+00:00"}
_AMBIGUOUS_ZONES = {
    "EST": "US Eastern -05:00 or Australian Eastern +10:00",
    "EDT": "US Eastern daylight -04:00 or Australian Eastern daylight +11:00",
    "CST": "US Central -06:00, China +08:00 or Cuba -05:00",
    "CDT": "US Central daylight -05:00 or Cuba daylight -04:00",
    "IST": "India +05:30, Ireland +01:00 or Israel +02:00",
    "BST": "British summer time +01:00 or Bangladesh +06:00",
    "AST": "Atlantic -04:00 or Arabia +03:00",
    "MST": "US Mountain -07:00 or Malaysia +08:00",
    "PST": "US Pacific -08:00 or Philippine +08:00",
}
_ZONE_RE = (r"^(?P<dt>.*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*\(?(?P<zone>[A-Za-z]{1,5})\)?$")
_NUMBER_RE = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"


def _instants(p: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """int64 nanoseconds of parsed datetimes (NaT -> _NAT) and the rows outside 1677-2262."""
    if not pd.api.types.is_datetime64_any_dtype(p.dtype):
        p = pd.to_datetime(p, errors="coerce", utc=True)
    unit = getattr(p.dtype, "unit", None) or np.datetime_data(p.dtype)[0]
    vals = np.asarray(p.array.asi8 if hasattr(p.array, "asi8") else p.to_numpy().view("i8"),
                      dtype=np.int64)
    nat = vals == _NAT
    f = _UNIT_NS[unit]
    lo, hi = -(-_NS_LO // f), _NS_HI // f
    oob = ~nat & ((vals < lo) | (vals > hi))
    if f == 1 and not oob.any():  # nanoseconds already, all in range: the values as they are
        return vals, oob
    ok = ~nat & ~oob
    return np.where(ok, np.where(ok, vals, 0) * f, _NAT), oob


def _numpy_dates(s: pd.Series) -> pd.Series:
    """Arrow-backed dates and timestamps (``pd.read_parquet(dtype_backend="pyarrow")``) as
    NumPy's, in their own unit and zone (each value as it is: a date is its midnight)."""
    t = getattr(s.dtype, "pyarrow_dtype", None)
    if t is None or not (pa.types.is_timestamp(t) or pa.types.is_date(t)):
        return s
    arr = pa.array(s.array)
    if pa.types.is_date(t):
        arr = arr.cast(pa.timestamp("s"))
    return pd.Series(arr.to_pandas(coerce_temporal_nanoseconds=False), index=s.index,
                     name=s.name)


def _oob_why(value: Any) -> str:
    return f"{short(value)!s}: a placeholder such as 9999-12-31, or a typo?"


def _arrow(text: pd.Series) -> pa.Array:
    arr = pa.array(text.astype("string[pyarrow]"), type=pa.large_string())
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def match(text: pd.Series | pa.Array, pattern: str, *, full: bool = False,
          where: np.ndarray | None = None) -> np.ndarray:
    """Regex test in Arrow (RE2, vectorised); False where the text is missing, or outside
    ``where`` when given (only those rows are tested)."""
    arr = text if isinstance(text, pa.Array) else _arrow(text)
    pattern = f"^(?:{pattern})$" if full else pattern
    if where is None:
        hit = pc.match_substring_regex(arr, pattern)
        return pc.fill_null(hit, False).to_numpy(zero_copy_only=False).astype(bool)
    out = np.zeros(len(arr), bool)
    if where.any():
        hit = pc.match_substring_regex(arr.filter(pa.array(where)), pattern)
        out[where] = pc.fill_null(hit, False).to_numpy(zero_copy_only=False).astype(bool)
    return out


def parse_timestamps(s: pd.Series, *, column: str, fmt: str | None, dayfirst: bool,
                     assume_timezone: str, null_values=None):
    """Read the timestamp column.

    Returns ``(ts, null, bad, findings, why, spelled)``: nanosecond timestamps (UTC when any
    value carried an offset), the empty rows, ``{quarantine reason: row mask}``, findings,
    ``{row: the cause in the user's terms}`` and the null spellings found.
    """
    findings: list[Finding] = []
    n = len(s)
    bad = {code: np.zeros(n, bool) for code in TIMESTAMP_REASONS}
    why: dict[int, str] = {}
    s = _numpy_dates(s)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        ts = s.dt.tz_convert("UTC") if getattr(s.dtype, "tz", None) is not None else s
        ns, oob = _instants(ts)
        bad["timestamp_out_of_range"] = oob
        for i in np.flatnonzero(oob)[:EXAMPLES]:
            why[int(i)] = _oob_why(s.iloc[i])
        null = (ns == _NAT) & ~oob
        return (_build_ts(ns, getattr(s.dtype, "tz", None) is not None), null, bad, findings,
                why, {})
    if fmt is not None and fmt in NUMBER_FORMATS:
        unit = NUMBER_FORMATS[fmt]
    else:
        unit = None
    spellings = null_spellings(null_values)
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        null = s.isna().to_numpy()
        numeric = ~null
        shown = s.astype("string")
        ns, aware = _from_numbers(s, numeric, column=column, unit=unit, bad=bad, why=why,
                                  findings=findings, shown=shown)
        return _build_ts(ns, aware), null, bad, findings, why, {}
    text = s.astype("string[pyarrow]").str.strip()
    null = (text.isna() | (text == "")).to_numpy(dtype=bool, na_value=True)
    spelled_mask = ~null & null_mask(text.array._pa_array if hasattr(text.array, "_pa_array")
                                     else text, spellings)
    spelled: dict[str, int] = {}
    if spelled_mask.any():
        spelled = {str(k): int(v) for k, v in text[spelled_mask].value_counts().items()}
        null |= spelled_mask
    text = text.where(~null)
    arr = _arrow(text)  # converted once; the regex tests below run on it
    # most rows of a clean column are plain ISO 8601; only the rest need the other tests
    iso_dot = match(arr, _ISO_DOT_RE, full=True)
    rest = ~null & ~iso_dot

    def m(pattern: str, full: bool = False) -> np.ndarray:
        return match(arr, pattern, full=full, where=rest)

    numeric = m(_NUMBER_RE, full=True)
    others = ~null & ~numeric
    if unit is not None or (numeric.any() and not (
            others & (iso_dot | m(_DATEISH_RE + "|" + _ISO_RE))).any()):
        # a column of numbers: epoch seconds/ms/us/ns or Excel serial dates
        ns, aware = _from_numbers(text, numeric, column=column, unit=unit, bad=bad, why=why,
                                  findings=findings, shown=text)
        bad["unparsable_timestamp"] |= others
        return _build_ts(ns, aware), null, bad, findings, why, spelled
    out = np.full(n, _NAT, np.int64)
    # zone names at the end ("10:00 UTC" is read; "10:00 EST" names several zones)
    # a fast pre-filter (extract() runs in Python): text ending in letters after a digit
    ends_alpha = m(r"\d\s*\(?[A-Za-z]{1,5}\)?$")
    zone_m = pd.DataFrame({"dt": pd.Series(pd.NA, index=text.index, dtype=text.dtype),
                           "zone": pd.Series(pd.NA, index=text.index, dtype=text.dtype)})
    if ends_alpha.any():
        zone_m.loc[ends_alpha, ["dt", "zone"]] = text[ends_alpha].str.extract(_ZONE_RE).values
    zone = zone_m["zone"].str.upper()
    has_zone = zone.notna().to_numpy() & ~zone.isin(["AM", "PM", "A", "P", "H"]).to_numpy(
        dtype=bool, na_value=False)
    named = has_zone & zone.isin(list(ZONE_NAMES)).to_numpy(dtype=bool, na_value=False)
    if named.any():
        text = text.copy()
        text[named] = (zone_m["dt"][named] + zone[named].map(ZONE_NAMES)).astype(text.dtype)
        arr = _arrow(text)
        findings.append(_rows_read(
            "timezone_names_read", named, s, column,
            "name their zone as UTC, GMT or Z (read as offset +00:00)"))
    abbr = has_zone & ~named
    bad["timezone_abbreviation"] = abbr
    for i in np.flatnonzero(abbr)[:EXAMPLES]:
        z = zone.iloc[i]
        means = _AMBIGUOUS_ZONES.get(z)
        why[int(i)] = (f"{z} stands for several zones ({means})" if means else
                       f"{z} is a zone abbreviation; only UTC, GMT and Z are read by name")
    # numbers among dates: not guessed one by one
    stray = numeric & ~null
    bad["unparsable_timestamp"] |= stray
    for i in np.flatnonzero(stray)[:EXAMPLES]:
        why[int(i)] = ("a number among dates (epoch seconds? an Excel date?); numbers are read "
                       "only when the whole column holds them")
    todo = ~null & ~abbr & ~stray
    # ISO 8601 allows a comma before the fraction of a second
    comma = todo & m(r"\d:\d{2},\d")
    if comma.any():
        text = text.copy()
        text[comma] = text[comma].str.replace(r"(\d:\d{2}),(\d)", r"\1.\2", regex=True)
        arr = _arrow(text)
        findings.append(_rows_read(
            "timestamp_decimal_comma", comma, s, column,
            "write the fraction of a second after a comma, as ISO 8601 allows; read exactly"))
    has_tz = match(arr, _TZ_RE)
    oob = np.zeros(n, bool)
    repaired = np.zeros(n, bool)
    order_why = ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fmt is not None:
            rows = np.flatnonzero(todo)
            p = pd.to_datetime(text[todo].astype(object), format=fmt, errors="coerce", utc=True)
            out[rows], oob[rows] = _instants(p)
        else:
            iso = todo & (iso_dot | m(_ISO_RE, full=True))
            rows = np.flatnonzero(iso)
            if len(rows):
                p = pd.to_datetime(text[iso], format="ISO8601", errors="coerce", utc=True)
                out[rows], oob[rows] = _instants(p)
            retry = todo & ~iso & m(_DATEISH_RE)
            if retry.any():
                rows = np.flatnonzero(retry)
                canon, dayfirst, against, evidence = one_order(arr.take(pa.array(rows)),
                                                                dayfirst)
                fb = pd.to_datetime(canon.to_pandas().astype(object), format="mixed",
                                    dayfirst=False, errors="coerce", utc=True)
                out[rows], oob[rows] = _instants(fb)
                repaired = retry & (out != _NAT)
                order_why = quarantine_other_order(s, rows, against, evidence, dayfirst, bad, why)
    bad["timestamp_out_of_range"] = oob
    for i in np.flatnonzero(oob)[:EXAMPLES]:
        why[int(i)] = _oob_why(s.iloc[i])
    bad["unparsable_timestamp"] |= todo & (out == _NAT) & ~oob
    if repaired.any():
        idx = np.flatnonzero(repaired)[:EXAMPLES]
        ex = [{"row": int(i), "value": short(text.iloc[i]),
               "parsed": str(pd.Timestamp(out[i], tz="UTC" if has_tz[i] else None))}
              for i in idx]
        findings.append(Finding(
            "mixed_timestamp_formats", "warning",
            f"{int(repaired.sum()):,} rows of {column!r} are not ISO 8601 and were read "
            f"{'day-first' if dayfirst else 'month-first'}{order_why} (e.g. "
            + ", ".join(f"row {e['row']}: {e['value']!r} -> {e['parsed']}" for e in ex)
            + ").", rows=int(repaired.sum()), column=column, examples=ex,
            fix="check the examples; pass " + ("" if order_why else "dayfirst=True or ")
                + "timestamp_format= (e.g. '%d/%m/%Y %H:%M') if they are read wrongly"))
    ok = out != _NAT
    naive = ~has_tz & ok
    aware = has_tz & ok
    if aware.any() and naive.any():
        idx = np.flatnonzero(naive)[:EXAMPLES]
        n_naive = int(naive.sum())
        if assume_timezone.upper() != "UTC":
            _localise(out, naive, s, assume_timezone, bad, why)
        ex = [{"row": int(i), "value": short(text.iloc[i])} for i in idx]
        findings.append(Finding(
            "mixed_timezones", "warning",
            f"{n_naive:,} rows of {column!r} have no UTC offset while "
            f"{int(aware.sum()):,} have one; the former were taken as {assume_timezone} and all "
            "timestamps converted to UTC (e.g. " + ", ".join(f"row {e['row']}: {e['value']!r}"
                                                          for e in ex) + ").",
            rows=n_naive, column=column, examples=ex,
            fix="pass assume_timezone= (e.g. 'Europe/Amsterdam') if those rows are local time"))
        return _build_ts(out, True), null, bad, findings, why, spelled
    if naive.any() and assume_timezone.upper() != "UTC":
        findings.append(Finding(
            "assume_timezone_unused", "info",
            f"No value of {column!r} carries a UTC offset, so the times are kept as local "
            f"wall-clock times; assume_timezone={assume_timezone!r} applies only to a column "
            "that mixes times with and without an offset.", column=column,
            fix="convert the column yourself (pd.to_datetime(...).dt.tz_localize(zone)) if "
                "the times must become UTC"))
    return _build_ts(out, bool(aware.any())), null, bad, findings, why, spelled


def _localise(out: np.ndarray, naive: np.ndarray, s: pd.Series, zone: str, bad: dict,
              why: dict) -> None:
    """Turn the naive wall-clock times of ``out`` into UTC instants of ``zone`` (in place);
    times in a daylight-saving gap or overlap are marked with the cause."""
    rows = np.flatnonzero(naive)
    wall = pd.Series(out[rows].astype("datetime64[ns]"))
    loc = wall.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    fail = loc.isna().to_numpy()
    gap = wall.dt.tz_localize(zone, ambiguous=np.ones(len(wall), bool),
                              nonexistent="NaT").isna().to_numpy()
    out[rows] = np.where(fail, _NAT, loc.array.asi8)
    bad["nonexistent_local_time"][rows[gap]] = True
    bad["ambiguous_local_time"][rows[fail & ~gap]] = True
    for j in np.flatnonzero(fail)[:EXAMPLES]:
        w = pd.Timestamp(wall.iloc[j])
        if gap[j]:
            after = w.tz_localize(zone, nonexistent="shift_forward")
            jump = after.utcoffset() - (after - pd.Timedelta(1, "ns")).utcoffset()
            start = after.tz_localize(None) - jump
            why[int(rows[j])] = (f"{w} does not exist in {zone}: the clock jumped forward from "
                                 f"{start:%H:%M} to {after:%H:%M} on {after:%Y-%m-%d}")
        else:
            a = w.tz_localize(zone, ambiguous=True)
            b = w.tz_localize(zone, ambiguous=False)
            why[int(rows[j])] = (f"{w} happened twice in {zone} on {w:%Y-%m-%d}, when the clock "
                                 f"was set back ({a.isoformat()} or {b.isoformat()})")


def epoch_unit(median: float) -> str | None:
    """The unit of a column of numbers whose median is ``median``: Unix epoch ``"s"``,
    ``"ms"``, ``"us"`` or ``"ns"``, or ``"excel"`` serial days, whichever puts it in the
    years 1980-2100; None if none does.

    >>> epoch_unit(1_704_103_200), epoch_unit(1_704_103_200_000), epoch_unit(45_292.5)
    ('s', 'ms', 'excel')
    """
    for unit, f in (("s", 1), ("ms", 10**3), ("us", 10**6), ("ns", 10**9)):
        if _EPOCH_WINDOW[0] * f <= abs(median) <= _EPOCH_WINDOW[1] * f:
            return unit
    return "excel" if _EXCEL_WINDOW[0] <= median <= _EXCEL_WINDOW[1] else None


def _from_numbers(values: pd.Series, numeric: np.ndarray, *, column: str, unit: str | None,
                  bad: dict, why: dict, findings: list, shown: pd.Series):
    """Numbers read as epoch time or Excel serial dates: ``(int64 ns, aware)``."""
    n = len(values)
    out = np.full(n, _NAT, np.int64)
    rows = np.flatnonzero(numeric)
    if not len(rows):
        return out, False
    sub = values.iloc[rows]
    is_text = not pd.api.types.is_numeric_dtype(values.dtype)
    whole = (~sub.str.contains(".", regex=False).to_numpy(dtype=bool, na_value=False)
             if is_text
             else np.asarray(pd.api.types.is_integer_dtype(values.dtype)).repeat(len(rows)))
    num = pd.to_numeric(sub, errors="coerce").to_numpy(dtype="float64")
    guessed = unit is None
    if guessed:
        finite = num[np.isfinite(num)]
        unit = epoch_unit(float(np.median(finite)) if len(finite) else float("nan"))
        if unit is None:
            ex = ", ".join(repr(short(shown.iloc[i])) for i in rows[:3])
            raise InvalidInputError(
                f"Column {column!r} (the timestamp role) holds numbers, not dates (e.g. {ex}), "
                "and they are not in the range of Unix epoch seconds, milliseconds, "
                "microseconds or nanoseconds, or of Excel serial dates, for the years "
                "1980-2100. Fix: pass timestamp_format='epoch_s' (or 'epoch_ms', 'epoch_us', "
                "'epoch_ns', 'excel') to say how to read them, or convert the column first, "
                f"e.g. df[{column!r}] = pd.to_datetime(df[{column!r}], unit='s'), or map the "
                "timestamp role to another column.")
    if unit == "excel":
        ns_f = _EXCEL_ORIGIN_NS + np.round(num * 86_400_000) * 1e6  # to the millisecond
        lo_w, hi_w = _EXCEL_WINDOW
        scaled = num
    else:
        f = _UNIT_NS[unit]
        scaled = num / (10**9 / f)  # in seconds, for the window check
        lo_w, hi_w = _EPOCH_WINDOW
        ints = np.zeros(len(rows), np.int64)
        exact = whole & (np.abs(num) < 2**62 / f)
        if exact.any():  # whole numbers: exact integer arithmetic
            src = sub[exact] if is_text else sub[exact]
            ints[exact] = pd.to_numeric(src, errors="coerce").astype("int64").to_numpy() * f
        # numbers with a fraction: in integers too, never through a float of nanoseconds
        # (1704103260.25 s is 1704103260250000000 ns, not ...249999872)
        fraction = ~exact & np.isfinite(num) & (np.abs(num) < 2**62 / f)
        if fraction.any():
            ints[fraction] = (_decimal_ns(pa.array(sub[fraction], pa.large_string()), f)
                              if is_text else _float_ns(num[fraction], f, unit))
            exact |= fraction
        ns_f = np.where(exact, ints.astype("float64"), np.nan)
    in_range = np.isfinite(ns_f) & (ns_f >= _NS_LO) & (ns_f <= _NS_HI)
    good = in_range.copy()
    if guessed:  # the rest of the column sets the unit; strays are not guessed again
        good &= (np.abs(scaled) >= lo_w) & (np.abs(scaled) <= hi_w)
        stray = in_range & ~good
        bad["unparsable_timestamp"][rows[stray]] = True
        for i in rows[stray][:EXAMPLES]:
            why[int(i)] = (f"the number {short(shown.iloc[i])} is not {_UNIT_WORDS[unit]} of "
                           "the years 1980-2100, like the rest of the column")
    oob = ~in_range
    bad["timestamp_out_of_range"][rows[oob]] = True
    for i in rows[oob][:EXAMPLES]:
        why[int(i)] = (f"the number {short(shown.iloc[i])} read as {_UNIT_WORDS[unit]} is "
                       "outside the years 1677-2262 that a timestamp can hold")
    if unit != "excel":
        res = np.where(good & exact, ints, 0)
        res = np.where(good & ~exact, np.where(good, ns_f, 0).astype(np.int64), res)
    else:
        res = np.where(good, ns_f, 0).astype(np.int64)
    out[rows[good]] = res[good]
    idx = rows[good][:EXAMPLES]
    aware = unit != "excel"
    ex = [{"row": int(i), "value": short(shown.iloc[i]),
           "parsed": str(pd.Timestamp(out[i], tz="UTC" if aware else None))} for i in idx]
    what = (f"Unix epoch {_UNIT_WORDS[unit]} (since 1970-01-01 UTC)" if aware
            else f"{_UNIT_WORDS[unit]}, local wall-clock times")
    findings.append(Finding(
        "numeric_timestamps", "warning",
        f"Column {column!r} holds numbers; "
        + ("their size says they are " if guessed else "as timestamp_format says, they are ")
        + f"{what}, and were read so (e.g. "
        + ", ".join(f"row {e['row']}: {e['value']} -> {e['parsed']}" for e in ex) + ").",
        rows=int(good.sum()), column=column, examples=ex,
        fix="check the examples; pass timestamp_format='epoch_s', 'epoch_ms', 'epoch_us', "
            "'epoch_ns' or 'excel' if they are another unit"))
    return out, aware


def _decimal_ns(text: pa.Array, f: int) -> np.ndarray:
    """Decimal numbers written in text (``-12.5``), in units of ``f`` nanoseconds, as exact
    int64 nanoseconds (rounded half away from zero to the nanosecond)."""
    parts = pc.extract_regex(pc.utf8_trim_whitespace(text),
                             r"^(?P<sign>[+-]?)(?P<whole>\d*)\.?(?P<frac>\d*)$")
    digits = len(str(f)) - 1  # the fraction's digits that are whole nanoseconds

    def number(t: pa.Array) -> np.ndarray:
        return pc.cast(pc.if_else(pc.equal(t, ""), "0", t), pa.int64()).to_numpy()

    frac = parts.field("frac")
    ns = number(parts.field("whole")) * f
    if digits:
        ns += number(pc.utf8_rpad(pc.utf8_slice_codeunits(frac, 0, digits), digits, "0"))
    ns += number(pc.utf8_slice_codeunits(frac, digits, digits + 1)) >= 5
    return np.where(pc.equal(parts.field("sign"), "-").to_numpy(zero_copy_only=False), -ns, ns)


def _float_ns(num: np.ndarray, f: int, unit: str) -> np.ndarray:
    """Floats in units of ``f`` nanoseconds as int64 nanoseconds: the whole part exactly,
    the fraction to the microsecond for seconds and milliseconds (all a float of today's
    epoch seconds holds), else to the nanosecond."""
    whole = np.trunc(num)
    step = 1_000 if unit in ("s", "ms") else 1
    return whole.astype(np.int64) * f + (np.round((num - whole) * f / step) * step
                                         ).astype(np.int64)


def _build_ts(ns: np.ndarray, aware: bool) -> pd.Series:
    ts = pd.Series(ns.view("datetime64[ns]"), copy=False)
    return ts.dt.tz_localize("UTC") if aware else ts
