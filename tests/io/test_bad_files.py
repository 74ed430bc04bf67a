"""Hostile files: every input loads with findings naming what was repaired or kept and why,
or fails with a JourneylabError naming the input and the fix. Row accounting always holds:
``rows_in == kept + quarantined + set aside``, with ``rows_in`` the records in the file."""
from __future__ import annotations

import csv
import gzip
import io
import json
import os
import socket
import sqlite3
import unicodedata

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journeylab as jl
import journeylab.io.text as jtext
import journeylab.io.xes as jxes
from journeylab.cli import main as cli_main
from journeylab.errors import (EmptyLogError, InvalidInputError, JourneylabError,
                               MissingColumnError, UnreadableFileError, UnsafeInputError)

H = "case_id,activity,timestamp\n"
ROWS = "a,x,2024-01-01\na,y,2024-01-02\nb,x,2024-01-03\n"


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def codes(report) -> dict:
    return {f.code: f for f in report.findings}


def reasons(report) -> dict:
    return report.quarantined["reason"].astype(str).str.split(":").str[0].value_counts().to_dict()


def balanced(r) -> bool:
    return r.rows_in == r.rows_kept + r.rows_quarantined + r.rows_set_aside


def label(text: str) -> str:
    """The documented repair of labels: NFC, then surrounding white space trimmed."""
    return unicodedata.normalize("NFC", text).strip()


# ============================================================================ 1. CSV
# (name, bytes, kwargs, rows_in, kept, {reason: n}, finding code, text the finding names,
#  activities kept)
CSV_LOADS = [
    ("utf8_one_cp1252_line",
     (H + "a,Café,2024-01-01\na,Thé,2024-01-02\n").encode()
     + "b,Caf\xe9,2024-01-03\n".encode("cp1252"),
     {}, 3, 3, {}, "lines_not_utf8", "line 4", {"Café", "Thé"}),
    ("utf8_two_cp1252_lines_far_apart",
     (H + "a,Café,2024-01-01\n").encode() + "a,na\xefve,2024-01-02\n".encode("cp1252")
     + "".join(f"b,Zoë,2024-01-0{i}\n" for i in (3, 5, 6)).encode()
     + "c,d\xe9j\xe0,2024-01-04\n".encode("cp1252"),
     {}, 6, 6, {}, "lines_not_utf8", "lines 3, 7", {"Café", "naïve", "Zoë", "déjà"}),
    ("whole_file_cp1252",
     (H + "a,Café,2024-01-01\na,Œuvre €,2024-01-02\n").encode("cp1252"),
     {}, 2, 2, {}, "encoding_guessed", "cp1252", {"Café", "Œuvre €"}),
    ("whole_file_latin1_with_byte_cp1252_lacks",
     (H + "a,Caf\xe9\x81,2024-01-01\n").encode("latin-1"),
     {}, 1, 1, {}, "encoding_guessed", "latin-1", {"Caf\xe9\x81"}),
    ("utf16_le_without_bom", (H + "a,ü,2024-01-01\n").encode("utf-16-le"),
     {}, 1, 1, {}, "encoding_detected", "UTF-16-LE", {"ü"}),
    ("utf16_be_without_bom", (H + "a,ü,2024-01-01\n").encode("utf-16-be"),
     {}, 1, 1, {}, "encoding_detected", "UTF-16-BE", {"ü"}),
    ("utf32_le_without_bom", (H + "a,ü,2024-01-01\n").encode("utf-32-le"),
     {}, 1, 1, {}, "encoding_detected", "UTF-32-LE", {"ü"}),
    ("utf32_be_without_bom", (H + "a,ü,2024-01-01\n").encode("utf-32-be"),
     {}, 1, 1, {}, "encoding_detected", "UTF-32-BE", {"ü"}),
    ("utf32_with_bom", (H + "a,ü,2024-01-01\n").encode("utf-32"),
     {}, 1, 1, {}, None, None, {"ü"}),
    ("utf16_with_bom_semicolons", (H.replace(",", ";") + "a;ü;2024-01-01\n").encode("utf-16"),
     {}, 1, 1, {}, None, None, {"ü"}),
    ("excel_sep_line_semicolon",
     b"sep=;\n" + (H + "a;x,y;2024-01-01\n").replace(",", ";", 2).encode(),
     {}, 1, 1, {}, "excel_sep_line", "Line 1", {"x,y"}),
    ("excel_sep_line_pipe_crlf", b"sep=|\r\ncase_id|activity|timestamp\r\na|x;y|2024-01-01\r\n",
     {}, 1, 1, {}, "excel_sep_line", "'|' was taken", {"x;y"}),
    ("excel_sep_line_tab", b"SEP=\t\ncase_id\tactivity\ttimestamp\na\tx\t2024-01-01\n",
     {}, 1, 1, {}, "excel_sep_line", "Line 1", {"x"}),
    ("excel_sep_line_and_malformed_row_keeps_line_numbers",
     b"sep=;\ncase_id;activity;timestamp\na;x;2024-01-01\na;y;2024-01-02;extra\n",
     {}, 2, 1, {"malformed_line": 1}, "excel_sep_line", "Line 1", {"x"}),
    ("field_of_200k_chars_semicolon",
     ("case_id;activity;timestamp;note\na;x;2024-01-01;" + "y" * 200_000 + "\n").encode(),
     {}, 1, 1, {}, None, None, {"x"}),
    ("quoted_field_of_200k_chars_with_commas",
     ('case_id;activity;timestamp\na;"' + "w, " * 70_000 + '";2024-01-01\n').encode(),
     {}, 1, 1, {}, None, None, {label("w, " * 70_000)}),
    ("header_has_duplicate_non_role_names",
     (H.strip() + ",note,note\na,x,2024-01-01,1,2\n").encode(),
     {}, 1, 1, {}, "duplicate_column_names", "'note', 'note.1'", {"x"}),
    ("header_has_an_empty_name", (H.strip() + ",\na,x,2024-01-01,v\n").encode(),
     {}, 1, 1, {}, "empty_column_names", "Unnamed: 3", {"x"}),
    ("blank_lines_are_not_records", (H + "\na,x,2024-01-01\n\n\nb,y,2024-01-02\n\n").encode(),
     {}, 2, 2, {}, None, None, {"x", "y"}),
    ("short_row_is_padded_then_quarantined", (H + "a,x,2024-01-01\nb,y\n").encode(),
     {}, 2, 1, {"null_timestamp": 1}, "null_timestamp", "row 1", {"x"}),
    ("only_record_has_an_open_quote", (H + '"a,x,2024-01-01\n').encode(),
     {}, 1, 0, {"malformed_line": 1}, "malformed_line", "row 0 (line 2)", set()),
    ("first_data_row_too_long_is_not_an_index",
     (H + "a,x,2024-01-01,EXTRA\nb,y,2024-01-02\n").encode(),
     {}, 2, 1, {"malformed_line": 1}, "malformed_line", "row 0", {"y"}),
    ("sep_alias_backslash_t", b"case_id\tactivity\ttimestamp\na\tx\t2024-01-01\n",
     {"sep": "\\t"}, 1, 1, {}, None, None, {"x"}),
]


