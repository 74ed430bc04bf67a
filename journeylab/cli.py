"""The ``journeylab`` command."""
from __future__ import annotations

import argparse
import contextlib
import sys
import time
from typing import Sequence

from .defaults import PERSONA_DEFAULTS
from .errors import InvalidInputError, JourneylabError

__all__ = ["main"]


def _scale(text: str) -> tuple[float, float]:
    try:
        low, high = text.split(":")
        return float(low), float(high)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LOW:HIGH, e.g. 0:10, got {text!r}") from None


def _reading_option(name: str):
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


def _instrument(text: str) -> tuple[str, tuple[float, float]]:
    name, sep, scale = text.rpartition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected ACTIVITY=LOW:HIGH, e.g. nps_survey=0:10, "
                                         f"got {text!r}")
    return name, _scale(scale)


def _survey(text: str) -> str:
    if "=" in text:
        raise argparse.ArgumentTypeError(f"expected the name of one survey activity, got "
                                         f"{text!r}; declare surveys and their scales with "
                                         "--instruments ACTIVITY=LOW:HIGH")
    return text


def add_mapping_flags(p: argparse.ArgumentParser) -> None:
    """The column-role and reading flags every command that reads events takes."""
    g = p.add_argument_group("column roles and reading")
    g.add_argument("--case-id", dest="case_id_key", metavar="COL", help="case (journey) id column")
    g.add_argument("--activity", dest="activity_key", metavar="COL", help="touchpoint column")
    g.add_argument("--timestamp", dest="timestamp_key", metavar="COL", help="timestamp column")
    g.add_argument("--channel", dest="channel_key", metavar="COL", help="channel column")
    g.add_argument("--stage", dest="stage_key", metavar="COL", help="journey stage column")
    g.add_argument("--satisfaction", dest="satisfaction_key", metavar="COL",
                   help="satisfaction score column")
    g.add_argument("--instruments", action="append", type=_instrument, default=[],
                   metavar="ACTIVITY=LOW:HIGH",
                   help="a survey activity and its scale, e.g. nps_survey=0:10 (repeatable)")
    g.add_argument("--satisfaction-scale", type=_scale, metavar="LOW:HIGH",
                   help="scale of a case-level satisfaction column")
    g.add_argument("--catalogue", metavar="FILE", help="touchpoint catalogue CSV "
                   "(activity, stage, channel)")
    g.add_argument("--sep", type=_reading_option("sep"),
                   help="CSV delimiter, one character ('\\t' or tab for tabs; sniffed when "
                        "omitted)")
    g.add_argument("--encoding", type=_reading_option("encoding"),
                   help="text encoding (sniffed when omitted)")
    g.add_argument("--format", choices=["csv", "parquet", "xes", "jsonl", "duckdb"],
                   help="input format (taken from the file name when omitted)")
    g.add_argument("--table", help="table to read from a DuckDB database file")
    g.add_argument("--timestamp-format", metavar="FMT", type=_reading_option("timestamp_format"),
                   help="strptime format of the timestamps, e.g. '%%d/%%m/%%Y %%H:%%M'")
    g.add_argument("--dayfirst", action="store_true", help="read 03/04/2024 as 3 April")
    g.add_argument("--assume-timezone", default="UTC", metavar="TZ",
                   type=_reading_option("assume_timezone"),
                   help="zone of timestamps without an offset when others have one")
    g.add_argument("--duplicates", choices=["quarantine", "keep"], default="quarantine",
                   help="quarantine exact copies of earlier rows (default) or keep them")
    g.add_argument("--lifecycle", choices=["auto", "complete", "all"], default="auto",
                   help="with a lifecycle column (XES lifecycle:transition): keep only the "
                        "completions when there are start/complete pairs (auto, default), "
                        "require that (complete), or keep every event (all)")


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


