"""The bad-input corpus: every case asserts the exact outcome (error, or rows and accounting)."""
from __future__ import annotations

import gzip
import json
import time

import numpy as np
import pandas as pd
import pytest

import journeylab as jl
from journeylab.errors import (EmptyLogError, InvalidInputError, JourneylabError,
                               MissingColumnError, UnreadableFileError, UnsafeInputError,
                               ValidationError)

from ..conftest import write_bytes

HEADER = "case_id,activity,timestamp\n"


def reasons(report) -> dict:
    return report.quarantined["reason"].value_counts().to_dict()


def balanced(report) -> bool:
    return report.rows_in == report.rows_kept + report.rows_quarantined


# --- encodings and delimiters ---------------------------------------------------------------
def test_latin1_semicolon_crlf_export(tmp_path):
    text = ("Case ID;Activity;Date\r\n1;Klacht ontvangen;2016-01-04\r\n"
            "1;Behandeling;2016-01-06\r\n2;Réactie verstuurd;2016-01-05\r\n")
    path = write_bytes(tmp_path, "complaints.csv", text.encode("latin-1"))
    log = jl.read_events(path, case_id_key="Case ID", activity_key="Activity",
                         timestamp_key="Date")
    assert log.report.source["delimiter"] == ";"
    assert log.report.source["encoding"] in ("cp1252", "latin-1")
    assert sorted(log.activities) == ["Behandeling", "Klacht ontvangen", "Réactie verstuurd"]
    assert (log.n_cases, log.n_events) == (2, 3)


def test_utf8_bom_header_is_clean(tmp_path):
    path = write_bytes(tmp_path, "bom.csv", (HEADER + "a,x,2024-01-01\n").encode("utf-8-sig"))
    log = jl.read_events(path)
    assert log.schema.case_id_key == "case_id"
    assert log.report.source["encoding"] == "utf-8-sig"


def test_utf16_file(tmp_path):
    path = write_bytes(tmp_path, "u16.csv", (HEADER + "a,ü,2024-01-01\n").encode("utf-16"))
    log = jl.read_events(path)
    assert list(log.activities) == ["ü"]


@pytest.mark.parametrize("delim", ["\t", "|", ";"])
def test_delimiters_are_sniffed(tmp_path, delim):
    text = delim.join(["case_id", "activity", "timestamp", "note"]) + "\n" + \
        delim.join(["a", "x", "2024-01-01", "one, two"]) + "\n"
    path = write_bytes(tmp_path, "d.csv", text.encode())
    log = jl.read_events(path)
    assert log.report.source["delimiter"] == delim
    assert log.events["note"].tolist() == ["one, two"]


def test_wrong_encoding_given_names_the_fix(tmp_path):
    path = write_bytes(tmp_path, "l1.csv", (HEADER + "a,café,2024-01-01\n").encode("latin-1"))
    with pytest.raises(UnreadableFileError, match=r"is not valid utf-8 \(byte \d+\).*latin-1"):
        jl.read_events(path, encoding="utf-8")


# --- timestamps -------------------------------------------------------------------------------
def test_two_timestamp_formats_are_repaired_and_reported():
    df = pd.DataFrame({"case_id": ["a", "a", "b"], "activity": ["x", "y", "x"],
                       "timestamp": ["2016-01-02 10:00:00", "2016/01/03 11:00:00", "2016/01/04"]})
    log = jl.read_events(df)
    f = {x.code: x for x in log.report.findings}["mixed_timestamp_formats"]
    assert f.rows == 2 and f.severity == "warning"
    assert [e["row"] for e in f.examples] == [1, 2]
    assert log.events["timestamp"].tolist() == [pd.Timestamp("2016-01-02 10:00"),
                                                pd.Timestamp("2016-01-03 11:00"),
                                                pd.Timestamp("2016-01-04")]
    assert log.report.rows_quarantined == 0


def test_unparsable_timestamps_are_quarantined_with_row_and_value():
    df = pd.DataFrame({"case_id": ["a"] * 4, "activity": ["x"] * 4,
                       "timestamp": ["2024-01-01", "yesterday", "2024-13-45", "31/31/2024"]})
    r = jl.validate_events(df)
    assert reasons(r) == {"unparsable_timestamp": 3}
    assert r.quarantined["row"].tolist() == [1, 2, 3]
    f = {x.code: x for x in r.findings}["unparsable_timestamp"]
    assert "row 1: 'yesterday'" in f.message and f.column == "timestamp"
    assert r.rows_kept == 1 and balanced(r)