@pytest.mark.parametrize("name,data,kw,rows_in,kept,why,code,names,acts", CSV_LOADS,
                         ids=[c[0] for c in CSV_LOADS])
def test_csv_loads_with_findings(tmp_path, name, data, kw, rows_in, kept, why, code, names, acts):
    r = jl.validate_events(write(tmp_path, name + ".csv", data), **kw)
    assert (r.rows_in, r.rows_kept) == (rows_in, kept)
    assert reasons(r) == why
    assert balanced(r)
    if code:
        assert names in codes(r)[code].message
    if kept:
        log = jl.read_events(write(tmp_path, name + ".csv", data), **kw)
        assert set(log.events["activity"].astype(str)) == acts


# Records whose text holds line breaks or Unicode line separators: the quarantine names the
# right record (row), its first physical line (line) and its exact text.
# (name, body after the header, bad row, bad line, bad text, kept rows)
RECORD_CASES = [
    ("quoted_newline_before_bad_row", 'a,"x\ny",2024-01-01\na,y,2024-01-02,EXTRA\nb,z,2024-01-03\n',
     1, 4, "a,y,2024-01-02,EXTRA", [0, 2]),
    ("quoted_crlf_before_bad_row",
     'a,"x\r\ny",2024-01-01\r\na,y,2024-01-02,EXTRA\r\nb,z,2024-01-03\r\n',
     1, 4, "a,y,2024-01-02,EXTRA", [0, 2]),
    ("bad_row_holds_a_quoted_newline",
     'a,x,2024-01-01\na,"p\nq",2024-01-02,EXTRA\nb,z,2024-01-03\n',
     1, 3, 'a,"p\nq",2024-01-02,EXTRA', [0, 2]),
    ("u2028_inside_a_field", "a,x\u2028y,2024-01-01\na,y,2024-01-02,EXTRA\nb,z,2024-01-03\n",
     1, 3, "a,y,2024-01-02,EXTRA", [0, 2]),
    ("nel_inside_a_field", "a,x\x85y,2024-01-01\nb,z\x85w,2024-01-04,E\nb,z,2024-01-03\n",
     1, 3, "b,z\x85w,2024-01-04,E", [0, 2]),
    ("form_feed_inside_a_field", "a,x\x0cy,2024-01-01\nb,q\x0c,2024-01-04,E\nb,z,2024-01-03\n",
     1, 3, "b,q\x0c,2024-01-04,E", [0, 2]),
    ("u2029_and_vertical_tab", "a,x\u2029y\x0b,2024-01-01\nb,z,2024-01-04,E\nb,z,2024-01-03\n",
     1, 3, "b,z,2024-01-04,E", [0, 2]),
    ("cr_only_line_endings", "a,x,2024-01-01\rb,z,2024-01-04,E\rb,z,2024-01-03\r",
     1, 3, "b,z,2024-01-04,E", [0, 2]),
    ("unclosed_quote_recovers_the_next_lines",
     'a,x,2024-01-01\nb,"open,2024-01-02\nc,y,2024-01-03\nc,z,2024-01-04\n',
     1, 3, 'b,"open,2024-01-02', [0, 2, 3]),
    ("two_bad_rows_around_multiline_records",
     'a,"1\n2\n3",2024-01-01\nb,q,2024-01-02,E\nc,"4\n5",2024-01-03\nd,r,2024-01-04,E\ne,s,2024-01-05\n',
     1, 5, "b,q,2024-01-02,E", [0, 2, 4]),
]


@pytest.mark.parametrize("name,body,row,line,text,kept_rows", RECORD_CASES,
                         ids=[c[0] for c in RECORD_CASES])
def test_csv_records_are_numbered_right(tmp_path, name, body, row, line, text, kept_rows):
    path = write(tmp_path, name + ".csv", H + body)
    r = jl.validate_events(path)
    bad = r.quarantined[r.quarantined["reason"].str.startswith("malformed_line")]
    first = bad.iloc[0]
    assert (int(first["row"]), int(first["line"]), first["raw_text"]) == (row, line, text)
    assert r.rows_in == len(kept_rows) + len(bad) and balanced(r)
    assert f"row {row}" in codes(r)["malformed_line"].message
    assert f"line {line}" in codes(r)["malformed_line"].message
    log = jl.read_events(path)
    assert sorted(log.events["row"].tolist()) == kept_rows