def _cmd_synth(args: argparse.Namespace) -> int:
    from .synth import generate_journeys

    truth = generate_journeys(args.customers, random_state=args.random_state, noise=args.noise)
    paths = truth.save(args.out, events_format=args.events_format)
    print(f"wrote {len(truth.events):,} events of {args.customers:,} journeys "
          f"(random_state {args.random_state}) to {paths['events']}")
    for name, path in paths.items():
        if name != "events":
            print(f"  truth: {path}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from .io.validate import validate_events

    report = validate_events(args.events, **mapping_kwargs(args), strict=False)
    if args.quarantine:
        report.write_quarantine(args.quarantine)
    if args.json:
        print(report.to_json(indent=2))
    else:
        print(report.summary())
        if args.quarantine:
            print(f"quarantined rows written to {args.quarantine}")
    return 1 if (args.strict and report.rows_quarantined) else 0


def _read(args: argparse.Namespace):
    """Open the log the way notebooks do (:func:`journeylab.open_study`): the same role
    look-up, the output folder made, quarantined rows written there."""
    from .studies.study import open_study

    kw = mapping_kwargs(args)
    roles = {k: kw.pop(k) or "" for k in ("case_id_key", "activity_key", "timestamp_key",
                                          "channel_key", "stage_key", "satisfaction_key")}
    instruments = kw.pop("instruments")
    study = open_study(args.events, **roles,
                       instruments=None if instruments == "auto" else instruments,
                       catalogue_path=kw.pop("catalogue") or "",
                       outcome_column=getattr(args, "outcome", "") or "",
                       output_dir=args.out, **kw)
    r = study.log.report
    print(f"read {r.rows_in:,} rows: kept {r.rows_kept:,}, quarantined {r.rows_quarantined:,}"
          + (f" (see {args.out}/quarantine.csv)" if r.rows_quarantined else "")
          + (f", set aside by lifecycle {r.rows_set_aside:,} (only completions kept; "
             "--lifecycle all keeps every event)" if r.rows_set_aside else ""))
    for note in study.notes:
        print(f"  {note}")
    return study


def _cmd_paths(args: argparse.Namespace) -> int:
    from . import paths as P
    from .io.readers import write_table
    from .plot.figures import plot_process_map, save_figure

    study = _read(args)
    journeys, out, outcome = study.journeys, study.out, study.outcome
    dfg = P.discover_dfg(journeys)
    written = [write_table(dfg.edges, out / "dfg.csv"), write_table(dfg.nodes, out / "nodes.csv")]
    variants = P.get_variants(journeys, outcome=outcome)
    written.append(write_table(variants, out / "variants.csv"))
    if {"stage", "channel"} <= set(journeys.events.columns):
        written.append(write_table(P.journey_matrix(journeys, outcome=outcome),
                                   out / "journey_matrix.csv"))
    else:
        print("no stage and channel roles: journey_matrix.csv not written "
              "(map --stage/--channel or give --catalogue)")
    # a drop-off is an ending without the outcome: without --outcome only ends are measured
    endings = P.find_dropoffs(journeys, outcome=outcome)
    written.append(write_table(endings, out / ("dropoffs.csv" if outcome else "ends.csv")))
    if not outcome:
        print("no --outcome: ends.csv holds where journeys end (end_rate), not drop-offs; "
              "give --outcome COLUMN to count journeys that ended without it")
    written.append(write_table(P.find_loops(journeys), out / "loops.csv"))
    written.append(write_table(P.find_dead_points(journeys).drop(columns="median_wait"),
                               out / "dead_points.csv"))
    simple = P.filter_dfg(journeys, activity_coverage=args.activity_coverage,
                          path_coverage=args.path_coverage)
    written.append(save_figure(plot_process_map(simple), out / "process_map.svg"))
    print(f"{journeys.n_cases:,} journeys, {len(dfg.edges):,} edges, {len(variants):,} variants")
    for p in written:
        print(f"  wrote {p}")
    return 0


def _k(text: str) -> int | str:
    if text == "auto":
        return text
    try:
        k = int(text)
    except ValueError:
        k = 0
    if k < 1:
        raise argparse.ArgumentTypeError(f"expected a number of personas >= 1 or 'auto', "
                                         f"got {text!r}")
    return k


@contextlib.contextmanager
def _notes_printed_instead():
    """Persona warnings silenced: the commands print the model's notes, which say the
    same."""
    import warnings

    from .personas import PersonaWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PersonaWarning)
        yield


