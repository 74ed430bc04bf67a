"""Text files, from bytes to records: opening a file, plain or gzip, with errors that name
it (:func:`open_raw`, :func:`open_bytes`, :func:`read_all_bytes`); its encoding, by byte-order
mark, the NUL-byte pattern of UTF-16/32 (:func:`wide_encoding`), UTF-8, else cp1252 line by
line, every guess and repair reported (:func:`decode_text`); and CSV (:func:`read_csv`): Excel's
``sep=`` line, the delimiter sniffed from the first complete records, the header, and pandas'
fast parser, with a careful record-by-record scan when it reports anything, where records with
more fields than the header and a quote that never closes become bad lines with their record
and line numbers.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io as _io
import re
import warnings
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import EmptyLogError, UnreadableFileError
from .table import EXAMPLES, RawTable, bad_lines_frame, finding, listing, unique_names

__all__ = ["open_raw", "open_bytes", "read_all_bytes", "BOMS", "sniff_encoding", "wide_encoding",
           "decode_text",
           "read_csv"]

_SNIFF_CHARS = 1 << 20
_SNIFF_RECORDS = 50
_DELIMITERS = (",", ";", "\t", "|")


def open_raw(path: Path):
    try:
        return open(path, "rb")
    except PermissionError:
        raise UnreadableFileError(f"{str(path)!r} cannot be read: permission denied. Check the "
                                  "file's permissions (or copy it somewhere readable).") from None
    except OSError as exc:
        raise UnreadableFileError(f"{str(path)!r} cannot be opened ({exc.strerror or exc}). "
                                  "Check the path and that the file is readable.") from None


def open_bytes(path: Path):
    if path.name.lower().endswith(".gz"):
        open_raw(path).close()  # permission and existence errors, named
        return gzip.open(path, "rb")
    return open_raw(path)


def read_all_bytes(path: Path) -> bytes:
    try:
        with open_bytes(path) as fh:
            return fh.read()
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise UnreadableFileError(
            f"{str(path)!r} cannot be decompressed ({exc}). The file is truncated or not gzip: "
            "download or export it again.") from None


# ----------------------------------------------------------------------------- text decoding
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))


def sniff_encoding(data: bytes) -> str:
    """The encoding of ``data`` by its BOM, NUL-byte pattern, or UTF-8 validity.

    Examples
    --------
    >>> sniff_encoding("é,x".encode("utf-16-le"))
    'utf-16-le'
    >>> sniff_encoding("é".encode("utf-32"))
    'utf-32'
    """
    for bom, enc in BOMS:
        if data.startswith(bom):
            return enc
    wide = wide_encoding(data)
    if wide:
        return wide
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def wide_encoding(data: bytes) -> str | None:
    """UTF-16/32 without a BOM, told by where the NUL bytes of ASCII characters fall."""
    head = data[:4096]
    if b"\x00" not in head:
        return None
    n4 = len(head) // 4 * 4
    if n4 >= 4:
        cols = [head[i:n4:4] for i in range(4)]
        zero = [c.count(0) / len(c) for c in cols]
        if zero[1] > .9 and zero[2] > .9 and zero[3] > .9 and zero[0] < .5:
            return "utf-32-le"
        if zero[0] > .9 and zero[1] > .9 and zero[2] > .9 and zero[3] < .5:
            return "utf-32-be"
    n2 = len(head) // 2 * 2
    if n2 >= 2:
        even, odd = head[0:n2:2], head[1:n2:2]
        ze, zo = even.count(0) / len(even), odd.count(0) / len(odd)
        if zo > .6 and ze < .2:
            return "utf-16-le"
        if ze > .6 and zo < .2:
            return "utf-16-be"
    return None


_LINE_BREAK_BYTES = re.compile(rb"(\r\n|\r|\n)")


def decode_text(data: bytes, encoding: str | None, name: str) -> tuple[str, str, list[dict]]:
    """Decode a text file; every guess and repair comes back as a finding."""
    findings: list[dict] = []
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise UnreadableFileError(
                f"{name!r} is not valid {encoding} (byte {exc.start}) at line {line}. Pass the "
                "file's encoding (encoding=..., CLI --encoding), e.g. 'latin-1' or 'cp1252'."
            ) from None
        return text.removeprefix("\ufeff"), encoding, findings
    for bom, enc in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as exc:
                raise UnreadableFileError(
                    f"{name!r} starts with a {enc} byte-order mark but is not valid {enc} "
                    f"(byte {exc.start}). Pass the file's encoding (encoding=, CLI "
                    "--encoding) or export it again.") from None
            return text.removeprefix("\ufeff"), enc, findings
    wide = wide_encoding(data)
    if wide:
        try:
            text = data.decode(wide)
        except UnicodeDecodeError:
            text = None
        if text is not None and "\x00" not in text:
            findings.append(finding(
                "encoding_detected", "info",
                f"{name!r} has no byte-order mark; its NUL-byte pattern says {wide.upper()}, "
                f"so it was read as {wide}.", fix=f"pass encoding= if {wide} is wrong"))
            return text.removeprefix("\ufeff"), wide, findings
    if b"\x00" in data:
        at = data.index(b"\x00")
        line = data[:at].count(b"\n") + 1
        raise UnreadableFileError(
            f"{name!r} holds NUL bytes (first at byte {at}, line {line}): this looks like "
            "UTF-16/UTF-32 text or a binary file, not 8-bit text. Pass encoding= (CLI "
            "--encoding), e.g. 'utf-16-le', 'utf-16-be', 'utf-32'; or pass format= with the "
            "file's real format.")
    try:
        return data.decode("utf-8"), "utf-8", findings
    except UnicodeDecodeError:
        pass
    # Not UTF-8 as a whole: decode line by line (a line break is one byte in both UTF-8 and
    # the 8-bit code pages), UTF-8 where it is valid, cp1252 (latin-1 for bytes cp1252 does
    # not define) elsewhere, and say which lines.
    parts, legacy, utf8_non_ascii, latin = [], [], 0, False
    first = None
    pieces = _LINE_BREAK_BYTES.split(data)  # line, break, line, break, ..., line
    for n, chunk in enumerate(pieces[::2], start=1):
        if n > 1:
            parts.append(pieces[2 * n - 3].decode("ascii"))
        try:
            parts.append(chunk.decode("utf-8"))
            if not chunk.isascii():
                utf8_non_ascii += 1
        except UnicodeDecodeError as exc:
            if first is None:
                first = (n, exc.start)
            legacy.append(n)
            try:
                parts.append(chunk.decode("cp1252"))
            except UnicodeDecodeError:
                parts.append(chunk.decode("latin-1"))
                latin = True
    text = "".join(parts)
    fallback = "latin-1" if latin else "cp1252"
    if utf8_non_ascii == 0:
        findings.append(finding(
            "encoding_guessed", "info",
            f"{name!r} is not UTF-8 (first at line {first[0]}, byte {first[1]} of the line); "
            f"no line holds UTF-8 text, so the file was read as {fallback}.",
            rows=len(legacy), examples=[{"line": n} for n in legacy[:EXAMPLES]],
            fix="pass encoding= (CLI --encoding) if the accents look wrong"))
        return text, fallback, findings
    findings.append(finding(
        "lines_not_utf8", "warning",
        f"{len(legacy):,} line{'s' * (len(legacy) > 1)} of {name!r} "
        f"{'are' if len(legacy) > 1 else 'is'} "
        f"not valid UTF-8 (line{'s' * (len(legacy) > 1)} {listing(legacy)}; "
        f"first bad byte at line {first[0]}, byte {first[1]} of the line) while "
        f"{utf8_non_ascii:,} other lines are UTF-8: those lines were read as {fallback}, the "
        "rest as UTF-8. Check their labels.",
        rows=len(legacy), examples=[{"line": n} for n in legacy[:EXAMPLES]],
        fix="export the file again as UTF-8, or pass encoding= for one encoding"))
    return text, "utf-8", findings


# ----------------------------------------------------------------------------- CSV
@contextlib.contextmanager
def _big_fields():
    old = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first records (complete ones only) most consistently.

    Examples
    --------
    >>> _sniff_delimiter('a;b;c\\n1;"x' + 'y' * 200_000 + '";3\\n')
    ';'
    """
    sample = text[:_SNIFF_CHARS]
    truncated = len(text) > len(sample)
    best, best_score = ",", (-1, -1)
    with _big_fields():
        for d in _DELIMITERS:
            counts = []
            try:
                reader = csv.reader(_io.StringIO(sample, newline=""), delimiter=d)
                for rec in reader:
                    if rec:
                        counts.append(len(rec))
                    if len(counts) > _SNIFF_RECORDS:
                        break
            except csv.Error:
                continue
            if truncated and len(counts) > 1 and len(counts) <= _SNIFF_RECORDS:
                counts.pop()  # the last record may be cut by the sample
            if not counts:
                continue
            header = counts[0]
            agree = sum(c == header for c in counts)
            score = (agree if header > 1 else 0, header)
            if score > best_score:
                best, best_score = d, score
    return best