def test_multiline_records_keep_their_exact_text(tmp_path):
    body = 'a,"x\ny",2024-01-01\nb,"p\u2028q\x85r",2024-01-02\n'
    log = jl.read_events(write(tmp_path, "m.csv", H + body))
    assert log.events.set_index("row")["activity"].astype(str).to_dict() == {
        0: "x\ny", 1: "p\u2028q\x85r"}


CSV_ERRORS = [
    ("stray_nul_byte", (H + "a,x\x00,2024-01-01\n").encode(), {}, UnreadableFileError,
     ["NUL bytes", "line 2", "encoding="]),
    ("explicit_wrong_encoding", (H + "a,café,2024-01-01\n").encode("latin-1"),
     {"encoding": "utf-8"}, UnreadableFileError, ["not valid utf-8", "line 2", "encoding="]),
    ("bom_then_invalid_bytes", b"\xef\xbb\xbf" + H.encode() + b"a,\xff,2024\n",
     {}, UnreadableFileError, ["utf-8-sig", "byte-order mark", "encoding="]),
    ("only_the_excel_sep_line", b"sep=;\n", {}, EmptyLogError, ["sep=", "no"]),
    ("header_only", H.encode(), {}, EmptyLogError, ["has a header", "no rows"]),
    ("whitespace_only", b" \n\t\n", {}, EmptyLogError, ["white space"]),
    ("duplicate_role_column", b"case_id,activity,activity,timestamp\na,x,y,2024-01-01\n", {},
     InvalidInputError, ["'activity', 'activity.1'", "activity_key='activity.1'"]),
    ("parquet_bytes_named_csv", b"PAR1" + b"\x00" * 40, {}, UnreadableFileError,
     ["Parquet", "format='parquet'"]),
    ("gzip_bytes_named_csv", gzip.compress(H.encode()), {}, UnreadableFileError,
     ["gzip", ".csv.gz"]),
    ("xlsx_named_csv", b"PK\x03\x04" + b"\x00" * 40, {}, UnreadableFileError,
     ["ZIP", "CSV or Parquet"]),
    ("header_quote_never_closes", b'case_id,"activity,timestamp\na,b,c\n', {},
     UnreadableFileError, ["header with a quote that never closes", "Close the quote"]),
    ("one_column_only", b"case_id\na\n", {}, MissingColumnError, ["activity", "'case_id'"]),
]


@pytest.mark.parametrize("name,data,kw,err,needles", CSV_ERRORS, ids=[c[0] for c in CSV_ERRORS])
def test_csv_errors_name_the_input_and_fix(tmp_path, name, data, kw, err, needles):
    path = write(tmp_path, name + ".csv", data)
    with pytest.raises(err) as exc:
        jl.validate_events(path, **kw)
    msg = str(exc.value)
    assert type(exc.value) is err or isinstance(exc.value, err)
    for needle in needles:
        assert needle in msg
    if name not in ("duplicate_role_column", "one_column_only"):  # role errors name the column
        assert str(path) in msg


# ============================================================================ 2. JSON lines
def jl_lines(*objs) -> str:
    return "\n".join(o if isinstance(o, str) else json.dumps(o, ensure_ascii=False)
                     for o in objs) + "\n"


E1 = {"case_id": "a", "activity": "x", "timestamp": "2024-01-01"}
E2 = {"case_id": "b", "activity": "y", "timestamp": "2024-01-02"}

JSONL_LOADS = [
    ("activity_is_an_object", jl_lines(E1, {**E2, "activity": {"b": 1, "a": [2]}}), {},
     2, 2, {}, "nested_values_as_json", "'activity'", {"x", '{"a":[2],"b":1}'}),
    ("case_id_is_an_array", jl_lines(E1, {**E2, "case_id": ["u", 1]}), {},
     2, 2, {}, "nested_values_as_json", "rows 1", {"x", "y"}),
    ("latin1_lines", jl_lines({**E1, "activity": "café"}).encode("latin-1"), {},
     1, 1, {}, "encoding_guessed", "cp1252", {"café"}),
    ("one_latin1_line_among_utf8", jl_lines({**E1, "activity": "Zoë"}).encode()
     + jl_lines({**E2, "activity": "café"}).encode("cp1252"), {},
     2, 2, {}, "lines_not_utf8", "line 2", {"Zoë", "café"}),
    ("utf16_lines", jl_lines(E1, E2).encode("utf-16"), {}, 2, 2, {}, None, None, {"x", "y"}),
    ("blank_lines_are_not_records", "\n\n" + jl_lines(E1) + "\n  \n" + jl_lines(E2) + "\n", {},
     2, 2, {}, None, None, {"x", "y"}),
    ("trailing_commas", jl_lines(E1) .rstrip("\n") + ",\n" + jl_lines(E2).rstrip("\n") + ",\n", {},
     2, 2, {}, "trailing_commas_removed", "lines 1, 2", {"x", "y"}),
    ("top_level_array", json.dumps([E1, E2], indent=2), {}, 2, 2, {}, "json_array", "2 elements",
     {"x", "y"}),
    ("top_level_array_with_a_non_object", json.dumps([E1, [1, 2], E2]), {}, 3, 2,
     {"malformed_line": 1}, "json_array", "3 elements", {"x", "y"}),
    ("numbers_as_ids_with_a_gap", jl_lines({**E1, "case_id": 7}, {**E2, "case_id": None},
                                           {**E2, "case_id": 12345678901234567891}), {},
     3, 2, {"null_case_id": 1}, "null_case_id", "row 1", {"x", "y"}),
    ("u2028_inside_a_json_string", jl_lines({**E1, "activity": "p\u2028q"}, E2), {},
     2, 2, {}, None, None, {"p\u2028q", "y"}),
    ("a_line_that_is_a_number", jl_lines(E1, "42", E2), {}, 3, 2, {"malformed_line": 1},
     "malformed_line", "line 2", {"x", "y"}),
    ("a_line_that_is_broken_json", jl_lines(E1, '{"case_id": "a", ', E2), {}, 3, 2,
     {"malformed_line": 1}, "malformed_line", "line 2", {"x", "y"}),
    ("crlf_lines", jl_lines(E1, E2).replace("\n", "\r\n"), {}, 2, 2, {}, None, None, {"x", "y"}),
]


