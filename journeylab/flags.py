"""The command line's flags that several ``journeylab`` commands share: column roles and
reading options (:func:`add_mapping_flags`), the engine (:func:`add_engine_flags`), and the
argparse types that check a flag's value up front. Each flag's help is the study
parameter's own (:data:`journeylab.STUDY_PARAMETERS`), so the command line and the
notebooks say the same.
"""
from __future__ import annotations

import argparse

from .errors import InvalidInputError

__all__ = ["add_mapping_flags", "mapping_kwargs", "add_engine_flags", "engine_kwargs",
           "flag_help", "scale_flag", "reading_option", "instrument_flag", "survey_flag"]


def scale_flag(text: str) -> tuple[float, float]:
    try:
        low, high = text.split(":")
        return float(low), float(high)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LOW:HIGH, e.g. 0:10, got {text!r}") from None


def reading_option(name: str):
    """An argparse type that checks a reading flag up front (journeylab.io's rules)."""
    def check(text: str) -> str:
        from .io.readers import check_reading_options

        try:
            out = check_reading_options(**{name: text})
        except InvalidInputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return out if name == "sep" else text
    check.__name__ = name
    return check


def instrument_flag(text: str) -> tuple[str, tuple[float, float]]:
    name, sep, scale = text.rpartition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected ACTIVITY=LOW:HIGH, e.g. nps_survey=0:10, "
                                         f"got {text!r}")
    return name, scale_flag(scale)


def survey_flag(text: str) -> str:
    if "=" in text:
        raise argparse.ArgumentTypeError(f"expected the name of one survey activity, got "
                                         f"{text!r}; declare surveys and their scales with "
                                         "--instruments ACTIVITY=LOW:HIGH")
    return text


def flag_help(parameter: str) -> str:
    """A flag's help: the study parameter's own (journeylab.STUDY_PARAMETERS), so the
    command line and the notebooks say the same."""
    from .studies.parameters import STUDY_PARAMETERS

    return STUDY_PARAMETERS[parameter][1].replace('""', "omitted").replace("%", "%%")


def add_mapping_flags(p: argparse.ArgumentParser) -> None:
    """The column-role and reading flags every command that reads events takes."""
    g = p.add_argument_group("column roles and reading")
    for flag, parameter in (("--case-id", "case_id_key"), ("--activity", "activity_key"),
                            ("--timestamp", "timestamp_key"), ("--channel", "channel_key"),
                            ("--stage", "stage_key"), ("--satisfaction", "satisfaction_key")):
        g.add_argument(flag, dest=parameter, metavar="COL", help=flag_help(parameter))
    g.add_argument("--instruments", action="append", type=instrument_flag, default=[],
                   metavar="ACTIVITY=LOW:HIGH",
                   help="a survey activity and its scale, e.g. nps_survey=0:10 (repeatable)")
    g.add_argument("--satisfaction-scale", type=scale_flag, metavar="LOW:HIGH",
                   help="scale of a case-level satisfaction column")
    g.add_argument("--catalogue", metavar="FILE", help="touchpoint catalogue CSV "
                   "(activity, stage, channel)")
    g.add_argument("--sep", type=reading_option("sep"),
                   help="CSV delimiter, one character ('\\t' or tab for tabs; sniffed when "
                        "omitted)")
    g.add_argument("--encoding", type=reading_option("encoding"),
                   help="text encoding (sniffed when omitted)")
    g.add_argument("--format", choices=["csv", "parquet", "xes", "jsonl", "duckdb"],
                   help="input format (taken from the file name when omitted)")
    g.add_argument("--table", help="table to read from a DuckDB database file")
    g.add_argument("--timestamp-format", metavar="FMT", type=reading_option("timestamp_format"),
                   help="strptime format of the timestamps, e.g. '%%d/%%m/%%Y %%H:%%M'")
    g.add_argument("--dayfirst", action="store_true", help="read 03/04/2024 as 3 April")
    g.add_argument("--assume-timezone", default="UTC", metavar="TZ",
                   type=reading_option("assume_timezone"),
                   help="zone of timestamps without an offset when others have one")
    g.add_argument("--duplicates", choices=["quarantine", "keep"], default="quarantine",
                   help="quarantine exact copies of earlier rows (default) or keep them")
    g.add_argument("--lifecycle", choices=["auto", "complete", "all"], default="auto",
                   help="with a lifecycle column (XES lifecycle:transition): keep only the "
                        "completions when there are start/complete pairs (auto, default), "
                        "require that (complete), or keep every event (all)")


def add_engine_flags(p: argparse.ArgumentParser) -> None:
    """Where the heavy passes run: ``--engine`` and its options."""
    g = p.add_argument_group("engine")
    g.add_argument("--engine", choices=["memory", "duckdb", "spark"], default="memory",
                   help=flag_help("engine"))
    g.add_argument("--memory-limit", default="", metavar="SIZE", help=flag_help("memory_limit"))
    g.add_argument("--spark-url", default="", metavar="URL", help=flag_help("spark_url"))
    g.add_argument("--sample-journeys", type=int, default=200_000, metavar="N",
                   help=flag_help("sample_journeys"))


def engine_kwargs(args: argparse.Namespace) -> dict:
    """``open_study`` keyword arguments from the flags of :func:`add_engine_flags`."""
    return {"engine": args.engine, "memory_limit": args.memory_limit,
            "spark_url": args.spark_url, "sample_journeys": args.sample_journeys}


def mapping_kwargs(args: argparse.Namespace) -> dict:
    """``read_events`` keyword arguments from the flags of :func:`add_mapping_flags`."""
    return {
        "case_id_key": args.case_id_key, "activity_key": args.activity_key,
        "timestamp_key": args.timestamp_key, "channel_key": args.channel_key,
        "stage_key": args.stage_key, "satisfaction_key": args.satisfaction_key,
        "instruments": dict(args.instruments) or "auto",
        "satisfaction_scale": args.satisfaction_scale, "catalogue": args.catalogue,
        "timestamp_format": args.timestamp_format, "dayfirst": args.dayfirst,
        "assume_timezone": args.assume_timezone, "duplicates": args.duplicates,
        "lifecycle": args.lifecycle,
        "sep": args.sep, "encoding": args.encoding,
        "format": args.format, "table": args.table,
    }