_EXCEL_SEP_RE = re.compile(r"sep=(.)[ \t]*(?:\r\n|\n|\r|$)", re.IGNORECASE)


def read_csv(path: Path, *, sep: str | None, encoding: str | None) -> RawTable:
    name = str(path)
    data = read_all_bytes(path)
    text, enc, findings = decode_text(data, encoding, name)
    del data
    if not text.strip():
        raise EmptyLogError(f"{name!r} holds only white space: there are no events to read.")
    line_offset = 0
    m = _EXCEL_SEP_RE.match(text)
    if m:
        excel = m.group(1)
        text = text[m.end():]
        line_offset = 1
        if sep is None:
            sep = excel
        findings.append(finding(
            "excel_sep_line", "info",
            f"Line 1 of {name!r} is Excel's 'sep={excel}' line: it is not data"
            + (f"; the delimiter {excel!r} was taken from it." if sep == excel else
               f"; the delimiter sep={sep!r} you gave was used instead of {excel!r}."),
            examples=[{"line": 1}]))
        if not text.strip():
            raise EmptyLogError(f"{name!r} holds only Excel's 'sep=' line: there are no "
                                "events to read.")
    delim = sep or _sniff_delimiter(text)
    header, body_start_line = _header_record(text, delim, name)
    names, name_findings, groups = unique_names(header)
    raw = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(_io.StringIO(text), sep=delim, dtype=str, keep_default_na=False,
                                na_values=[""], on_bad_lines="warn", engine="c", header=0,
                                names=names, index_col=False, quotechar='"')
        except (pd.errors.ParserError, ValueError, csv.Error):
            frame = None
    if frame is None or caught:
        raw = _read_csv_records(text, delim, names, line_offset, fast=frame)
    else:
        raw = RawTable(frame)
    if raw.frame.empty and raw.bad_lines.empty:
        raise EmptyLogError(f"{name!r} has a header ({', '.join(header)}) but no rows.")
    raw.findings = findings + name_findings + raw.findings
    raw.source = {"encoding": enc, "delimiter": delim}
    if groups:
        raw.source["duplicate_columns"] = {k: list(v) for k, v in groups.items()}
    return raw


