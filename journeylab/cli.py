"""The ``journeylab`` command."""
from __future__ import annotations

import argparse
import sys
import time
from typing import Sequence

from .defaults import PERSONA_DEFAULTS
from .errors import InvalidInputError, JourneylabError
from .flags import (add_engine_flags, add_mapping_flags, engine_kwargs, flag_help,
                    mapping_kwargs, survey_flag)

__all__ = ["main"]


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
                       outcome_column=getattr(args, "outcome_column", ""),
                       segment_column=getattr(args, "segment_column", ""),
                       output_dir=args.out, **kw, **engine_kwargs(args))
    r = (study.log if study.engine_log is None else study.engine_log).report
    print(f"read {r.rows_in:,} rows: kept {r.rows_kept:,}, quarantined {r.rows_quarantined:,}"
          + ((f" (see {args.out}/quarantine.csv)" if hasattr(r, "write_quarantine") else
              " (" + ", ".join(f"{k} {v:,}" for k, v in r.reasons.items()) + ")")
             if r.rows_quarantined else "")
          + (f", set aside by lifecycle {r.rows_set_aside:,} (only completions kept; "
             "--lifecycle all keeps every event)" if getattr(r, "rows_set_aside", 0) else ""))
    for note in study.notes:
        print(f"  {note}")
    return study


def _report_written(written) -> None:
    for p in written:
        print(f"  wrote {p}")


def _cmd_paths(args: argparse.Namespace) -> int:
    from .paths import filter_dfg
    from .plot import plot_process_map, save_figure
    from .studies.steps import tabulate_paths, write_tables

    study = _read(args)
    tables = tabulate_paths(study, funnel_steps=args.funnel_steps, max_steps=args.max_steps)
    simple = filter_dfg(study.journeys, activity_coverage=args.activity_coverage,
                        path_coverage=args.path_coverage)
    written = write_tables(tables, study.out)
    written.append(save_figure(plot_process_map(simple), study.out / "process_map.svg"))
    print(f"{study.full_journeys.n_cases:,} journeys, {len(tables['dfg']):,} edges, "
          f"{len(tables['variants']):,} variants")
    _report_written(written)
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


def _cmd_personas(args: argparse.Namespace) -> int:
    from .personas import describe_stability
    from .plot import plot_persona_selection, save_figure
    from .studies.steps import tabulate_personas, write_tables

    study = _read(args)
    model, tables = tabulate_personas(study, method=args.method, n_personas=args.n_personas,
                                      k_min=args.k_min, k_max=args.k_max,
                                      min_touchpoints=args.min_touchpoints,
                                      stability_resamples=args.stability_resamples,
                                      compare=args.compare, random_state=args.random_state)
    written = write_tables(tables, study.out)
    if len(model.selection_) > 1:
        written.append(save_figure(plot_persona_selection(model.selection_)[0],
                                   study.out / "selection.svg"))
    profiles = tables["profiles"]
    told = profiles[profiles["persona"] >= 0]
    print(f"{study.journeys.n_cases:,} journeys, {len(told)} personas ({model.method_}, "
          f"random_state {args.random_state}); too short to tell: "
          f"{int((model.labels_ < 0).sum()):,}")
    for _, row in told.iterrows():
        print(f"  {row['persona']}: {row['name']} ({row['share']:.0%})")
    for note in model.notes_:
        print(f"note: {note}")
    if "stability" in tables:
        print(describe_stability(tables["stability"]))
    _report_written(written)
    return 0


def _cmd_drivers(args: argparse.Namespace) -> int:
    from .studies.steps import tabulate_drivers, write_tables

    study = _read(args)
    if not study.has("satisfaction"):
        raise InvalidInputError("journeylab drivers needs survey scores: name their column "
                                "with --satisfaction (and the surveys with --instruments).")
    drivers, tables = tabulate_drivers(study, instrument=args.instrument,
                                       controls=args.controls, personas_path=args.personas,
                                       window=args.window, min_effect=args.min_effect,
                                       n_boot=args.n_boot, level=args.level,
                                       random_state=args.random_state)
    written = write_tables(tables, study.out)
    (study.out / "assumptions.txt").write_text(drivers.assumptions + "\n", encoding="utf-8")
    written.append(study.out / "assumptions.txt")
    effects = tables["drivers"]
    print(f"{drivers.instrument_}: {int(effects['journeys_scored'].iloc[0]):,} journeys with "
          f"an answer; {int((effects['kind'] == 'irritant').sum())} irritants, "
          f"{int((effects['kind'] == 'delight').sum())} delights")
    _report_written(written)
    return 0


