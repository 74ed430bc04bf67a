"""Write the committed notebooks from their cell sources (outputs empty).

Run ``python scripts/make_notebooks.py`` after editing a notebook's cells here; the tests
check that every committed notebook has no outputs and a ``parameters`` cell.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

from journeylab.defaults import PERSONA_DEFAULTS
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent.parent / "notebooks"

# The data and column-mapping parameters every notebook takes, then each notebook's own.
READ_PARAMS = '''events_path: str = "../data/sample/events.csv"  # event file: CSV, Parquet, XES(.gz), JSON lines
case_id_key: str = ""  # column holding the journey (customer) id; "" looks it up (case_id, case:concept:name, ...)
activity_key: str = ""  # column holding the touchpoint; "" looks it up (activity, concept:name, ...)
timestamp_key: str = ""  # column holding when it happened; "" looks it up (timestamp, time:timestamp, ...)
channel_key: str = ""  # column holding the channel; "" looks for channel (none if absent)
stage_key: str = ""  # column holding the journey stage; "" looks for stage (none if absent)
satisfaction_key: str = ""  # column holding survey scores; "" looks for satisfaction (none if absent)
instruments: dict = {}  # survey activity -> [low, high] scale; {} looks them up from the scores
catalogue_path: str = ""  # optional touchpoint catalogue CSV (activity, stage, channel)
pseudonymise: bool = True  # show keyed pseudonyms, not customer ids (key: $JOURNEYLAB_PSEUDONYM_KEY or ~/.config/journeylab/pseudonym.key)
min_customers: int = 5  # k-anonymity: hide table rows and map elements about fewer customers (1 shows all)
lifecycle: str = "auto"  # auto: with start/complete pairs keep the completions; complete; all keeps every event'''

#: The read parameters that :func:`journeylab.open_study` takes (the rest are checked only).
OPEN_NAMES = ("case_id_key", "activity_key", "timestamp_key", "channel_key", "stage_key",
              "satisfaction_key", "instruments", "catalogue_path", "outcome_column",
              "segment_column", "output_dir", "pseudonymise", "lifecycle")

SEED_PARAM = f'seed: int = {PERSONA_DEFAULTS["random_state"]}  # random seed for every random step'


def output_param(name: str) -> str:
    return f'output_dir: str = "../reports/{name}"  # where tables and figures are written'


def parameter_names(params: str) -> list[str]:
    """The names declared in a parameters cell (``name: type = value  # help``)."""
    return [line.split(":", 1)[0].strip() for line in params.splitlines()
            if line.strip() and not line.startswith((" ", "#"))]


def _call(head: str, args: list[str]) -> list[str]:
    """``head(arg, arg, ...)`` wrapped under 90 characters."""
    lines, line = [], head
    for part in args:
        if len(line) + len(part) > 88:
            lines.append(line.rstrip())
            line = " " * len(head)
        line += part + ", "
    lines.append(line.rstrip(", ") + ")")
    return lines


def read_cell(params: str) -> str:
    """The first code cell after the parameters: check them all (a bad one stops the run
    here, named, with its fix), then open the log the one way the command line does too."""
    names = parameter_names(params)
    check = _call("parameters = jl.check_parameters(", [f"{n}={n}" for n in names])
    opened = _call("study = jl.open_study(", ["events_path"] + [f"{n}={n}" for n in names
                                                                if n in OPEN_NAMES]
                   + ["parameters=parameters"])
    return ("from pathlib import Path\n\n"
            "import matplotlib.pyplot as plt\n"
            "import journeylab as jl\n\n"
            + "\n".join(check) + "\n"
            + "\n".join(opened) + "\n"
            "log, journeys, out = study.log, study.journeys, study.out\n"
            "# the report's one protection: every table, figure, map and explorer shown below shows\n"
            "# nothing about fewer than min_customers customers and no name met by fewer (1 shows all)\n"
            "jl.enable_report_display(min_customers=min_customers, log=log)\n")


def journeys_cell(params: str, setup: str = "") -> str:
    """The read cell of a notebook that studies journeys: open the study, then ``setup``,
    then what was read and looked up (the validation report and the notes)."""
    return (read_cell(params) + setup + "outcome, segment = study.outcome, study.segment\n"
            "study")


# Every notebook ends with what its results came from: input hashes, parameters, versions.
def provenance_cells() -> list:
    return [new_markdown_cell("## Provenance\n\nWhat these results came from, also written "
                              "as `provenance.json` beside the tables: each input file's "
                              "SHA-256, the parameters and the package versions."),
            new_code_cell("jl.record_provenance(parameters, out)")]

# The last table cell of every notebook: write its `tables` dict as CSV, list what is there.
WRITE_TABLES = ("for name, table in tables.items():\n"
                "    jl.write_table(table, out / name)\n"
                "sorted(p.name for p in out.iterdir())")

PARAMS_COMMON = "\n".join([READ_PARAMS, output_param("00_quick_tour"), SEED_PARAM])


def quick_tour() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(
            "# A quick tour of journeylab\n\n"
            "Load a customer event log, see what validation found, and get a first feel for the "
            "journeys. Runs top to bottom on the bundled synthetic sample; change the "
            "parameters below (or pass them with papermill) to use your own log."),
        new_code_cell(PARAMS_COMMON, metadata={"tags": ["parameters"]}),
        new_markdown_cell(
            "## Load and validate\n\n"
            "Rows that cannot be used are quarantined with a reason, never dropped silently: "
            "rows in = rows kept + rows quarantined (+ rows set aside by the lifecycle choice)."),
        new_code_cell(read_cell(PARAMS_COMMON) + "study"),
        new_code_cell("jl.describe_log(log)"),
        new_markdown_cell("## Journeys\n\nOne row per journey: how long, how many touchpoints, "
                          "and the attributes that stay constant within it."),
        new_code_cell("cases = log.case_table()\n"
                      "# single journeys are about one customer each: shown only when min_customers is 1\n"
                      "cases.head(10) if min_customers <= 1 else cases.describe()"),
        new_code_cell("ax = jl.plot_journey_lengths(cases)\n"
                      "jl.save_figure(ax, out / 'journey_lengths.png');"),
        new_code_cell("log.report.findings_frame().to_csv(out / 'validation_findings.csv', "
                      "index=False)\njl.describe_log(log).astype({'value': str}).to_csv("
                      "out / 'summary.csv', index=False)"),
        new_markdown_cell(
            "## Next\n\n"
            "* `01_discover_paths`: the paths customers actually take.\n"
            "* `02_personas`: behavioural personas.\n"
            "* `03_satisfaction_drivers`: which touchpoints move satisfaction."),
    ]
    return _notebook(cells)