def _header_record(text: str, delim: str, name: str) -> tuple[list[str], int]:
    with _big_fields():
        reader = csv.reader(_io.StringIO(text, newline=""), delimiter=delim)
        try:
            for rec in reader:
                if rec and any(f.strip() for f in rec):
                    if reader.line_num > 1:  # a header over several lines: a quote left open?
                        head = "".join(_io.StringIO(text, newline="").readlines()[
                            :reader.line_num])
                        if _unclosed_quote(head.lstrip(), delim):
                            raise UnreadableFileError(
                                f"{name!r} has a header with a quote that never closes, so "
                                "the whole file reads as its header. Close the quote in the "
                                "first line (or remove it) and read the file again.")
                    return rec, reader.line_num + 1
        except csv.Error as exc:
            raise UnreadableFileError(f"{name!r} has a header that cannot be parsed as CSV "
                                      f"with delimiter {delim!r} ({exc}). Pass sep= (CLI "
                                      "--sep).") from None
    raise EmptyLogError(f"{name!r} has no header and no rows.")


def _physical_lines(text: str) -> list[str]:
    """Lines ended by \\r, \\n or \\r\\n only (U+2028, NEL, form feed are data)."""
    return _io.StringIO(text, newline="").readlines()


def _read_csv_records(text: str, delim: str, names: list[str], line_offset: int,
                      fast: pd.DataFrame | None = None) -> RawTable:
    """The careful path, taken when pandas' fast parser reports anything: every record with
    its number, its first physical line and its text; records with more fields than the
    header, and the line of a quote that never closes, are bad lines. The rows are pandas'
    (``fast``) when it kept exactly the records this pass keeps, else built here."""
    lines = _physical_lines(text)
    width = len(names)
    build = fast is None
    rows: list = []
    records: list = []
    bad: list = []
    record = -1          # -1: the header is still to come
    start = 0            # index into lines where parsing (re)starts
    while True:
        with _big_fields():
            rows, records, bad, record, restart = _scan_records(
                lines, start, delim, width, line_offset, record, build, rows, records, bad)
        if restart is None:
            break
        build, start = True, restart  # pandas stopped at the open quote: build the rows here
    if not build and len(records) != len(fast):
        with _big_fields():
            rows, records, bad, _, _ = _scan_records(lines, 0, delim, width, line_offset, -1,
                                                     True, [], [], [])
        build = True
    del lines
    if build:
        frame = pd.DataFrame(rows, dtype="str") if rows else pd.DataFrame(dtype="str")
        for i in range(frame.shape[1], width):
            frame[i] = pd.Series(np.nan, index=frame.index, dtype="str")
        frame.columns = names
        frame = frame.mask(frame == "")
    else:
        frame = fast
    rec_arr = np.asarray(records, dtype=np.int64)
    return RawTable(frame.reset_index(drop=True), bad_lines_frame(bad),
                    records=None if np.array_equal(rec_arr, np.arange(len(rec_arr))) else rec_arr)