def _html_flags(parser: argparse.ArgumentParser) -> None:
    """How reports are written: offline by default (nothing loaded from the internet)."""
    parser.add_argument("--single-file", action="store_true", help="put everything the "
                        "HTML needs inside it: one file to e-mail")
    parser.add_argument("--cdn", action="store_true", help="load the Jupyter widget "
                        "JavaScript (for widgets other than journeylab's explorers) from a "
                        "public CDN instead of writing it beside the HTML")
    parser.add_argument("--offline", action="store_true", help=argparse.SUPPRESS)  # the default


def _cmd_demo(args: argparse.Namespace) -> int:
    from .studies.report import run_demo

    run_demo(out=args.out, customers=args.customers, random_state=args.random_state,
             notebooks=args.notebooks, data_dir=args.data, workers=args.workers,
             offline=not args.cdn, single_file=args.single_file)
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
                         offline=not args.cdn, single_file=args.single_file)
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
    add_engine_flags(pa)
    pa.add_argument("--outcome", dest="outcome_column", default="", metavar="COL[=VALUE]",
                    help=flag_help("outcome_column") + "; without one, dropoffs.csv holds where "
                    "journeys end")
    pa.add_argument("--segment", dest="segment_column", default="", metavar="COL",
                    help=flag_help("segment_column"))
    pa.add_argument("--funnel-steps", nargs="+", default=[], metavar="STEP",
                    help=flag_help("funnel_steps").replace("[]", "omitted"))
    pa.add_argument("--max-steps", type=int, default=8, help=flag_help("max_steps"))
    pa.add_argument("--activity-coverage", type=float, default=1.0,
                    help=flag_help("activity_coverage"))
    pa.add_argument("--path-coverage", type=float, default=0.8, help=flag_help("path_coverage"))
    pa.add_argument("--out", required=True, help="output folder")
    pa.set_defaults(func=_cmd_paths)

    pe = sub.add_parser("personas", help="cluster journeys into behavioural personas")
    pe.add_argument("events", help="event file (CSV, Parquet, XES, XES.gz, JSON lines, DuckDB)")
    add_mapping_flags(pe)
    add_engine_flags(pe)
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
    pe.add_argument("--compare", nargs=2, type=int, default=[0, 1], metavar=("A", "B"),
                    help=flag_help("compare"))
    pe.add_argument("--outcome", dest="outcome_column", default="", metavar="COL[=VALUE]",
                    help=flag_help("outcome_column"))
    pe.add_argument("--random-state", type=int, default=PERSONA_DEFAULTS["random_state"],
                    help="random seed")
    pe.add_argument("--out", required=True, help="output folder")
    pe.set_defaults(func=_cmd_personas)

    dr = sub.add_parser("drivers", help="attribute satisfaction to touchpoints: irritants, "
                        "delights, moments of truth")
    dr.add_argument("events", help="event file (CSV, Parquet, XES, XES.gz, JSON lines, DuckDB)")
    add_mapping_flags(dr)
    add_engine_flags(dr)
    dr.add_argument("--instrument", type=survey_flag, default="", metavar="ACTIVITY",
                    help="the survey whose answers are explained (default: the one with the "
                    "widest scale)")
    dr.add_argument("--controls", default="personas", metavar="personas|none|COLUMN",
                    help="fixed effects: personas found in the data (default), none, or a "
                    "journey-level column")
    dr.add_argument("--personas", default="", metavar="FILE",
                    help="assignments.csv written by journeylab personas (case_id, persona): "
                    "the personas for --controls personas (found here when omitted)")
    dr.add_argument("--outcome", dest="outcome_column", default="", metavar="COL[=VALUE]",
                    help=flag_help("outcome_column"))
    dr.add_argument("--window", choices=["journey", "since_previous"], default="journey",
                    help="touchpoints that explain a score: all before it, or only those "
                    "since the journey's previous answer (for a CSAT)")
    dr.add_argument("--min-effect", type=float, default=0.1, metavar="POINTS",
                    help=flag_help("min_effect"))
    dr.add_argument("--n-boot", type=int, default=200, help=flag_help("n_boot"))
    dr.add_argument("--level", type=float, default=0.95, help=flag_help("level"))
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
    _html_flags(d)
    d.set_defaults(func=_cmd_demo)

    r = sub.add_parser("run", help="run one notebook as a study on any log: papermill, "
                       "parameters checked first, HTML rendered")
    r.add_argument("notebook", help="the notebook, e.g. notebooks/01_discover_paths.ipynb")
    r.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="a parameter (repeat); see them with papermill --help-notebook")
    r.add_argument("--out", required=True, help="folder for the executed notebook and HTML")
    r.add_argument("--no-html", action="store_true", help="skip the HTML rendering")
    _html_flags(r)
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