PARAMS_PATHS = "\n".join([READ_PARAMS, '''outcome_column: str = ""  # journey outcome: a yes/no column, or a column, an equals sign and the value that counts; "" looks for converted/outcome
segment_column: str = ""  # journey-level column to break down and compare by; "" looks for segment (none if absent)
designed_journey: list = []  # the intended journey, touchpoints in order; [] skips conformance
funnel_steps: list = []  # funnel steps (stages or touchpoints); [] for the stages in order
activity_coverage: float = 1.0  # process map: share of events whose touchpoints are shown
path_coverage: float = 0.8  # process map: share of transitions whose edges are shown
min_edge_share: float = 0.01  # process map: hide edges below this share of their ends' flow
variant_coverage: float = 0.5  # share of journeys the top variants and the process model cover
max_steps: int = 8  # steps shown in the step matrix''', output_param("01_discover_paths"), SEED_PARAM])


def discover_paths() -> nbformat.NotebookNode:
    md, code = new_markdown_cell, new_code_cell
    cells = [
        md("# Discover the paths customers actually take\n\n"
           "Which paths did customers really take, where do they detour, hairpin back, wait, "
           "or leave? A process map with frequency and time, the variants, a process model, "
           "conformance to the designed journey, the stage x channel journey map, funnels, "
           "loops, drop-offs and dead points. Every table shown is also written as CSV to "
           "`output_dir`."),
        code(PARAMS_PATHS, metadata={"tags": ["parameters"]}),
        code(journeys_cell(PARAMS_PATHS)),
        code("jl.describe_log(journeys)"),
        md("## Process map\n\nEdge thickness follows how many journeys take a transition; "
           "the sliders of the explorer at the end of this notebook simplify the map the way "
           "Disco does. First by frequency (edge labels: journeys), then by time (edge labels: "
           "median time between the two touchpoints; darker red is slower)."),
        code("dfg = jl.filter_dfg(journeys, activity_coverage=activity_coverage,\n"
             "                   path_coverage=path_coverage, min_edge_share=min_edge_share,\n"
             "                   min_cases=min_customers)\n"
             "frequency_map = jl.plot_process_map(dfg, mode='frequency')\n"
             "jl.save_figure(frequency_map, out / 'process_map_frequency.svg')\n"
             "frequency_map"),
        code("time_map = jl.plot_process_map(dfg, mode='time')\n"
             "jl.save_figure(time_map, out / 'process_map_time.svg')\n"
             "time_map"),
        code("full_dfg = jl.discover_dfg(journeys)\n"
             "jl.protect(full_dfg.edges, k=min_customers).head(15)"),
        md("## Variants\n\nEach distinct ordered path, with how many journeys take it."),
        code("variants = jl.get_variants(journeys, outcome=outcome)\n"
             "top = jl.cover_variants(variants, variant_coverage)\n"
             "print(f'{len(variants):,} variants; the top {len(top):,} cover '\n"
             "      f'{top[\"share\"].sum():.0%} of {journeys.n_cases:,} journeys')\n"
             "jl.protect(variants, k=min_customers).head(15)"),
        code("shown_variants = variants[variants['cases'] >= min_customers]\n"
             "jl.save_figure(jl.plot_variants(shown_variants, top=15), out / 'variants.png');"),
        md("## Process model\n\nDiscovered by pm4py's inductive miner from the most frequent "
           "variants (on journey data a model of every path is a 'flower' that allows "
           "anything)."),
        code("model = jl.discover_process_model(journeys, coverage=variant_coverage)\n"
             "print(model.method, f'from variants covering {model.coverage:.0%} of journeys')\n"
             "bpmn = jl.plot_process_model(model, notation='bpmn')\n"
             "jl.save_figure(bpmn, out / 'process_model_bpmn.svg')\n"
             "bpmn"),
        md("## Conformance to the designed journey\n\nEvery journey aligned with the journey "
           "as designed: which steps customers skip, and which touchpoints they add."),
        code("conformance = None\n"
             "if study.ready('Conformance', 'design'):\n"
             "    conformance = jl.check_conformance(journeys, list(designed_journey))\n"
             "    print(f'{conformance.conforming_share:.1%} of checked journeys follow the design '\n"
             "          f'exactly; mean fitness {conformance.journeys[\"fitness\"].mean():.2f} '\n"
             "          f'({conformance.checked_share:.0%} of journeys checked)')\n"
             "    display(jl.protect(conformance.deviations, k=min_customers).head(15))"),
        md("## The journey map: stages x channels\n\nVolume, customers, satisfaction and "
           "drop-off rate of each stage x channel cell (with no outcome: the share of "
           "journeys that end there)."),
        code("matrix = None\n"
             "if study.ready('The journey map', 'stage', 'channel'):\n"
             "    matrix = jl.journey_matrix(journeys, outcome=outcome)\n"
             "    display(jl.protect(matrix, k=min_customers))\n"
             "    for value in ['customers', matrix.attrs['rate']] + (['mean_satisfaction'] if 'mean_satisfaction' in matrix else []):\n"
             "        ax = jl.plot_journey_matrix(matrix[matrix['customers'] >= min_customers], value=value)\n"
             "        jl.save_figure(ax, out / f'journey_matrix_{value}.png')\n"
             "        plt.show()"),
        md("## Funnel"),
        code("if funnel_steps:  # stages when every step is one, else touchpoints\n"
             "    steps = list(funnel_steps)\n"
             "    level = 'stage' if study.has('stage') and set(steps) <= set(jl.stage_order(journeys)) else 'activity'\n"
             "else:\n"
             "    steps, level = jl.default_funnel_steps(journeys)\n"
             "funnel = jl.compute_funnel(journeys, steps, level=level, by=segment)\n"
             "jl.save_figure(jl.plot_funnel(funnel[funnel['customers'] >= min_customers]), out / 'funnel.png')\n"
             "jl.protect(funnel, k=min_customers)"),
        md("## Step by step\n\nWhere journeys are at each step (share of all journeys)."),
        code("steps_table = jl.step_matrix(journeys, max_steps=max_steps)\n"
             "# cells under min_customers journeys are left blank\n"
             "jl.save_figure(jl.plot_step_matrix(steps_table, min_share=max(0.01, min_customers / journeys.n_cases)),\n"
             "               out / 'step_matrix.png');"),
        md("## Loops, rework and channel switches"),
        code("loops = jl.find_loops(journeys)\n"
             "jl.protect(loops, k=min_customers).head(10)"),
        code("jl.journey_rework(journeys).describe()"),
        md("## Drop-off points and dead points\n\nWhere journeys end without the outcome "
           "(with no outcome, only where they end: a normal end is not a drop-off), and the "
           "transitions with the longest waits."),
        code("if not study.ready('Drop-offs', 'outcome'):\n"
             "    print('Shown instead: where journeys end (a normal end is not a drop-off).')\n"
             "dropoffs = jl.find_dropoffs(journeys, outcome=outcome)\n"
             "jl.protect(dropoffs, k=min_customers, count='reach').head(10)"),
        code("dead = jl.find_dead_points(journeys)\n"
             "jl.protect(dead[['source', 'target', 'cases', 'median_wait', 'p90_s', 'share_of_journeys']], k=min_customers)"),
        md("## Compare\n\nTwo segments side by side, or the first and second half of the "
           "period when no segment is given."),
        code("values = []\n"
             "if segment:  # two segments of min_customers+ journeys each\n"
             "    sizes = journeys.case_table()[segment].dropna().astype(str).value_counts()\n"
             "    values = sorted(sizes[sizes >= min_customers].index)[:2]\n"
             "if len(values) == 2:\n"
             "    a, b = (journeys.filter_attribute(segment, [v], level='cases') for v in values)\n"
             "    labels = tuple(values)\n"
             "else:\n"
             "    middle = journeys.events['timestamp'].min() + (journeys.events['timestamp'].max() - journeys.events['timestamp'].min()) / 2\n"
             "    a, b = journeys.filter_time(end=middle, how='started'), journeys.filter_time(start=middle, how='started')\n"
             "    labels = ('first half', 'second half')\n"
             "comparison = jl.compare_logs(a, b, labels=labels)\n"
             "display(comparison['kpis'])\n"
             "jl.protect(comparison['edges'], k=min_customers).head(10)"),
        md("## Explore\n\nMove the sliders: the map, the variants and the funnel follow. "
           "Each explorer's `.data()` returns the numbers it shows."),
        code("jl.ProcessMapExplorer(journeys, segment=segment, path_coverage=path_coverage,\n"
             "                      min_customers=min_customers)"),
        code("jl.VariantExplorer(journeys, outcome=outcome, coverage=variant_coverage,\n"
             "                   min_customers=min_customers)"),
        code("jl.FunnelBuilder(journeys, steps=steps, level=level, segments=[segment] if segment else [],\n"
             "                 min_customers=min_customers)"),
        md("## Tables written"),
        code("tables = {'dfg.csv': full_dfg.edges, 'nodes.csv': full_dfg.nodes,\n"
             "          'variants.csv': variants, 'funnel.csv': funnel, 'loops.csv': loops,\n"
             "          'dropoffs.csv': dropoffs, 'dead_points.csv': dead.drop(columns='median_wait'),\n"
             "          'step_matrix.csv': steps_table.reset_index()}\n"
             "if matrix is not None:\n"
             "    tables['journey_matrix.csv'] = matrix\n"
             + WRITE_TABLES),
    ]
    return _notebook(cells)