@pytest.mark.parametrize("name,data,kw,rows_in,kept,why,code,names,acts", JSONL_LOADS,
                         ids=[c[0] for c in JSONL_LOADS])
def test_jsonl_loads_with_findings(tmp_path, name, data, kw, rows_in, kept, why, code, names, acts):
    path = write(tmp_path, name + ".jsonl", data)
    r = jl.validate_events(path, **kw)
    assert (r.rows_in, r.rows_kept) == (rows_in, kept)
    assert reasons(r) == why and balanced(r)
    if code:
        assert names in codes(r)[code].message
    log = jl.read_events(path, **kw)
    assert set(log.events["activity"].astype(str)) == acts


def test_jsonl_ids_stay_exact(tmp_path):
    path = write(tmp_path, "ids.jsonl", jl_lines({**E1, "case_id": 7}, {**E2, "case_id": None},
                                                 {**E2, "case_id": 12345678901234567891}))
    log = jl.read_events(path)
    assert set(log.events["case_id"].astype(str)) == {"7", "12345678901234567891"}


JSONL_ERRORS = [
    ("whitespace_only", b"\n \n", EmptyLogError, ["white space"]),
    ("empty_array", b"[]", EmptyLogError, ["no JSON objects"]),
    ("utf16_pretending_utf8", jl_lines(E1).encode("utf-16-le")[:-1], UnreadableFileError,
     ["NUL bytes", "encoding="]),
    ("only_malformed_lines", b"{oops\n42\n", EmptyLogError,
     ["2 lines are malformed", "line 1", "one JSON object per line"]),
    ("broken_top_level_array", b"[1, 2", EmptyLogError, ["malformed", "line 1"]),
    ("objects_without_fields", b"{}\n{}\n", EmptyLogError, ["2 JSON objects, all without fields"]),
]


@pytest.mark.parametrize("name,data,err,needles", JSONL_ERRORS, ids=[c[0] for c in JSONL_ERRORS])
def test_jsonl_errors(tmp_path, name, data, err, needles):
    path = write(tmp_path, name + ".jsonl", data)
    with pytest.raises(err) as exc:
        jl.validate_events(path)
    for needle in needles:
        assert needle in str(exc.value)
    assert str(path) in str(exc.value)


# ============================================================================ 3. XES
def xes(body: str, prologue: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{prologue}<log xes.version="1.0">\n'
            f'{body}\n</log>\n')


def ev(act: str, ts: str = "2024-01-01T10:00:00", extra: str = "") -> str:
    return (f'<event><string key="concept:name" value="{act}"/>'
            f'<date key="time:timestamp" value="{ts}"/>{extra}</event>')


def tr(case: str, *events: str) -> str:
    return f'<trace><string key="concept:name" value="{case}"/>{"".join(events)}</trace>'


XES_LOADS = [
    ("event_outside_trace", xes(ev("lost") + "\n" + tr("c1", ev("A")) + "\n" + tr("c2", ev("B")),),
     3, 2, {"event_outside_trace": 1}, "event_outside_trace", "line 3", {"A", "B"}),
    ("events_between_traces", xes(tr("c1", ev("A")) + "\n" + ev("l1") + ev("l2") + "\n"
                                  + tr("c2", ev("B"))),
     4, 2, {"event_outside_trace": 2}, "event_outside_trace", "line 4", {"A", "B"}),
    ("list_attribute", xes(tr("c1", ev("A", extra='<list key="tags"><values><string key="t" '
                                                  'value="p"/><int key="n" value="2"/></values>'
                                                  '</list>'))),
     1, 1, {}, "xes_nested_as_json", "'tags'", {"A"}),
    ("container_attribute", xes(tr("c1", ev("A", extra='<container key="addr"><string '
                                                       'key="city" value="Gent"/></container>'))),
     1, 1, {}, "xes_nested_as_json", "'addr'", {"A"}),
    ("meta_attribute", xes(tr("c1", ev("A", extra='<string key="who" value="ann"><string '
                                                  'key="role" value="agent"/></string>'))),
     1, 1, {}, "xes_meta_attributes_dropped", "'who'", {"A"}),
    ("unknown_element", xes(tr("c1", ev("A", extra='<blob key="z" value="1"/>'))),
     1, 1, {}, "xes_unknown_elements_ignored", "<blob>", {"A"}),
    ("duplicate_attribute_key", xes(tr("c1", ev("A", extra='<string key="concept:name" '
                                                           'value="B"/>'))),
     1, 1, {}, "xes_duplicate_attribute", "'concept:name'", {"A"}),
    ("trace_level_list", xes(tr("c1", ev("A")).replace(
        "</trace>", '<list key="segments"><string key="s" value="x"/></list></trace>')),
     1, 1, {}, "xes_nested_as_json", "'segments'", {"A"}),
    ("attribute_without_key", xes(tr("c1", ev("A", extra='<string value="lost"/>'))),
     1, 1, {}, "xes_unknown_elements_ignored", "<string> without a key", {"A"}),
    ("names_with_line_separators", xes(tr("c1", ev("p&#x2028;q"), ev("r&#10;s", "2024-01-02"))),
     2, 2, {}, None, None, {"p\u2028q", "r\ns"}),
]