def test_mixed_naive_and_aware_timestamps_become_utc():
    df = pd.DataFrame({"case_id": ["a", "a", "a"], "activity": ["x", "y", "z"],
                       "timestamp": ["2024-06-01T12:00:00+02:00", "2024-06-01T11:30:00",
                                     "2024-06-01T10:15:00Z"]})
    log = jl.read_events(df)
    f = {x.code: x for x in log.report.findings}["mixed_timezones"]
    assert f.rows == 1 and "taken as UTC" in f.message
    assert str(log.tz) == "UTC"
    assert log.events["timestamp"].tolist() == [
        pd.Timestamp("2024-06-01 10:00", tz="UTC"), pd.Timestamp("2024-06-01 10:15", tz="UTC"),
        pd.Timestamp("2024-06-01 11:30", tz="UTC")]


def test_assume_timezone_localises_the_naive_rows():
    df = pd.DataFrame({"case_id": ["a", "a"], "activity": ["x", "y"],
                       "timestamp": ["2024-06-01T12:00:00+00:00", "2024-06-01T12:00:00"]})
    log = jl.read_events(df, assume_timezone="Europe/Amsterdam")
    assert sorted(log.events["timestamp"]) == [pd.Timestamp("2024-06-01 10:00", tz="UTC"),
                                               pd.Timestamp("2024-06-01 12:00", tz="UTC")]


def test_explicit_timestamp_format_quarantines_other_formats():
    df = pd.DataFrame({"case_id": ["a", "a"], "activity": ["x", "y"],
                       "timestamp": ["03/04/2024 10:00", "2024-04-03 10:00"]})
    r = jl.validate_events(df, timestamp_format="%d/%m/%Y %H:%M")
    assert reasons(r) == {"unparsable_timestamp": 1}
    assert r.quarantined["row"].tolist() == [1]


def test_dayfirst_reads_day_before_month():
    df = pd.DataFrame({"case_id": ["a"], "activity": ["x"], "timestamp": ["03/04/2024"]})
    assert jl.read_events(df, dayfirst=True).events["timestamp"][0] == pd.Timestamp("2024-04-03")
    assert jl.read_events(df).events["timestamp"][0] == pd.Timestamp("2024-03-04")


def test_numeric_timestamps_are_refused_with_a_conversion_hint():
    # epoch seconds are now read (see test_bad_values.py); numbers of no known unit are refused
    df = pd.DataFrame({"case_id": ["a"], "activity": ["x"], "timestamp": [17]})
    with pytest.raises(InvalidInputError, match=r"holds numbers, not dates.*"
                                                r"timestamp_format='epoch_s'.*unit='s'"):
        jl.read_events(df)
    df = pd.DataFrame({"case_id": ["a"], "activity": ["x"], "timestamp": [1_700_000_000]})
    assert jl.read_events(df).events["timestamp"][0] == pd.Timestamp("2023-11-14 22:13:20",
                                                                     tz="UTC")


# --- keys -------------------------------------------------------------------------------------
def test_null_keys_are_quarantined_per_reason():
    df = pd.DataFrame({
        "case_id": ["a", "", None, "  ", "b", "b", "b"],
        "activity": ["x", "x", "x", "x", None, "", "y"],
        "timestamp": ["2024-01-01", "2024-01-01", "2024-01-01", "2024-01-01", "2024-01-01",
                      "2024-01-01", None],
    })
    r = jl.validate_events(df)
    assert reasons(r) == {"null_case_id": 3, "null_activity": 2, "null_timestamp": 1}
    assert r.quarantined.sort_values("row")["row"].tolist() == [1, 2, 3, 4, 5, 6]
    assert (r.rows_in, r.rows_kept, r.rows_quarantined) == (7, 1, 6)


def test_exact_duplicates_keep_the_first_copy_only():
    df = pd.DataFrame({"case_id": ["a", "a", "a", "a"], "activity": ["x", "x", "x", "y"],
                       "timestamp": ["2024-01-01"] * 4, "amount": [1, 1, 2, 1]})
    r = jl.validate_events(df)
    assert reasons(r) == {"duplicate_event": 1}
    assert r.quarantined["row"].tolist() == [1]  # row 2 differs in amount: kept
    assert r.rows_kept == 3