PARAMS_PERSONAS = "\n".join([READ_PARAMS, '''outcome_column: str = ""  # journey outcome: a yes/no column, or a column, an equals sign and the value that counts; "" looks for converted/outcome
method: str = "{method}"  # auto (chosen from the data), markov (how journeys move), kmeans or agglomerative (what they contain)
n_personas: str = "{n_personas}"  # number of personas, or "auto" to choose it from the data
k_min: int = {k_range[0]}  # smallest number of personas tried by "auto"
k_max: int = {k_range[1]}  # largest number of personas tried by "auto" (widened when the choice is the largest)
min_touchpoints: int = {min_touchpoints}  # journeys with fewer touchpoints are too short to tell
stability_resamples: int = 3  # refits on 80% subsamples to measure stability (0 to skip)
compare: list = [0, 1]  # two personas to compare side by side
truth_path: str = ""  # planted personas (case_id, persona) to check against; "" if none'''.format(**PERSONA_DEFAULTS),
                             output_param("02_personas"), SEED_PARAM])


def personas() -> nbformat.NotebookNode:
    md, code = new_markdown_cell, new_code_cell
    cells = [
        md("# Behavioural personas\n\n"
           "Customers who behave alike should be studied together. This notebook groups "
           "journeys into personas, shows how many personas the data supports, profiles each "
           "one (size, typical paths, channels, outcome, satisfaction, what sets it apart), "
           "draws its process map, compares two of them and checks that the personas are "
           "stable. The default method is a mixture of Markov chains: it groups journeys by "
           "how they move from touchpoint to touchpoint. Journeys with fewer than "
           "`min_touchpoints` touchpoints are *too short to tell* (persona -1): one ad seen "
           "and nothing else could belong to anyone."),
        code(PARAMS_PERSONAS, metadata={"tags": ["parameters"]}),
        code(journeys_cell(PARAMS_PERSONAS, "import numpy as np\n"
                                             "import pandas as pd\n"
                                             "k = n_personas if str(n_personas) == 'auto' else int(n_personas)\n")),
        md("## How many personas, and which kind?\n\nTwo kinds of model can group journeys: "
           "a mixture of Markov chains (`markov`: how journeys move from touchpoint to "
           "touchpoint) and k-means on what journeys contain (`kmeans`: touchpoints and "
           "consecutive pairs). Each number of personas in the range is fitted; for the "
           "mixture ICL picks one (lower is better), for k-means the silhouette and the "
           "stability do (higher is better). With `method = \"auto\"` the data decides: the "
           "mixture is kept when there are enough journeys to learn a chain per persona (1,000 "
           "long enough to tell, and 40 per touchpoint), they move like walks (*path "
           "memory*: knowing the touchpoint before the last barely helps to predict the next "
           "one, under 0.15 nats per step) and its ICL settles at a number inside the range. "
           "When journeys follow a few fixed paths with detours, are too few, or more chains "
           "keep fitting better, k-means is kept. The reason is printed below and the evidence of both is in the table. No "
           "persona is left under 2% of the journeys long enough to tell: a smaller one "
           "joins the personas closest to its journeys. When the choice sits at the top of "
           "the range, the range is widened and a note says so."),
        code("import warnings\n"
             "with warnings.catch_warnings():  # the same notes are printed below\n"
             "    warnings.simplefilter('ignore', jl.PersonaWarning)\n"
             "    model = jl.find_personas(journeys, method=method, n_personas=k,\n"
             "                             min_touchpoints=min_touchpoints, random_state=seed,\n"
             "                             k_range=(k_min, k_max))\n"
             "told = model.labels_ != jl.TOO_SHORT\n"
             "print(f'{model.n_personas_} personas ({model.method_}); {told.mean():.0%} of '\n"
             "      f'{journeys.n_cases:,} journeys are long enough to tell')\n"
             "for note in model.notes_:\n"
             "    print(note)\n"
             "if len(model.selection_) > 1:\n"
             "    jl.save_figure(jl.plot_persona_selection(model.selection_)[0], out / 'selection.png')\n"
             "model.selection_"),
        md("## Who they are\n\nOne row per persona. `distinctive`: the touchpoints its "
           "journeys meet far more often than other personas' (lift); `name` is generated "
           "from its channels."),
        code("profiles = jl.profile_personas(journeys, model, outcome=outcome)\n"
             "names = dict(zip(profiles['persona'], profiles['name']))\n"
             "jl.protect(profiles, k=min_customers)"),
        code("reach = jl.persona_reach(journeys, model)\n"
             "jl.save_figure(jl.plot_persona_reach(reach, names=names), out / 'persona_reach.png');"),
        md("## Each persona's process map\n\nThe paths of each persona's journeys "
           "(edges covering 80% of its transitions, without edges under 2% of their ends' "
           "flow)."),
        code("from html import escape\n"
             "from IPython.display import HTML\n"
             "for p in profiles.loc[profiles['persona'] != jl.TOO_SHORT, 'persona']:\n"
             "    display(HTML(f'<h3>{p}: {escape(str(names[p]))}</h3>'))  # names come from the data\n"
             "    persona_dfg = jl.filter_dfg(jl.select_persona(journeys, model, p), path_coverage=0.8,\n"
             "                                min_edge_share=0.02, min_cases=min_customers)\n"
             "    if persona_dfg.nodes.empty:  # every path of it is under min_customers journeys\n"
             "        print(f'No touchpoint of this persona is met by {min_customers} or more of its journeys: no map.')\n"
             "        continue\n"
             "    persona_map = jl.plot_process_map(persona_dfg)\n"
             "    jl.save_figure(persona_map, out / f'process_map_persona_{p}.svg')\n"
             "    display(persona_map)"),
        md("## Two personas side by side"),
        code("a, b = compare\n"
             "comparison = jl.compare_personas(journeys, model, a, b, outcome=outcome)\n"
             "print(f'a = {a}: {names[a]}    b = {b}: {names[b]}')\n"
             "comparison"),
        md("## Where journeys sit\n\nEvery journey placed by what it contains (its two main "
           "axes), coloured by persona."),
        code("embedding = jl.embed_journeys(journeys, model, random_state=seed)\n"
             "jl.save_figure(jl.plot_persona_embedding(embedding, names=names, min_customers=min_customers),\n"
             "               out / 'embedding.png');"),
        md("## Are the personas stable?\n\nThe model is refitted on random 80% subsamples "
           "of the journeys; each refit assigns every journey again. The adjusted Rand index "
           "compares the assignments: 1 means the same personas."),
        code("if stability_resamples:\n"
             "    stability = jl.persona_stability(model, journeys, n_resamples=stability_resamples,\n"
             "                                     random_state=seed)\n"
             "    print(jl.describe_stability(stability))\n"
             "    display(stability)\n"
             "else:\n"
             "    stability = None"),
        md("## Against planted personas\n\nThe synthetic data knows every journey's true "
           "persona; real logs usually do not (`truth_path = \"\"`)."),
        code("if study.ready('The check against planted personas', 'truth'):\n"
             "    from sklearn.metrics import adjusted_rand_score\n"
             "    truth = pd.read_csv(truth_path, dtype=str)\n"
             "    if pseudonymise:  # the log's ids are pseudonyms: match them\n"
             "        truth['case_id'] = jl.pseudonymise(truth['case_id'])\n"
             "    truth = truth.set_index('case_id')['persona']\n"
             "    planted = truth.reindex(journeys.cases.astype(str)).to_numpy()\n"
             "    known = told & pd.notna(planted)\n"
             "    print(f'adjusted Rand index against the planted personas: '\n"
             "          f'{adjusted_rand_score(planted[known], model.labels_[known]):.3f} '\n"
             "          f'over {known.sum():,} journeys long enough to tell')\n"
             "    display(pd.crosstab(pd.Series(planted[known], name='planted'),\n"
             "                        pd.Series(model.labels_[known], name='found')))"),
        md("## Explore\n\nPick a persona: its profile, map, most common paths and example "
           "journeys. `.data()` returns the numbers shown."),
        code("jl.PersonaExplorer(journeys, model.labels_, profiles=profiles, outcome=outcome,\n"
             "                   min_customers=min_customers, random_state=seed)"),
        md("## Tables written"),
        code("tables = {'assignments.csv': jl.label_journeys(journeys, model, profiles),\n"
             "          'profiles.csv': profiles, 'selection.csv': model.selection_,\n"
             "          'persona_reach.csv': reach.reset_index(), 'comparison.csv': comparison}\n"
             "if stability is not None:\n"
             "    tables['stability.csv'] = stability\n"
             + WRITE_TABLES),
    ]
    return _notebook(cells)


