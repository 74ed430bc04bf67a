"""XES event logs, plain or gzip: :func:`check_xml_prologue`, which refuses an XML file whose
prologue declares a DTD or entities before anything parses it (process models are checked with
it too), and :func:`read_xes`, which streams the log: each ``<trace>``'s attributes become
``case:`` columns of its events, typed values are converted, lists and containers become
canonical JSON text, an ``<event>`` outside any trace is a bad line, and what was dropped or
changed is reported per attribute key.
"""
from __future__ import annotations

import codecs
import gzip
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import EmptyLogError, UnreadableFileError, UnsafeInputError
from .table import EXAMPLES, RawTable, bad_lines_frame, canonical_json, finding, finish
from .text import BOMS, open_bytes, wide_encoding

__all__ = ["check_xml_prologue", "read_xes"]


# ----------------------------------------------------------------------------- XES
_UNSAFE_XML = ("{name!r} declares a DTD or XML entities. XES logs never need them and they "
               "can read local files or expand without bound, so journeylab refuses the file. "
               "Remove the <!DOCTYPE ...> block and read it again.")


def check_xml_prologue(path: str | Path) -> None:
    """Refuse an XML file (plain or gzip) whose prologue declares a DTD or entities.

    XES logs, BPMN and PNML models never need them, and they can read local files or
    expand without bound. The prologue is streamed up to the root element, however long
    its comments; nothing after it is read.

    Parameters
    ----------
    path : str or Path

    Raises
    ------
    UnsafeInputError
        The prologue holds ``<!DOCTYPE`` or ``<!ENTITY``.
    UnreadableFileError
        The file cannot be opened.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:  # doctest: +ELLIPSIS
    ...     _ = Path(folder, "ok.xes").write_bytes(b'<?xml version="1.0"?><log/>')
    ...     check_xml_prologue(Path(folder, "ok.xes"))  # fine: nothing happens
    ...     _ = Path(folder, "x.xes").write_bytes(b'<!-- x --><!DOCTYPE log []><log/>')
    ...     check_xml_prologue(Path(folder, "x.xes"))
    Traceback (most recent call last):
    ...
    journeylab.errors.UnsafeInputError: '.../x.xes' declares a DTD or XML entities. XES logs never need them and they can read local files or expand without bound, so journeylab refuses the file. Remove the <!DOCTYPE ...> block and read it again.
    """  # noqa: E501
    path = Path(path)
    with open_bytes(path) as fh:
        _scan_prologue(iter(lambda: fh.read(1 << 16), b""), path)


def _scan_prologue(chunks, path: Path) -> None:
    """Stream through the XML prologue, however long its comments, up to the root element;
    refuse any <!DOCTYPE or <!ENTITY on the way. Reads nothing past the root's start."""
    buf = ""
    decoder = None
    for chunk in chunks:
        if decoder is None:
            enc = "utf-8"
            for bom, e in BOMS:
                if chunk.startswith(bom):
                    enc = {"utf-8-sig": "utf-8-sig"}.get(e, e)
                    break
            else:
                enc = wide_encoding(chunk) or "utf-8"
            decoder = codecs.getincrementaldecoder(enc)(errors="replace")
        buf += decoder.decode(chunk)
        while True:
            i = buf.find("<")
            if i < 0:
                buf = ""
                break
            rest = buf[i:]
            if rest.startswith("<?"):
                j = rest.find("?>")
                if j < 0:
                    buf = rest
                    break
                buf = rest[j + 2:]
            elif rest.startswith("<!--"):
                j = rest.find("-->", 4)
                if j < 0:
                    buf = "<!--" + rest[-2:] if len(rest) > 6 else rest
                    break
                buf = rest[j + 3:]
            elif len(rest) < 9:
                buf = rest
                break
            elif rest[:9].upper() in ("<!DOCTYPE",) or rest[:8].upper() == "<!ENTITY":
                raise UnsafeInputError(_UNSAFE_XML.format(name=str(path)))
            else:
                return  # the root element (or not XML at all: the parser will say)
    return


def _xes_int(v: str | None) -> Any:
    try:
        return int(v)
    except (TypeError, ValueError):
        return v


def _xes_float(v: str | None) -> Any:
    try:
        return float(v)
    except (TypeError, ValueError):
        return v


def _xes_bool(v: str | None) -> Any:
    return None if v is None else v.strip().lower() == "true"


def _xes_text(v: str | None) -> Any:
    return v


_XES_CONVERT = {"string": _xes_text, "date": _xes_text, "id": _xes_text, "int": _xes_int,
                "float": _xes_float, "boolean": _xes_bool}
_XES_NESTED = ("list", "container")


def _local(tag: Any) -> str | None:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else None


class _XesNotes:
    """What reading XES changed, counted per attribute key, for the findings."""

    def __init__(self):
        self.nested: Counter = Counter()
        self.meta: Counter = Counter()
        self.unknown: Counter = Counter()
        self.dup: Counter = Counter()
        self.first_line: dict = {}

    def note(self, kind: Counter, key: str, line: int | None) -> None:
        kind[key] += 1
        self.first_line.setdefault((id(kind), key), line)

    def findings(self, name: str) -> list[dict]:
        kinds = (  # what was met, its finding, what was done, whether keys are columns, fix
            (self.nested, "xes_nested_as_json", "XES list/container attributes in {name!r} "
             "were kept as canonical JSON text", True,
             "flatten them when exporting the log if they should be labels"),
            (self.meta, "xes_meta_attributes_dropped", "Attributes nested inside other "
             "attributes (XES meta-attributes) in {name!r} were not read; their parents' "
             "values were kept", True, "export them as event attributes if you need them"),
            (self.unknown, "xes_unknown_elements_ignored", "Elements that are not XES "
             "attributes in {name!r} were ignored", False, "check the exporter; XES "
             "attributes are string, date, int, float, boolean, id, list and container"),
            (self.dup, "xes_duplicate_attribute", "Some events of {name!r} give the same "
             "attribute key twice; the first value was kept", True,
             "give each attribute of an event its own key"),
        )
        out = []
        for kind, code, what, columns, fix in kinds:
            if not kind:
                continue
            keys = list(kind)
            where = ", ".join(f"{k!r} ({kind[k]:,}x, first at line "
                              f"{self.first_line.get((id(kind), k))})" for k in keys[:EXAMPLES])
            out.append(finding(code, "warning", f"{what.format(name=name)}: {where}.",
                               rows=sum(kind.values()), fix=fix,
                               **({"column": keys[0]} if columns else {})))
        return out