def test_missing_column_lists_columns_and_suggests():
    df = pd.DataFrame({"CaseID": ["a"], "activity": ["x"], "timestamp": ["2024-01-01"]})
    with pytest.raises(MissingColumnError) as err:
        jl.read_events(df, case_id_key="Case_ID")
    msg = str(err.value)
    assert "Column 'Case_ID' (the case_id role) is not in the data." in msg
    assert "Did you mean 'CaseID'?" in msg and "Available columns: 'CaseID', 'activity'" in msg
    assert isinstance(err.value, KeyError) and isinstance(err.value, JourneylabError)


def test_role_not_found_names_the_parameter_not_a_cli_flag(tmp_path):
    df = pd.DataFrame({"who": ["a"], "activity": ["x"], "timestamp": ["2024-01-01"]})
    with pytest.raises(MissingColumnError) as err:
        jl.read_events(df)
    msg = str(err.value)
    assert msg.startswith("No column for the case_id role") and "case_id_key" in msg
    assert "--" not in msg and ".." not in msg and msg.endswith(".")
    # the command line says the same in its own words: its flag
    from journeylab.cli import main

    df.to_csv(tmp_path / "e.csv", index=False)
    import contextlib
    import io

    err_text = io.StringIO()
    with contextlib.redirect_stderr(err_text):
        assert main(["validate", str(tmp_path / "e.csv")]) == 2
    assert "--case-id" in err_text.getvalue() and "case_id_key" not in err_text.getvalue()


def test_header_case_and_spaces_are_forgiven(tmp_path):
    path = write_bytes(tmp_path, "h.csv", b" Case_ID , Activity ,Timestamp\na,x,2024-01-01\n")
    log = jl.read_events(path, case_id_key="case_id", activity_key="activity")
    assert log.n_events == 1
    codes = {f.code for f in log.report.findings}
    assert "column_names_trimmed" in codes


def test_one_column_for_two_roles_is_refused():
    df = pd.DataFrame({"id": ["a"], "timestamp": ["2024-01-01"]})
    with pytest.raises(InvalidInputError, match="mapped to several roles"):
        jl.read_events(df, case_id_key="id", activity_key="id")


# --- empty inputs ----------------------------------------------------------------------------
def test_empty_file(tmp_path):
    with pytest.raises(EmptyLogError, match=r"is empty \(0 bytes\)"):
        jl.read_events(write_bytes(tmp_path, "e.csv", b""))


def test_whitespace_only_file(tmp_path):
    with pytest.raises(EmptyLogError, match="holds only white space"):
        jl.read_events(write_bytes(tmp_path, "w.csv", b"\n  \n"))


def test_header_only_file(tmp_path):
    with pytest.raises(EmptyLogError, match=r"has a header \(case_id, activity, timestamp\) "
                                            "but no rows"):
        jl.read_events(write_bytes(tmp_path, "h.csv", HEADER.encode()))


def test_every_row_bad_validates_but_does_not_load():
    df = pd.DataFrame({"case_id": [None, None], "activity": ["x", "y"],
                       "timestamp": ["2024-01-01", "2024-01-02"]})
    r = jl.validate_events(df)
    assert (r.rows_kept, r.rows_quarantined) == (0, 2)
    assert "empty_log" in {f.code for f in r.findings}
    with pytest.raises(EmptyLogError, match="No usable events remain"):
        jl.read_events(df)


def test_single_event_journeys_are_kept_and_counted(basic_frame):
    df = pd.concat([basic_frame, pd.DataFrame({"case_id": ["c3", "c4"], "activity": ["x", "y"],
                                               "timestamp": ["2024-03-03"] * 2})])
    log = jl.read_events(df)
    f = {x.code: x for x in log.report.findings}["single_event_journeys"]
    assert f.rows == 2 and "2 of 4 journeys" in f.message
    assert log.n_cases == 4


@pytest.mark.parametrize("seed", range(4))
def test_single_event_journeys_are_counted_as_pandas_counts_them(seed):
    rng = np.random.default_rng(seed)
    sizes = rng.choice([1, 1, 2, 3], size=40)  # first and last journeys single on some seeds
    df = pd.DataFrame({"case_id": np.repeat([f"j{i:02d}" for i in range(40)], sizes),
                       "activity": rng.choice(["x", "y"], sizes.sum()),
                       "timestamp": pd.Timestamp("2024-01-01")
                       + pd.to_timedelta(rng.integers(0, 10**6, sizes.sum()), unit="s")})
    df = df.sample(frac=1, random_state=seed)  # rows in no order
    single = int((df.groupby("case_id").size() == 1).sum())
    found = {x.code: x for x in jl.read_events(df).report.findings}
    assert found["single_event_journeys"].rows == single
    assert f"{single} of 40 journeys" in found["single_event_journeys"].message