PARAMS_DRIVERS = "\n".join([READ_PARAMS, '''target_instrument: str = ""  # the survey whose answers are explained; "" takes the one with the widest scale
csat_instrument: str = ""  # a survey answered several times per journey, for the drops; "" looks one up
controls: str = "personas"  # fixed effects: personas, none, or a journey-level column
personas_path: str = ""  # assignments.csv written by 02_personas (case_id, persona) for the personas; "" to find them here
window: str = "journey"  # touchpoints that explain a score: journey (all before it) or since_previous (since the last answer, for a CSAT)
min_effect: float = 0.1  # smallest effect worth calling an irritant or delight, in points of the target's scale
outcome_column: str = ""  # journey outcome for moments of truth: a yes/no column, or a column, an equals sign and the value that counts; "" looks it up
n_boot: int = 200  # bootstrap resamples for the intervals
level: float = 0.95  # confidence level of the intervals
examples: int = 3  # journeys whose score gap is decomposed as examples''',
                            output_param("03_satisfaction_drivers"), SEED_PARAM])


def satisfaction_drivers() -> nbformat.NotebookNode:
    md, code = new_markdown_cell, new_code_cell
    cells = [
        md("# Which touchpoints move satisfaction\n\n"
           "Satisfaction where it is measured (by touchpoint, stage and journey-map cell), "
           "where it drops between two answers of the same journey, then each touchpoint's "
           "effect on the target score, adjusted for persona, with bootstrap intervals: the "
           "irritants to fix and the delights to extend. Then the moments of truth and the "
           "Markov removal effects on the outcome. Every section needs survey scores "
           "(`satisfaction_key`) except the last, which needs an outcome."),
        code(PARAMS_DRIVERS, metadata={"tags": ["parameters"]}),
        code(journeys_cell(PARAMS_DRIVERS, "import pandas as pd\n")),
        md("## Satisfaction where it is measured\n\nEach answer is credited to the touchpoint "
           "just before it (the contact it rates), with a t interval; NPS in points for 0-10 "
           "surveys."),
        code("scored = study.ready('Satisfaction', 'satisfaction')\n"
             "by_touchpoint = jl.satisfaction_by(log, by='touchpoint', level=level) if scored else None\n"
             "jl.protect(by_touchpoint, k=min_customers) if scored else None"),
        code("if scored and study.has('stage'):\n"
             "    display(jl.protect(jl.satisfaction_by(log, by='stage', level=level), k=min_customers))"),
        md("## Where satisfaction drops\n\nFor two answers of the same survey in one journey, "
           "the change in score is credited to every touchpoint between them."),
        code("drops = None\n"
             "if study.ready('Drops between answers', 'repeated survey'):\n"
             "    drops = jl.satisfaction_drops(log, instrument=study.repeated_survey, level=level)\n"
             "    display(jl.protect(drops, k=min_customers).head(10))"),
        md("## Controls\n\nPersonas (or a segment) as fixed effects: a persona with a low "
           "baseline that meets an irritant more often would otherwise make the irritant look "
           "worse than it is."),
        code("control_values = None\n"
             "if not scored:\n"
             "    pass\n"
             "elif controls == 'personas' and personas_path:  # the personas 02_personas found\n"
             "    assigned = pd.read_csv(personas_path, dtype={'case_id': str})\n"
             "    control_values = assigned.set_index('case_id')['persona']\n"
             "    print(f'{control_values[control_values >= 0].nunique()} personas from {Path(personas_path).name}')\n"
             "elif controls == 'personas':\n"
             "    import warnings\n"
             "    with warnings.catch_warnings():  # the same notes are printed below\n"
             "        warnings.simplefilter('ignore', jl.PersonaWarning)\n"
             "        persona_model = jl.find_personas(journeys, random_state=seed)\n"
             "    control_values = pd.Series(persona_model.labels_, index=journeys.cases.astype(str))\n"
             "    print(f'{persona_model.n_personas_} personas ({persona_model.method_}) as controls')\n"
             "    print('\\n'.join(persona_model.notes_))\n"
             "elif controls != 'none':\n"
             "    control_values = controls"),
        md("## Each touchpoint's effect\n\nBars: the adjusted effect on the target score with "
           "its interval; hollow markers: the naive gap (journeys that met the touchpoint minus "
           "those that did not, unadjusted). Hatched: not separable (other touchpoints "
           "determine it)."),
        code("drivers = irritants = None\n"
             "if study.ready('Touchpoint effects', 'satisfaction'):\n"
             "    drivers = jl.attribute_satisfaction(log, instrument=target_instrument or None,\n"
             "                                        controls=control_values, window=window,\n"
             "                                        n_boot=n_boot, level=level,\n"
             "                                        min_effect=min_effect, random_state=seed)\n"
             "    print(drivers.assumptions)\n"
             "    jl.save_figure(jl.plot_drivers(drivers.effects), out / 'drivers.png')\n"
             "    plt.show()\n"
             "    display(jl.protect(drivers.effects, k=min_customers))"),
        md("## Irritants and delights"),
        code("if drivers is not None:\n"
             "    irritants = jl.rank_irritants(drivers)\n"
             "    display(jl.format_table(jl.protect(irritants, k=min_customers),\n"
             "                            formats={'effect': '{:+.2f}', 'ci_low': '{:+.2f}', 'ci_high': '{:+.2f}'}))"),
        md("## Before and after the worst irritant\n\nIn the journeys that met it, the "
           "repeated survey's answers numbered from that touchpoint: -1 is the last answer "
           "before it, 1 the first after."),
        code("worst = [] if irritants is None else list(irritants.loc[irritants['kind'] == 'irritant', 'touchpoint'].head(1))\n"
             "if study.ready('Scores before and after', 'repeated survey') and not worst:\n"
             "    print('Scores before and after: skipped; no touchpoint was found to be an irritant.')\n"
             "elif worst:\n"
             "    trajectory = jl.score_trajectory(log, worst[0], instrument=study.repeated_survey, level=level)\n"
             "    jl.save_figure(jl.plot_score_trajectory(trajectory, touchpoint=worst[0]),\n"
             "                   out / 'trajectory.png')"),
        md("## Explore\n\nPick a touchpoint: its effect in each control group, the scores "
           "before and after it, what fixing "
           "it for a share of its journeys would do to the score (the slider), and example "
           "journeys that met it. `.data()` returns the numbers shown."),
        code("jl.DriverExplorer(drivers, log, min_customers=min_customers, random_state=seed) \\\n"
             "    if drivers is not None else None"),
        md("## The gap, explained\n\nEach scored journey's fitted score minus the "
           "average journey's, split into touchpoints and persona (the parts sum exactly to "
           "the gap): single journeys when `min_customers` is 1, else the unhappiest tenth "
           "of journeys together."),
        code("if drivers is not None:\n"
             "    parts = jl.decompose_satisfaction(drivers, log)\n"
             "    gap = parts.attrs['gap']\n"
             "    if min_customers <= 1:  # single journeys\n"
             "        worst_journeys = gap.nsmallest(examples).index\n"
             "        display(parts[parts['case_id'].isin(worst_journeys)].sort_values(['case_id', 'contribution']))\n"
             "    else:  # a shared report: the unhappiest journeys together, never fewer than min_customers\n"
             "        worst_journeys = gap.nsmallest(max(examples, min_customers, len(gap) // 10)).index\n"
             "        mean_parts = (parts[parts['case_id'].isin(worst_journeys)].groupby('factor')['contribution']\n"
             "                      .sum().div(len(worst_journeys)).sort_values())\n"
             "        print(f'the {len(worst_journeys):,} journeys furthest below the average: mean gap '\n"
             "              f'{gap[worst_journeys].mean():+.2f}, made of')\n"
             "        display(mean_parts.to_frame('mean contribution'))"),
        md("## Moments of truth and removal effects\n\nThe touchpoints after which the "
           "outcome diverges most, and each touchpoint's Markov removal effect on it."),
        code("moments = removal = None\n"
             "if study.ready('Moments of truth', 'outcome'):\n"
             "    moments = jl.moments_of_truth(journeys, outcome=outcome)\n"
             "    removal = jl.removal_effects(journeys, outcome=outcome)\n"
             "    display(jl.protect(moments, k=min_customers).head(10))\n"
             "    display(removal.head(10))"),
        md("## Tables written"),
        code("tables = {}\n"
             "if drivers is not None:\n"
             "    tables.update({'drivers.csv': drivers.effects, 'irritants.csv': irritants})\n"
             "    (out / 'assumptions.txt').write_text(drivers.assumptions + '\\n')\n"
             "if by_touchpoint is not None:\n"
             "    tables['satisfaction_by_touchpoint.csv'] = by_touchpoint\n"
             "if drops is not None:\n"
             "    tables['drops.csv'] = drops\n"
             "if moments is not None:\n"
             "    tables['moments_of_truth.csv'] = moments\n"
             "    tables['removal_effects.csv'] = removal\n"
             + WRITE_TABLES),
    ]
    return _notebook(cells)


def _notebook(cells) -> nbformat.NotebookNode:
    nb = new_notebook(cells=[*cells, *provenance_cells()])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for name, build in {"00_quick_tour.ipynb": quick_tour,
                        "01_discover_paths.ipynb": discover_paths,
                        "02_personas.ipynb": personas,
                        "03_satisfaction_drivers.ipynb": satisfaction_drivers}.items():
        nb = build()
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"{Path(name).stem}-{i}"
        nbformat.write(nb, HERE / name)
        print(f"wrote {HERE / name}")


if __name__ == "__main__":
    main()