def _scan_records(lines, start, delim, width, line_offset, record, build, rows, records, bad):
    total = len(lines)
    reader = csv.reader(iter(lines[start:]) if start else iter(lines), delimiter=delim,
                        strict=False)
    consumed = 0
    for rec in reader:
        first = start + consumed
        consumed = reader.line_num
        last = start + consumed          # exclusive
        if len(rec) <= 1 and (not rec or (not rec[0].strip() and last - first == 1)):
            continue                      # a blank line is not a record
        if record < 0:
            record = 0                    # the header
            continue
        if last == total and _unclosed_quote("".join(lines[first:last]), delim):
            line_no = first + 1 + line_offset
            bad.append((record, line_no, lines[first].rstrip("\r\n"),
                        f"malformed_line: a quoted field opens on line {line_no} and "
                        "never closes"))
            return rows, records, bad, record + 1, first + 1
        if len(rec) > width:
            bad.append((record, first + 1 + line_offset,
                        "".join(lines[first:last]).rstrip("\r\n"),
                        f"malformed_line: expected {width} fields, saw {len(rec)}"))
        else:
            if build:
                rows.append(rec)
            records.append(record)
        record += 1
    return rows, records, bad, record, None


def _unclosed_quote(raw_text: str, delim: str) -> bool:
    if '"' not in raw_text:
        return False
    try:
        for _ in csv.reader(_io.StringIO(raw_text + "\n", newline=""), delimiter=delim,
                            strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False