def _cmd_personas(args: argparse.Namespace) -> int:
    from .io.readers import write_table
    from .personas import describe_stability, find_personas, persona_stability
    from .plot.figures import plot_persona_selection, save_figure
    from .personas.profiles import label_journeys, profile_personas

    study = _read(args)
    journeys, out = study.journeys, study.out
    with _notes_printed_instead():
        model = find_personas(journeys, method=args.method, n_personas=args.n_personas,
                              min_touchpoints=args.min_touchpoints, random_state=args.random_state,
                              k_range=(args.k_min, args.k_max))
    profiles = profile_personas(journeys, model, outcome=study.outcome)
    written = [write_table(label_journeys(journeys, model, profiles), out / "assignments.csv"),
               write_table(profiles, out / "profiles.csv"),
               write_table(model.selection_, out / "selection.csv")]
    if len(model.selection_) > 1:
        written.append(save_figure(plot_persona_selection(model.selection_)[0],
                                   out / "selection.svg"))
    told = profiles[profiles["persona"] >= 0]
    print(f"{journeys.n_cases:,} journeys, {len(told)} personas ({model.method_}, "
          f"random_state {args.random_state}); too short to tell: "
          f"{int((model.labels_ < 0).sum()):,}")
    for _, row in told.iterrows():
        print(f"  {row['persona']}: {row['name']} ({row['share']:.0%})")
    for note in model.notes_:
        print(f"note: {note}")
    if args.stability_resamples:
        stability = persona_stability(model, journeys, n_resamples=args.stability_resamples,
                                      random_state=args.random_state)
        written.append(write_table(stability, out / "stability.csv"))
        print(describe_stability(stability))
    for p in written:
        print(f"  wrote {p}")
    return 0