@pytest.mark.parametrize("name,data,rows_in,kept,why,code,names,acts", XES_LOADS,
                         ids=[c[0] for c in XES_LOADS])
def test_xes_loads_with_findings(tmp_path, name, data, rows_in, kept, why, code, names, acts):
    path = write(tmp_path, name + ".xes", data)
    r = jl.validate_events(path)
    assert (r.rows_in, r.rows_kept) == (rows_in, kept)
    assert reasons(r) == why and balanced(r)
    if code:
        assert names in codes(r)[code].message
    log = jl.read_events(path)
    assert set(log.events["activity"].astype(str)) == acts


def test_xes_nested_values_are_json_and_rows_count_outside_events(tmp_path):
    nested = ('<container key="addr"><string key="city" value="Gent"/>'
              '<int key="n" value="3"/></container>')
    body = ev("lost") + tr("c1", ev("A", extra=nested)) + tr("c2", ev("B"))
    log = jl.read_events(write(tmp_path, "n.xes", xes(body)))
    e = log.events.set_index("row")
    assert e.loc[1, "addr"] == '{"city":"Gent","n":3}' and sorted(e.index) == [1, 2]


PAD = "<!--" + "x" * 100_000 + "-->\n"
XES_ERRORS = [
    ("dtd_after_a_long_comment", xes(tr("c1", ev("A")), PAD + '<!DOCTYPE log [<!ENTITY a "b">]>\n'),
     UnsafeInputError, ["DTD", "<!DOCTYPE"]),
    ("dtd_after_a_long_processing_instruction",
     xes(tr("c1", ev("A")), "<?pi " + "y" * 100_000 + "?>\n<!DOCTYPE log>\n"),
     UnsafeInputError, ["DTD", "<!DOCTYPE"]),
    ("entity_after_many_comments", xes(tr("c1", ev("A")), "<!-- c -->\n" * 20_000
                                       + '<!DOCTYPE log SYSTEM "http://example.com/x.dtd">\n'),
     UnsafeInputError, ["DTD"]),
    ("lower_case_doctype_in_utf16", None, UnsafeInputError, ["DTD"]),
    ("truncated", xes(tr("c1", ev("A")))[:120], UnreadableFileError,
     ["not well-formed XES", "line", "Export the log again"]),
    ("not_xml_at_all", "case_id,activity\na,b\n", UnreadableFileError, ["not well-formed XES"]),
    ("no_traces", xes(""), EmptyLogError, ["no events inside <trace>"]),
    ("all_events_outside_traces", xes(ev("l1") + ev("l2")), EmptyLogError,
     ["2 events, all outside <trace>", "line 3", "Wrap each journey"]),
    ("undeclared_entity", xes(tr("c1", ev("&ghost;"))), UnreadableFileError,
     ["not well-formed XES"]),
]