# --- text in names -----------------------------------------------------------------------------
def test_unicode_rtl_and_emoji_names_survive_exactly(tmp_path):
    names = ["تسجيل الدخول", "דף הבית", "🛒 cart", "支払い", "Zoë’s\u200fstep"]
    df = pd.DataFrame({"case_id": ["a"] * 5, "activity": names,
                       "timestamp": pd.date_range("2024-01-01", periods=5, freq="h")})
    log = jl.read_events(df)
    path = log.write(tmp_path / "u.csv")
    back = jl.read_events(path)
    assert back.events["activity"].tolist() == names
    assert sorted(back.activities) == sorted(names)


def test_unicode_forms_and_spaces_are_merged_and_reported():
    df = pd.DataFrame({"case_id": ["a", "a", "a"],
                       "activity": ["Caf\u00e9", "Cafe\u0301", " Caf\u00e9 "],
                       "timestamp": ["2024-01-01", "2024-01-02", "2024-01-03"]})
    log = jl.read_events(df)
    assert list(log.activities) == ["Caf\u00e9"]
    f = {x.code: x for x in log.report.findings}["labels_normalised"]
    assert f.rows == 2


def test_html_in_names_is_data_and_escaped_in_reports():
    evil = "<script>alert(1)</script>"
    df = pd.DataFrame({"case_id": ["a", "a"], "activity": [evil, "ok"],
                       "timestamp": ["2024-01-01", evil]})
    r = jl.validate_events(df)
    assert evil in r.summary()  # plain text keeps the value as it was
    page = r._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    log = jl.read_events(df.iloc[:1])
    assert list(log.activities) == [evil]


def test_formula_injection_is_neutralised_on_export(tmp_path):
    df = pd.DataFrame({"case_id": ["=cmd|' /C calc'!A0", "a", "a"],
                       "activity": ["+SUM(A1)", "@HYPERLINK(x)", "-1+1"],
                       "timestamp": ["2024-01-01", "2024-01-02", "2024-01-03"],
                       "amount": [-5.0, 3.0, 1.0]})
    log = jl.read_events(df)
    path = log.write(tmp_path / "out.csv")
    raw = pd.read_csv(path, dtype=str)
    assert set(raw["case_id"]) == {"'=cmd|' /C calc'!A0", "a"}
    assert set(raw["activity"]) == {"'+SUM(A1)", "'@HYPERLINK(x)", "'-1+1"}
    assert sorted(raw["amount"].astype(float)) == [-5.0, 1.0, 3.0]  # numbers untouched
    unsafe = log.write(tmp_path / "raw.csv", safe_for_spreadsheets=False)
    assert "=cmd|' /C calc'!A0" in set(pd.read_csv(unsafe, dtype=str)["case_id"])


# --- XML attacks and broken archives -----------------------------------------------------------
XES_OK = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
 <trace><string key="concept:name" value="t1"/>
  <event><string key="concept:name" value="A"/><date key="time:timestamp" value="2024-01-01T10:00:00+00:00"/></event>
  <event><string key="concept:name" value="B"/><date key="time:timestamp" value="2024-01-01T11:00:00+00:00"/></event>
 </trace>