def _cmd_drivers(args: argparse.Namespace) -> int:
    import pandas as pd

    from .drivers.attribution import moments_of_truth
    from .drivers import attribute_satisfaction, rank_irritants
    from .io.readers import write_table
    from .personas import find_personas

    study = _read(args)
    log, journeys, out = study.log, study.journeys, study.out
    if "satisfaction" not in log.events.columns:
        raise InvalidInputError("journeylab drivers needs survey scores: name their column "
                                "with --satisfaction (and the surveys with --instruments).")
    controls = None
    if args.controls == "personas":
        with _notes_printed_instead():
            model = find_personas(journeys, random_state=args.random_state)
        # journeys too short to tell their persona (-1) are left out of the fit
        controls = pd.Series(model.labels_, index=journeys.cases.astype(str))
        print(f"controls: {model.n_personas_} personas ({model.method_}, "
              f"random_state {args.random_state})")
        for note in model.notes_:
            print(f"note: {note}")
    elif args.controls != "none":
        controls = args.controls
    drivers = attribute_satisfaction(log, instrument=args.instrument or None,
                                     controls=controls, window=args.window, n_boot=args.boot,
                                     min_effect=args.min_effect, random_state=args.random_state)
    table = drivers.effects_.rename(columns={"exposed_scored": "cases"})
    cols = ["touchpoint", "stage", "effect", "ci_low", "ci_high", "cases", "points_lost",
            "kind", "channel", "se", "customers", "naive_gap", "vif"]
    written = [write_table(table[cols], out / "drivers.csv"),
               write_table(rank_irritants(drivers), out / "irritants.csv")]
    outcome = study.outcome
    if outcome:
        written.append(write_table(moments_of_truth(journeys, outcome=outcome),
                                   out / "moments_of_truth.csv"))
    else:
        print("no outcome found (give --outcome): moments_of_truth.csv not written")
    (out / "assumptions.txt").write_text(drivers.assumptions + "\n", encoding="utf-8")
    written.append(out / "assumptions.txt")
    print(f"{drivers.instrument_}: {int(table['journeys_scored'].iloc[0]):,} journeys with an "
          f"answer; {int((table['kind'] == 'irritant').sum())} irritants, "
          f"{int((table['kind'] == 'delight').sum())} delights")
    for p in written:
        print(f"  wrote {p}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .studies.report import run_demo

    run_demo(out=args.out, customers=args.customers, random_state=args.random_state,
             notebooks=args.notebooks, data_dir=args.data, workers=args.workers,
             offline=args.offline)
    return 0


def _cmd_dashboard(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .studies.dashboard import DASHBOARD_NOTEBOOKS, HOST, prepare_dashboard, serve_dashboard
    from .studies.report import notebook_parameters, parse_parameter

    books = [Path(b) for b in args.notebooks] or [
        Path(args.notebook_dir) / f"{n}.ipynb" for n in DASHBOARD_NOTEBOOKS]
    declared = {}
    for b in books:
        if b.exists():
            declared.update(notebook_parameters(b))
    params = {}
    for name, text in args.parameter or []:
        params[name] = parse_parameter(text, declared.get(name, {}).get("type", "str"))
    written = prepare_dashboard(books, args.folder, parameters=params)
    only = written[0].name if len(written) == 1 else None
    server = serve_dashboard(args.folder, port=args.port, notebook=only)
    where = f"http://{HOST}:{args.port}/"  # one notebook: at the root; several: a list
    print(f"dashboard of {', '.join(p.name for p in written)} at {where} "
          "(this machine only; Ctrl-C stops it)", flush=True)
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        return 0


def _cmd_fetch_assets(args: argparse.Namespace) -> int:
    from .studies.assets import fetch_assets

    fetch_assets(args.dest or None)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .studies.report import notebook_parameters, parse_parameter, run_notebook, type_phrase

    declared = notebook_parameters(args.notebook) if Path(args.notebook).exists() else {}
    params = {}
    for name, text in args.parameter or []:
        kind = declared.get(name, {}).get("type", "str")
        try:
            params[name] = parse_parameter(text, kind)
        except InvalidInputError as exc:
            raise InvalidInputError(f"parameter {name}: {exc} {Path(args.notebook).name} "
                                    f"takes {type_phrase(kind)} "
                                    f"({declared[name]['help']}).") from None
    out = Path(args.out)
    if "output_dir" in declared and "output_dir" not in params:
        params["output_dir"] = str((out / Path(args.notebook).stem).resolve())
    for name in [n for n in params if n.endswith("_path") and params[n]]:
        params[name] = str(Path(params[name]).resolve())  # relative to where you are
    t = time.perf_counter()
    paths = run_notebook(args.notebook, out, parameters=params, html=not args.no_html,
                         offline=args.offline)
    print(f"{Path(args.notebook).name} done in {time.perf_counter() - t:.1f}s")
    for p in paths.values():
        print(f"  wrote {p}")
    if "output_dir" in params:
        print(f"  tables in {params['output_dir']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="journeylab", description="Customer-journey analytics: "
                                "process mining, personas and satisfaction drivers.")
    sub = p.add_subparsers(dest="command", required=True)
    # flags are the parameters' names in full: an abbreviation could stand for another one
    p.allow_abbrev = False

    s = sub.add_parser("synth", help="generate synthetic journeys with planted truth")
    s.add_argument("--customers", type=int, default=20_000, help="number of journeys")
    s.add_argument("--random-state", type=int, default=42, help="random seed")
    s.add_argument("--noise", type=float, default=0.01, help="share of random insertions")
    s.add_argument("--out", default="data/processed/default", help="output folder")
    s.add_argument("--events-format", choices=["parquet", "csv"], default="parquet")
    s.set_defaults(func=_cmd_synth)

    v = sub.add_parser("validate", help="check an event log and report what would be quarantined")
    v.add_argument("events", help="event file (CSV, Parquet, XES, XES.gz, JSON lines, DuckDB)")
    add_mapping_flags(v)
    v.add_argument("--json", action="store_true", help="print the report as JSON")
    v.add_argument("--quarantine", metavar="FILE", help="write quarantined rows to FILE")
    v.add_argument("--strict", action="store_true", help="exit 1 when any row is quarantined")
    v.set_defaults(func=_cmd_validate)

    pa = sub.add_parser("paths", help="discover paths: DFG, variants, journey matrix, "
                        "drop-offs (ends without --outcome)")
    pa.add_argument("events", help="event file (CSV, Parquet, XES, XES.gz, JSON lines, DuckDB)")
    add_mapping_flags(pa)
    pa.add_argument("--outcome", default="", help="journey outcome: a yes/no column, or "
                    "COLUMN=VALUE (default: looked up among converted, outcome, ...); without "
                    "one, ends.csv (where journeys end) replaces dropoffs.csv")
    pa.add_argument("--activity-coverage", type=float, default=1.0,
                    help="process map: share of events whose touchpoints are shown")
    pa.add_argument("--path-coverage", type=float, default=0.8,
                    help="process map: share of transitions whose edges are shown")
    pa.add_argument("--out", required=True, help="output folder")
    pa.set_defaults(func=_cmd_paths)

    pe = sub.add_parser("personas", help="cluster journeys into behavioural personas")
    pe.add_argument("events", help="event file (CSV, Parquet, XES, XES.gz, JSON lines, DuckDB)")
    add_mapping_flags(pe)
    pe.add_argument("--n-personas", type=_k, default="auto", metavar="N|auto",
                    help="number of personas, or auto (default) to choose it from the data")
    pe.add_argument("--method", choices=["auto", "markov", "kmeans", "agglomerative"],
                    default=PERSONA_DEFAULTS["method"],
                    help="auto (default): chosen from the data; markov: mixture of Markov "
                    "chains (how journeys move); kmeans, agglomerative: clusters of touchpoint "
                    "and transition counts (what they contain)")
    pe.add_argument("--k-min", type=int, default=PERSONA_DEFAULTS["k_range"][0],
                    help="smallest number of personas tried by auto")
    pe.add_argument("--k-max", type=int, default=PERSONA_DEFAULTS["k_range"][1],
                    help="largest number of personas tried by auto (widened when the choice "
                    "is the largest)")
    pe.add_argument("--stability-resamples", type=int, default=3,
                    help="refits on 80%% subsamples to measure stability (0 to skip)")
    pe.add_argument("--min-touchpoints", type=int, default=PERSONA_DEFAULTS["min_touchpoints"],
                    help="shorter journeys are too short to tell (persona -1)")
    pe.add_argument("--outcome", default="", help="journey outcome: a yes/no column, or "
                    "COLUMN=VALUE (default: looked up among converted, outcome, ...)")
    pe.add_argument("--random-state", type=int, default=PERSONA_DEFAULTS["random_state"],
                    help="random seed")
    pe.add_argument("--out", required=True, help="output folder")
    pe.set_defaults(func=_cmd_personas)

    dr = sub.add_parser("drivers", help="attribute satisfaction to touchpoints: irritants, "
                        "delights, moments of truth")
    dr.add_argument("events", help="event file (CSV, Parquet, XES, XES.gz, JSON lines, DuckDB)")
    add_mapping_flags(dr)
    dr.add_argument("--instrument", type=_survey, default="", metavar="ACTIVITY",
                    help="the survey whose answers are explained (default: the one with the "
                    "widest scale)")
    dr.add_argument("--controls", default="personas", metavar="personas|none|COLUMN",
                    help="fixed effects: personas found in the data (default), none, or a "
                    "journey-level column")
    dr.add_argument("--outcome", default="", help="journey outcome for the moments of truth: "
                    "a yes/no column, or COLUMN=VALUE (default: looked up)")
    dr.add_argument("--window", choices=["journey", "since_previous"], default="journey",
                    help="touchpoints that explain a score: all before it, or only those "
                    "since the journey's previous answer (for a CSAT)")
    dr.add_argument("--min-effect", type=float, default=None, metavar="POINTS",
                    help="smallest effect called an irritant or delight (default: 1%% of "
                    "the scale)")
    dr.add_argument("--boot", type=int, default=200, help="bootstrap resamples")
    dr.add_argument("--random-state", type=int, default=PERSONA_DEFAULTS["random_state"],
                    help="random seed")
    dr.add_argument("--out", required=True, help="output folder")
    dr.set_defaults(func=_cmd_drivers)

    d = sub.add_parser("demo", help="generate the default data and render every notebook")
    d.add_argument("--out", default="reports", help="folder for executed notebooks and HTML")
    d.add_argument("--customers", type=int, default=20_000, help="journeys in the default data")
    d.add_argument("--random-state", type=int, default=PERSONA_DEFAULTS["random_state"],
                   help="random seed (data and analyses)")
    d.add_argument("--notebooks", default="notebooks", help="folder of the notebooks")
    d.add_argument("--data", default="data/processed/default", help="default data folder")
    d.add_argument("--workers", type=int, default=2, help="notebooks run at a time")
    d.add_argument("--offline", action="store_true", help="HTML that needs no internet: the "
                   "widget JavaScript is written beside it")
    d.set_defaults(func=_cmd_demo)

    r = sub.add_parser("run", help="run one notebook as a study on any log: papermill, "
                       "parameters checked first, HTML rendered")
    r.add_argument("notebook", help="the notebook, e.g. notebooks/01_discover_paths.ipynb")
    r.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="a parameter (repeat); see them with papermill --help-notebook")
    r.add_argument("--out", required=True, help="folder for the executed notebook and HTML")
    r.add_argument("--no-html", action="store_true", help="skip the HTML rendering")
    r.add_argument("--offline", action="store_true", help="HTML that needs no internet: the "
                   "widget JavaScript is written beside it")
    r.set_defaults(func=_cmd_run)

    db = sub.add_parser("dashboard", help="serve the exploration notebooks as an app "
                        "(Voila, on 127.0.0.1 only)")
    db.add_argument("notebooks", nargs="*", help="notebooks to serve (default: 01, 02, 03)")
    db.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                    help="a parameter for the notebooks that take it (repeat)")
    db.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1")
    db.add_argument("--folder", default="reports/dashboard", help="where the parameterised "
                    "copies and their tables go")
    db.add_argument("--notebook-dir", default="notebooks", help="folder of the notebooks")
    db.set_defaults(func=_cmd_dashboard)

    fa = sub.add_parser("fetch-assets", help="set-up: fetch the widget JavaScript offline "
                        "reports ship (from the npm registry, checked by SHA-256)")
    fa.add_argument("--dest", default="", help="folder (default: the package's static/)")
    fa.set_defaults(func=_cmd_fetch_assets)
    for command in sub.choices.values():
        command.allow_abbrev = False
    return p


_FLAGS = {"case_id_key": "--case-id", "activity_key": "--activity",
          "timestamp_key": "--timestamp", "channel_key": "--channel", "stage_key": "--stage",
          "satisfaction_key": "--satisfaction", "outcome_column": "--outcome",
          "instruments=": "--instruments ", "satisfaction_scale=": "--satisfaction-scale ",
          "sep=": "--sep ", "timestamp_format=": "--timestamp-format "}


def _in_flags(message: str) -> str:
    """An error message in the command line's words: its flags, not the parameters."""
    import re

    for name, flag in _FLAGS.items():
        message = re.sub(rf"(?<![\w-]){re.escape(name)}", flag, message)
    return message


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (2 on a journeylab error)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except JourneylabError as exc:
        print(f"journeylab: error: {_in_flags(str(exc))}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