@pytest.mark.parametrize("name,data,err,needles", XES_ERRORS, ids=[c[0] for c in XES_ERRORS])
def test_xes_errors(tmp_path, name, data, err, needles):
    if data is None:  # UTF-16 with BOM: a byte scan for b"<!DOCTYPE" would miss it
        data = xes(tr("c1", ev("A")), PAD + "<!doctype log>\n").replace(
            'encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    path = write(tmp_path, name + ".xes", data)
    with pytest.raises(err) as exc:
        jl.validate_events(path)
    for needle in needles:
        assert needle in str(exc.value)
    assert str(path) in str(exc.value)


def test_xes_dtd_is_refused_by_the_parser_too(tmp_path, monkeypatch):
    """Without the prologue scan, the check on the parsed document still refuses a DTD."""
    monkeypatch.setattr(jxes, "_scan_prologue", lambda chunks, path: None)
    path = write(tmp_path, "d.xes", xes(tr("c1", ev("A")), '<!DOCTYPE log [<!ENTITY a "b">]>\n'))
    with pytest.raises(UnsafeInputError, match="declares a DTD"):
        jl.read_events(path)


@pytest.mark.parametrize("name,data,err,needle", [
    ("plain.xes.gz", xes(tr("c1", ev("A"))).encode(), UnreadableFileError,
     "named .gz but is plain text"),
    ("empty.xes", b"", EmptyLogError, "empty (0 bytes)"),
    ("cut.xes.gz", gzip.compress(xes(tr("c1", ev("A")) * 200).encode())[:300], UnreadableFileError,
     "truncated"),
], ids=["xes_gz_not_gzip", "xes_empty", "xes_gz_truncated"])
def test_xes_file_errors(tmp_path, name, data, err, needle):
    path = write(tmp_path, name, data)
    with pytest.raises(err) as exc:
        jl.read_events(path)
    assert needle in str(exc.value) and str(path) in str(exc.value)


# ============================================================================ 4. files and flags
def sqlite_db(tmp_path):
    path = tmp_path / "events.db"
    con = sqlite3.connect(path)
    con.execute("create table events(case_id text, activity text, timestamp text)")
    con.execute("insert into events values ('a', 'x', '2024-01-01')")
    con.commit()
    con.close()
    return path


def test_sqlite_and_text_duckdb_make_no_network_call_and_leave_home_alone(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    calls = []

    def no_network(*args, **kwargs):
        calls.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    opened = []  # DuckDB's own (C++) downloads bypass Python sockets: it must not open them
    real_connect = duckdb.connect
    monkeypatch.setattr(duckdb, "connect", lambda *a, **k: opened.append((a, k)) or
                        real_connect(*a, **k))
    with pytest.raises(UnreadableFileError, match="SQLite database.*export the table"):
        jl.read_events(sqlite_db(tmp_path))
    with pytest.raises(UnreadableFileError, match="not a DuckDB database: it is text.*format="):
        jl.read_events(write(tmp_path, "t.duckdb", H + ROWS))
    with pytest.raises(UnreadableFileError, match="not a DuckDB database"):
        jl.read_events(write(tmp_path, "p.duckdb", b"PAR1" + b"\0" * 32))
    assert calls == [] and opened == [] and list(home.iterdir()) == []
    # a real DuckDB file is opened read-only, offline, without extensions
    db = duck(tmp_path, "create table e as select 'a' as case_id, 'x' as activity, "
                        "'2024-01-01' as timestamp")
    opened.clear()
    assert jl.read_events(db).n_events == 1
    (args, kw), = opened
    assert kw["read_only"] is True
    assert kw["config"]["autoinstall_known_extensions"] is False
    assert kw["config"]["autoload_known_extensions"] is False
    assert list(home.iterdir()) == []


def duck(tmp_path, sql: str, name="e.duckdb"):
    path = tmp_path / name
    with duckdb.connect(str(path)) as con:
        con.execute(sql)
    return path


def test_duckdb_hugeint_ids_are_exact_text(tmp_path):
    path = duck(tmp_path, "create table e as select"
                          " (170141183460469231731687303715884105727::HUGEINT - i) as case_id,"
                          " 'x' as activity, '2024-01-0' || (i + 1) as timestamp,"
                          " 12345678901234567890.123456::DECIMAL(38, 6) as amount"
                          " from range(2) t(i)")
    r = jl.validate_events(path)
    assert "'case_id', 'amount'" in codes(r)["exact_numbers_as_text"].message
    log = jl.read_events(path)
    assert sorted(log.events["case_id"].astype(str)) == ["170141183460469231731687303715884105726",
                                                        "170141183460469231731687303715884105727"]
    assert set(log.events["amount"].astype(str)) == {"12345678901234567890.123456"}


def test_duckdb_struct_and_list_columns_are_text_with_a_finding(tmp_path):
    path = duck(tmp_path, "create table e as select 'a' as case_id, {'k': 1} as activity, "
                          "'2024-01-01' as timestamp, [1, 2] as tags")
    r = jl.validate_events(path)
    assert "'activity', 'tags'" in codes(r)["nested_values_as_text"].message
    assert jl.read_events(path).events["activity"].astype(str).tolist() == ["{'k': 1}"]


def test_duckdb_relation_with_hugeint(tmp_path):
    con = duckdb.connect()
    rel = con.sql("select (2::HUGEINT << 100) as case_id, 'x' as activity, "
                  "'2024-01-01' as timestamp")
    log = jl.read_events(rel)
    assert log.events["case_id"].astype(str).tolist() == [str(2 << 100)]


FILE_ERRORS = [
    ("duckdb_damaged", "bad.duckdb", b"\0" * 8 + b"DUCK" + b"\x01" * 5000, {}, UnreadableFileError,
     ["cannot be opened as a DuckDB database", "Parquet or CSV"]),
    ("duckdb_two_tables", "two.duckdb", None, {}, InvalidInputError, ["pass table="]),
    ("duckdb_unknown_table", "two.duckdb", None, {"table": "nope"}, InvalidInputError,
     ["No table 'nope'", "--table"]),
    ("parquet_corrupt", "bad.parquet", b"PAR1" + b"\x07" * 100, {}, UnreadableFileError,
     ["not a readable Parquet file", "Export it again"]),
    ("parquet_that_is_text", "t.parquet", (H + ROWS).encode(), {}, UnreadableFileError,
     ["not a Parquet file: it is text", "format="]),
    ("parquet_truncated", "cut.parquet", None, {}, UnreadableFileError,
     ["not a readable Parquet file"]),
    ("csv_gz_plain_text", "p.csv.gz", (H + ROWS).encode(), {}, UnreadableFileError,
     ["cannot be decompressed", "plain text", "rename it without .gz"]),
    ("zero_byte_csv", "z.csv", b"", {}, EmptyLogError, ["empty (0 bytes)"]),
    ("zero_byte_jsonl", "z.jsonl", b"", {}, EmptyLogError, ["empty (0 bytes)"]),
    ("zero_byte_parquet", "z.parquet", b"", {}, EmptyLogError, ["empty (0 bytes)"]),
    ("zero_byte_duckdb", "z.duckdb", b"", {}, EmptyLogError, ["empty (0 bytes)"]),
    ("unknown_encoding", "a.csv", (H + ROWS).encode(), {"encoding": "utf-9"}, InvalidInputError,
     ["'utf-9'", "encoding=", "--encoding", "'cp1252'"]),
    ("multi_char_sep", "a.csv", (H + ROWS).encode(), {"sep": ";;"}, InvalidInputError,
     ["';;'", "sep=", "--sep", "sep=';'"]),
    ("letter_sep", "a.csv", (H + ROWS).encode(), {"sep": "a"}, InvalidInputError,
     ["'a'", "--sep"]),
    ("timestamp_format_without_directive", "a.csv", (H + ROWS).encode(),
     {"timestamp_format": "YYYY-MM-DD"}, InvalidInputError,
     ["'YYYY-MM-DD'", "--timestamp-format", "'%d/%m/%Y %H:%M'"]),
    ("timestamp_format_bad_directive", "a.csv", (H + ROWS).encode(),
     {"timestamp_format": "%Y-%Q"}, InvalidInputError, ["'%Q'", "--timestamp-format"]),
    ("unknown_timezone", "a.csv", (H + ROWS).encode(), {"assume_timezone": "Mars/Olympus"},
     InvalidInputError, ["'Mars/Olympus'", "--assume-timezone", "'Europe/Brussels'"]),
    ("unknown_format", "a.csv", (H + ROWS).encode(), {"format": "xlsx"}, InvalidInputError,
     ["'xlsx'", "--format", "'parquet'"]),
]


@pytest.mark.parametrize("name,fname,data,kw,err,needles", FILE_ERRORS,
                         ids=[c[0] for c in FILE_ERRORS])
def test_file_and_flag_errors(tmp_path, name, fname, data, kw, err, needles):
    if name.startswith("duckdb_") and data is None:
        path = duck(tmp_path, "create table a as select 1 as x; create table b as select 2 as y",
                    fname)
    elif name == "parquet_truncated":
        full = tmp_path / "full.parquet"
        pd.DataFrame({"case_id": ["a"] * 100, "activity": ["x"] * 100,
                      "timestamp": ["2024-01-01"] * 100}).to_parquet(full)
        path = write(tmp_path, fname, full.read_bytes()[:-30])
    else:
        path = write(tmp_path, fname, data)
    with pytest.raises(err) as exc:
        jl.read_events(path, **kw)
    for needle in needles:
        assert needle in str(exc.value)
    if "encoding" not in kw and "sep" not in kw and "timestamp_format" not in kw \
            and "assume_timezone" not in kw and "format" not in kw:
        assert str(path) in str(exc.value)


@pytest.mark.parametrize("what", ["folder", "missing", "permission", "fifo"])
def test_paths_that_are_not_readable_files(tmp_path, monkeypatch, what):
    if what == "folder":
        path, needle = tmp_path, "is a folder"
    elif what == "missing":
        path, needle = tmp_path / "nope.csv", "File not found"
    elif what == "fifo":
        path, needle = tmp_path / "pipe.csv", "not a regular file"
        os.mkfifo(path)
    else:
        path, needle = write(tmp_path, "locked.csv", H + ROWS), "permission denied"

        def refuse(*args, **kwargs):
            raise PermissionError(13, "Permission denied")
        monkeypatch.setattr(jtext, "open", refuse, raising=False)
    with pytest.raises(UnreadableFileError) as exc:
        jl.read_events(path)
    assert needle in str(exc.value) and str(path) in str(exc.value)


def test_dataframe_with_integer_column_names_loads_with_a_finding():
    df = pd.DataFrame([["a", "x", "2024-01-01", 5]],
                      columns=["case_id", "activity", "timestamp", 0])
    r = jl.validate_events(df)
    assert "0 -> '0'" in codes(r)["column_names_as_text"].message and r.rows_kept == 1
    with pytest.raises(MissingColumnError, match="'0'"):
        jl.read_events(pd.DataFrame([["a", "x", "2024-01-01"]], columns=[0, 1, 2]))
    log = jl.read_events(pd.DataFrame([["a", "x", "2024-01-01"]], columns=[0, 1, 2]),
                         case_id_key="0", activity_key="1", timestamp_key="2")
    assert log.n_events == 1
    assert list(df.columns) == ["case_id", "activity", "timestamp", 0]  # input untouched


def test_dataframe_with_two_columns_of_one_name():
    df = pd.DataFrame([["a", "x", "2024-01-01", 1, 2]],
                      columns=["case_id", "activity", "timestamp", "v", "v"])
    r = jl.validate_events(df)
    assert "'v', 'v.1'" in codes(r)["duplicate_column_names"].message
    df2 = pd.DataFrame([["a", "x", "y", "2024-01-01"]],
                       columns=["case_id", "activity", "activity", "timestamp"])
    with pytest.raises(InvalidInputError, match="activity_key='activity.1'"):
        jl.read_events(df2)
    assert jl.read_events(df2, activity_key="activity.1").events["activity"].tolist() == ["y"]


def test_dataframe_with_unhashable_role_values():
    df = pd.DataFrame({"case_id": ["a", "b"], "activity": [{"k": 1}, ["p"]],
                       "timestamp": ["2024-01-01", "2024-01-02"]})
    r = jl.validate_events(df)
    assert "'activity'" in codes(r)["nested_values_as_json"].message
    assert sorted(jl.read_events(df).events["activity"].astype(str)) == ['["p"]', '{"k":1}']


@pytest.mark.parametrize("flag,value,needle", [
    ("--sep", ";;", "--sep"), ("--encoding", "utf-9", "--encoding"),
    ("--timestamp-format", "YYYY", "--timestamp-format"),
    ("--assume-timezone", "Mars/Olympus", "--assume-timezone"),
])
def test_cli_checks_reading_flags_up_front(tmp_path, capsys, flag, value, needle):
    path = write(tmp_path, "a.csv", H + ROWS)
    with pytest.raises(SystemExit) as exc:
        cli_main(["validate", str(path), flag, value])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert needle in err and value in err and "Traceback" not in err


def test_cli_accepts_tab_alias(tmp_path, capsys):
    path = write(tmp_path, "t.csv", H.replace(",", "\t") + ROWS.replace(",", "\t"))
    assert cli_main(["validate", str(path), "--sep", "\\t", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows_kept"] == 3


# ============================================================================ properties
_HOSTILE = st.sampled_from(list("ab éüŒ€😀,;|\t\"'\n\r\u2028\u2029\x85\x0c\x0b=+-@ \u00a0e\u0301"))
TEXT = st.lists(_HOSTILE, min_size=0, max_size=12).map("".join)
SETTINGS = settings(max_examples=int(os.environ.get("JL_HYP_N", 40)), deadline=None,
                    derandomize=not os.environ.get("JL_HYP_N"),
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@st.composite
def hostile_csv(draw):
    delim = draw(st.sampled_from([",", ";", "\t", "|"]))
    n = draw(st.integers(1, 8))
    out = io.StringIO(newline="")
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))

    class W:  # quote every field holding \r or \n, end records with ``end``
        def writerow(self, row):
            buf = io.StringIO(newline="")
            csv.writer(buf, delimiter=delim, lineterminator="\r\n").writerow(row)
            out.write(buf.getvalue()[:-2] + end)
    w = W()
    w.writerow(["case_id", "activity", "timestamp"])
    acts, bad = {}, set()
    for i in range(n):
        act = draw(TEXT)
        acts[i] = act
        row = [draw(st.sampled_from(["c1", "c2", " c3"])), act, f"2024-01-{i % 28 + 1:02d}"]
        if draw(st.integers(0, 5)) == 0:
            row.append("extra")
            bad.add(i)
        w.writerow(row)
        if draw(st.integers(0, 4)) == 0:
            out.write(end)  # a blank line is not a record
    text = out.getvalue()
    enc = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "mixed"]))
    if enc == "mixed":
        data = text.encode("utf-8") + f"c9{delim}caf\xe9 ok{delim}2024-02-01\n".encode("cp1252")
        acts[n] = "caf\xe9 ok"
        n += 1
    else:
        data = text.encode(enc)
    return data, delim, n, acts, bad