</log>
"""  # noqa: E501


def test_xxe_is_refused_and_nothing_is_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xes = XES_OK.replace('<?xml version="1.0" encoding="UTF-8"?>',
                         f'<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY xxe SYSTEM '
                         f'"file://{secret}">]>').replace('value="A"', 'value="&xxe;"')
    path = write_bytes(tmp_path, "xxe.xes", xes.encode())
    with pytest.raises(UnsafeInputError, match="declares a DTD or XML entities") as err:
        jl.read_events(path)
    assert "TOP-SECRET" not in str(err.value)


def test_entity_expansion_bomb_is_refused_fast(tmp_path):
    lol = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    xes = ('<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY lol0 "lol">' + lol + ']>\n'
           + XES_OK.split("?>", 1)[1].replace('value="A"', 'value="&lol9;"'))
    path = write_bytes(tmp_path, "bomb.xes", xes.encode())
    t = time.perf_counter()
    with pytest.raises(UnsafeInputError):
        jl.read_events(path)
    assert time.perf_counter() - t < 5


def test_undeclared_entity_without_dtd_is_a_parse_error(tmp_path):
    path = write_bytes(tmp_path, "ent.xes", XES_OK.replace('value="A"', 'value="&ghost;"').encode())
    with pytest.raises(UnreadableFileError, match="not well-formed XES"):
        jl.read_events(path)


def test_truncated_gzip_xes(tmp_path):
    data = gzip.compress(XES_OK.encode() * 50)
    path = write_bytes(tmp_path, "cut.xes.gz", data[: len(data) // 2])
    with pytest.raises(UnreadableFileError, match="truncated"):
        jl.read_events(path)


def test_truncated_gzip_csv(tmp_path):
    body = HEADER + "".join(f"c{i},x,2024-01-01\n" for i in range(2000))
    data = gzip.compress(body.encode())
    path = write_bytes(tmp_path, "cut.csv.gz", data[: len(data) // 2])
    with pytest.raises(UnreadableFileError, match="truncated or not gzip"):
        jl.read_events(path)


def test_not_gzip_despite_the_name(tmp_path):
    path = write_bytes(tmp_path, "plain.csv.gz", (HEADER + "a,x,2024-01-01\n").encode())
    with pytest.raises(UnreadableFileError, match="cannot be decompressed"):
        jl.read_events(path)


# --- malformed lines and scores ----------------------------------------------------------------
def test_malformed_csv_line_is_quarantined_with_its_line_number(tmp_path):
    text = HEADER + "a,x,2024-01-01\na,y,2024-01-02,EXTRA,FIELDS\nb,x,2024-01-03\n"
    r = jl.validate_events(write_bytes(tmp_path, "m.csv", text.encode()))
    assert (r.rows_in, r.rows_kept, r.rows_quarantined) == (3, 2, 1)
    bad = r.quarantined[r.quarantined["reason"].str.startswith("malformed_line")]
    assert bad["line"].tolist() == [3]
    assert bad["raw_text"].tolist() == ["a,y,2024-01-02,EXTRA,FIELDS"]
    assert balanced(r)


def test_malformed_json_line_is_quarantined(tmp_path):
    lines = [json.dumps({"case_id": "a", "activity": "x", "timestamp": "2024-01-01"}),
             "{not json", json.dumps(["a", "list"]),
             json.dumps({"case_id": "a", "activity": "y", "timestamp": "2024-01-02"})]
    r = jl.validate_events(write_bytes(tmp_path, "e.jsonl", "\n".join(lines).encode()))
    assert (r.rows_in, r.rows_kept, r.rows_quarantined) == (4, 2, 2)
    assert r.quarantined["line"].tolist() == [2, 3]


def test_scores_out_of_range_and_not_numeric():
    df = pd.DataFrame({
        "case_id": ["a"] * 6,
        "activity": ["nps", "nps", "csat", "csat", "csat", "visit"],
        "timestamp": pd.date_range("2024-01-01", periods=6, freq="D").astype(str),
        "score": ["11", "9", "4,5", "five", "0", None],
    })
    r = jl.validate_events(df, satisfaction_key="score",
                           instruments={"nps": (0, 10), "csat": (1, 5)})
    assert reasons(r) == {"satisfaction_out_of_range": 2, "satisfaction_not_numeric": 1}
    assert sorted(r.quarantined["row"]) == [0, 3, 4]
    log = jl.read_events(df.drop(index=[0, 3, 4]), satisfaction_key="score",
                         instruments={"nps": (0, 10), "csat": (1, 5)})
    assert sorted(log.events["satisfaction"].dropna()) == [4.5, 9.0]


def test_score_on_a_non_survey_row_is_flagged_but_kept():
    df = pd.DataFrame({"case_id": ["a", "a"], "activity": ["visit", "nps"],
                       "timestamp": ["2024-01-01", "2024-01-02"], "score": [7, 8]})
    log = jl.read_events(df, satisfaction_key="score", instruments={"nps": (0, 10)})
    f = {x.code: x for x in log.report.findings}["score_outside_survey"]
    assert f.rows == 1 and log.n_events == 2


def test_case_level_score_scale_is_checked():
    df = pd.DataFrame({"case_id": ["a", "a", "b"], "activity": ["x", "y", "x"],
                       "timestamp": ["2024-01-01"] * 3, "nps": [8, 8, 12]})
    r = jl.validate_events(df, satisfaction_key="nps", satisfaction_scale=(0, 10))
    assert reasons(r) == {"satisfaction_out_of_range": 1}


def test_huge_activity_cardinality_is_flagged():
    n = 3000
    df = pd.DataFrame({"case_id": np.arange(n) % 100, "activity": [f"id-{i}" for i in range(n)],
                       "timestamp": "2024-01-01"})
    log = jl.read_events(df)
    f = {x.code: x for x in log.report.findings}["activity_cardinality"]
    assert f.rows == n and "id or free text" in f.message


def test_strict_mode_raises_with_the_report():
    df = pd.DataFrame({"case_id": ["a", None], "activity": ["x", "y"],
                       "timestamp": ["2024-01-01", "2024-01-02"]})
    with pytest.raises(ValidationError, match="null_case_id") as err:
        jl.read_events(df, strict=True)
    assert err.value.report.rows_quarantined == 1


def test_unknown_extension_and_missing_file(tmp_path):
    with pytest.raises(UnreadableFileError, match="Cannot tell the format.*format="):
        jl.read_events(write_bytes(tmp_path, "events.xlsx", b"PK"))
    with pytest.raises(UnreadableFileError, match="File not found"):
        jl.read_events(tmp_path / "nope.csv")


def test_quarantine_can_be_written_out(tmp_path):
    df = pd.DataFrame({"case_id": ["a", None, "=evil"], "activity": ["x", "y", "z"],
                       "timestamp": ["2024-01-01", "2024-01-02", "bad"]})
    r = jl.validate_events(df)
    path = r.write_quarantine(tmp_path / "q.csv")
    back = pd.read_csv(path, dtype=str)
    assert back["reason"].tolist() == ["null_case_id", "unparsable_timestamp"]
    assert back["case_id"].tolist()[1] == "'=evil"


def test_duplicates_can_be_kept_and_are_still_reported():
    df = pd.DataFrame({"case_id": ["a", "a", "a"], "activity": ["x", "x", "y"],
                       "timestamp": ["2024-01-01", "2024-01-01", "2024-01-02"]})
    log = jl.read_events(df, duplicates="keep")
    assert log.n_events == 3 and log.report.rows_quarantined == 0
    f = {x.code: x for x in log.report.findings}["duplicate_event_kept"]
    assert f.rows == 1 and f.examples == [{"row": 1}]
    with pytest.raises(InvalidInputError, match="duplicates must be 'quarantine' or 'keep'"):
        jl.read_events(df, duplicates="drop")


def test_duplicate_rows_with_unhashable_cells(tmp_path):
    line = json.dumps({"case_id": "a", "activity": "x", "timestamp": "2024-01-01",
                       "tags": ["p", "q"]})
    r = jl.validate_events(write_bytes(tmp_path, "d.jsonl", f"{line}\n{line}\n".encode()))
    assert reasons(r) == {"duplicate_event": 1}


def test_a_column_entirely_in_another_format_with_milliseconds():
    df = pd.DataFrame({"case_id": ["a", "a", "b"], "activity": ["x", "y", "x"],
                       "timestamp": ["2016/01/02 01:00:01.353", "2016/01/02 02:06:50.703",
                                     "2016/01/03 00:00:00.000"]})
    log = jl.read_events(df)
    assert log.events["timestamp"].tolist() == [pd.Timestamp("2016-01-02 01:00:01.353"),
                                                pd.Timestamp("2016-01-02 02:06:50.703"),
                                                pd.Timestamp("2016-01-03")]
    assert {x.code: x for x in log.report.findings}["mixed_timestamp_formats"].rows == 3


def test_columns_labelled_by_numbers_are_named_by_their_labels():
    df = pd.DataFrame({0: ["1", "1"], 1: ["a", "b"],
                       2: pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:01"])})
    for keys in ({"case_id_key": 0, "activity_key": 1, "timestamp_key": 2},
                 {"case_id_key": "0", "activity_key": "1", "timestamp_key": "2"}):
        log = jl.read_events(df, **keys)
        assert (log.n_cases, log.n_events) == (1, 2)
        assert log.activities.tolist() == ["a", "b"]
    with pytest.raises(MissingColumnError, match="'0', '1', '2'"):
        jl.read_events(df, case_id_key=7, activity_key=1, timestamp_key=2)