def _xes_attrs(el, prefix: str, notes: _XesNotes) -> dict:
    out: dict = {}
    for a in el:
        tag = _local(a.tag)
        if tag is None:
            continue
        if tag in ("event", "trace"):
            continue
        key = a.get("key")
        if key is None and (tag in _XES_NESTED or tag in _XES_CONVERT):
            notes.note(notes.unknown, f"<{tag}> without a key", a.sourceline)
            continue
        if tag in _XES_NESTED:
            value = canonical_json(_xes_json(a))
            notes.note(notes.nested, str(key), a.sourceline)
        elif tag in _XES_CONVERT:
            value = _XES_CONVERT[tag](a.get("value"))
            if len([c for c in a if isinstance(c.tag, str)]):
                notes.note(notes.meta, str(key), a.sourceline)
        else:
            notes.note(notes.unknown, f"<{tag}>", a.sourceline)
            continue
        col = prefix + str(key)
        if col in out:
            notes.note(notes.dup, str(key), a.sourceline)
            continue
        out[col] = value
    return out


def _xes_json(a) -> Any:
    """A list (array of values) or container (object by key) as plain JSON values."""
    tag = _local(a.tag)
    kids = [c for c in a if isinstance(c.tag, str)]
    if tag == "list":
        if len(kids) == 1 and _local(kids[0].tag) == "values":
            kids = [c for c in kids[0] if isinstance(c.tag, str)]
        return [_xes_json(c) if _local(c.tag) in _XES_NESTED else
                {"key": c.get("key"), "value": _XES_CONVERT.get(_local(c.tag), _xes_text)(
                    c.get("value"))} for c in kids]
    if tag == "container":
        return {str(c.get("key")): _xes_json(c) if _local(c.tag) in _XES_NESTED else
                _XES_CONVERT.get(_local(c.tag), _xes_text)(c.get("value")) for c in kids}
    return _XES_CONVERT.get(tag, _xes_text)(a.get("value"))


def read_xes(path: Path) -> RawTable:
    from lxml import etree

    name = str(path)
    try:
        check_xml_prologue(path)
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise UnreadableFileError(f"{name!r} cannot be decompressed ({exc}). The file is "
                                  "truncated or not gzip: download or export it again.") from None
    records: list[dict] = []
    numbers: list[int] = []
    bad: list[tuple] = []
    notes = _XesNotes()
    record = 0
    checked = False
    try:
        with open_bytes(path) as fh:
            ctx = etree.iterparse(fh, events=("end",), resolve_entities=False, no_network=True,
                                  load_dtd=False, huge_tree=False, remove_comments=True,
                                  remove_pis=True)
            for _, el in ctx:
                if not checked:  # the prologue is parsed by now: no DTD may be there
                    info = el.getroottree().docinfo
                    if info.doctype or info.internalDTD is not None:
                        raise UnsafeInputError(_UNSAFE_XML.format(name=name))
                    checked = True
                tag = _local(el.tag)
                if tag == "event":
                    parent = el.getparent()
                    if parent is not None and _local(parent.tag) == "trace":
                        continue  # read with its trace
                    text = etree.tostring(el, encoding="unicode", with_tail=False)
                    where = "<log>" if parent is None or parent.getparent() is None \
                        else f"<{_local(parent.tag)}>"
                    bad.append((record, el.sourceline or -1, text,
                                f"event_outside_trace: an <event> directly inside {where}, "
                                "not inside a <trace>: it has no case"))
                    record += 1
                elif tag == "trace":
                    case_attrs = _xes_attrs(el, "case:", notes)
                    for child in el:
                        if _local(child.tag) != "event":
                            continue
                        ev = _xes_attrs(child, "", notes)
                        ev.update(case_attrs)
                        records.append(ev)
                        numbers.append(record)
                        record += 1
                else:
                    continue
                el.clear()
                while el.getprevious() is not None:
                    del el.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise UnreadableFileError(f"{name!r} is not well-formed XES: {exc}. "
                                  "Export the log again.") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise UnreadableFileError(f"{name!r} is truncated ({exc}): download or export it "
                                  "again.") from None
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        if bad:
            raise EmptyLogError(
                f"{name!r} holds {len(bad):,} events, all outside <trace> elements (first at "
                f"line {bad[0][1]}): without a trace they have no case. Wrap each journey's "
                "events in a <trace> with a concept:name, or export the log again.")
        raise EmptyLogError(f"{name!r} holds no events inside <trace> elements.")
    numbers_arr = np.asarray(numbers, dtype=np.int64)
    raw = RawTable(frame, bad_lines_frame(bad), findings=notes.findings(name),
                   records=None if not bad else numbers_arr)
    return finish(raw, list(frame.columns), repr(name))