@SETTINGS
@given(case=hostile_csv())
def test_property_hostile_csv(tmp_path_factory, case):
    data, delim, n, acts, bad = case
    path = tmp_path_factory.mktemp("h") / "h.csv"
    path.write_bytes(data)
    r = jl.validate_events(path, sep=delim)
    assert r.rows_in == n and balanced(r)
    got_bad = set(r.quarantined.loc[r.quarantined["reason"].str.startswith("malformed"), "row"])
    assert got_bad == bad
    try:
        log = jl.read_events(path, sep=delim)
    except EmptyLogError:
        return
    for row, act in zip(log.events["row"], log.events["activity"].astype(str)):
        assert act == label(acts[row])


@SETTINGS
@given(data=st.binary(max_size=300) | TEXT.map(lambda t: t.encode("utf-8")),
       name=st.sampled_from(["g.csv", "g.jsonl", "g.xes", "g.tsv"]))
def test_property_garbage_raises_only_journeylab_errors(tmp_path_factory, data, name):
    path = tmp_path_factory.mktemp("g") / name
    path.write_bytes(data)
    try:
        r = jl.validate_events(path)
    except JourneylabError:
        return
    assert balanced(r)


@st.composite
def hostile_jsonl(draw):
    lines, acts, n = [], {}, 0
    for i in range(draw(st.integers(1, 8))):
        kind = draw(st.integers(0, 6))
        if kind == 0:
            lines.append(draw(st.sampled_from(["", "  ", "\r"])))  # not records
            continue
        if kind == 1:
            lines.append(draw(st.sampled_from(["{oops", "42", "[1]", '"s"', "null"])))
            n += 1
            continue
        act = draw(st.one_of(TEXT, st.integers(-5, 5), st.dictionaries(
            st.sampled_from(["b", "a"]), st.integers(0, 3), max_size=2),
            st.lists(st.integers(0, 3), max_size=2)))
        case = draw(st.one_of(st.sampled_from(["c1", "c2"]), st.integers(0, 3)))
        acts[n] = (json.dumps(act, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                   if isinstance(act, (dict, list)) else str(act))
        lines.append(json.dumps({"case_id": case, "activity": act,
                                 "timestamp": f"2024-01-{i % 28 + 1:02d}"},
                                ensure_ascii=draw(st.booleans())))
        n += 1
    enc = draw(st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
    return "\n".join(lines).encode(enc), n, acts


@SETTINGS
@given(case=hostile_jsonl())
def test_property_hostile_jsonl(tmp_path_factory, case):
    data, n, acts = case
    path = tmp_path_factory.mktemp("j") / "h.jsonl"
    path.write_bytes(data)
    try:
        r = jl.validate_events(path)
    except EmptyLogError:
        assert not acts  # only blank or malformed lines
        return
    assert r.rows_in == n and balanced(r)
    if r.rows_kept:
        log = jl.read_events(path)
        for row, act in zip(log.events["row"], log.events["activity"].astype(str)):
            assert act == label(acts[row])


_XML_TEXT = st.lists(st.sampled_from(list("ab éü€😀<>&\"'\n\t\u2028\x85 e\u0301;,")),
                     max_size=10).map("".join)


@st.composite
def hostile_xes(draw):
    from lxml import etree

    root = etree.Element("log")
    acts, n = {}, 0
    for t in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            e = etree.SubElement(root, "event")
            etree.SubElement(e, "string", key="concept:name", value=draw(_XML_TEXT))
            n += 1
        trace = etree.SubElement(root, "trace")
        etree.SubElement(trace, "string", key="concept:name", value=f"c{t}")
        for i in range(draw(st.integers(0, 3))):
            act = draw(_XML_TEXT)
            e = etree.SubElement(trace, "event")
            etree.SubElement(e, "string", key="concept:name", value=act)
            etree.SubElement(e, "date", key="time:timestamp", value=f"2024-01-{i + 1:02d}T00:00:00")
            if draw(st.booleans()):
                lst = etree.SubElement(e, "list", key="tags")
                etree.SubElement(lst, "string", key="t", value=draw(_XML_TEXT))
            acts[n] = act
            n += 1
    enc = draw(st.sampled_from(["UTF-8", "UTF-16"]))
    return etree.tostring(root, xml_declaration=True, encoding=enc), n, acts


@SETTINGS
@given(case=hostile_xes())
def test_property_hostile_xes(tmp_path_factory, case):
    data, n, acts = case
    path = tmp_path_factory.mktemp("x") / "h.xes"
    path.write_bytes(data)
    try:
        r = jl.validate_events(path)
    except EmptyLogError:
        assert not acts
        return
    assert r.rows_in == n and balanced(r)
    if r.rows_kept:
        log = jl.read_events(path)
        for row, act in zip(log.events["row"], log.events["activity"].astype(str)):
            assert act == label(acts[row])
