# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Discover the paths customers actually take
#
# Which paths did customers really take, where do they detour, hairpin back, wait, or leave? A process map with frequency and time, the variants, a process model, conformance to the designed journey, the stage x channel journey map, funnels, loops, drop-offs and dead points. Every table shown is also written as CSV to `output_dir`.

# %% tags=["parameters"]
events_path: str = "../data/sample/events.csv"  # event file: CSV, Parquet, XES(.gz), JSON lines
case_id_key: str = ""  # column holding the journey (customer) id; "" looks it up (case_id, case:concept:name, ...)
activity_key: str = ""  # column holding the touchpoint; "" looks it up (activity, concept:name, ...)
timestamp_key: str = ""  # column holding when it happened; "" looks it up (timestamp, time:timestamp, ...)
channel_key: str = ""  # column holding the channel; "" looks for channel (none if absent)
stage_key: str = ""  # column holding the journey stage; "" looks for stage (none if absent)
satisfaction_key: str = ""  # column holding survey scores; "" looks for satisfaction (none if absent)
instruments: dict = {}  # survey activity -> [low, high] scale; {} looks them up from the scores
catalogue_path: str = ""  # optional touchpoint catalogue CSV (activity, stage, channel)
engine: str = "memory"  # where the heavy passes run: memory (logs that fit), duckdb (out of core: files larger than memory) or spark
memory_limit: str = ""  # engine duckdb: its memory cap, e.g. 8GB, past which it spills to disk; "" for DuckDB's own
spark_url: str = ""  # engine spark: a Spark Connect URL such as sc://host:15002; "" starts a local session
sample_journeys: int = 200000  # engine duckdb or spark: journeys read into memory for the tables and figures that need them
pseudonymise: bool = True  # show keyed pseudonyms, not customer ids (key: $JOURNEYLAB_PSEUDONYM_KEY or ~/.config/journeylab/pseudonym.key)
min_customers: int = 5  # k-anonymity: hide table rows and map elements about fewer customers (1 shows all)
lifecycle: str = "auto"  # auto: with start/complete pairs keep the completions; complete; all keeps every event
outcome_column: str = ""  # journey outcome: a yes/no column, or a column, an equals sign and the value that counts; "" looks for converted/outcome
segment_column: str = ""  # journey-level column to break down and compare by; "" looks for segment (none if absent)
designed_journey: list = []  # the intended journey, touchpoints in order; [] skips conformance
funnel_steps: list = []  # funnel steps (stages or touchpoints); [] for the stages in order
activity_coverage: float = 1.0  # process map: share of events whose touchpoints are shown
path_coverage: float = 0.8  # process map: share of transitions whose edges are shown
min_edge_share: float = 0.01  # process map: hide edges below this share of their ends' flow
variant_coverage: float = 0.5  # share of journeys the top variants and the process model cover
max_steps: int = 8  # steps shown in the step matrix
sankey_steps: int = 5  # steps of the journeys the Sankey diagram shows
output_dir: str = "../reports/01_discover_paths"  # where tables and figures are written
random_state: int = 0  # random seed for every random step

# %%
import matplotlib.pyplot as plt
import journeylab as jl

study = jl.open_study(**jl.study_parameters(globals()))
# the report's one protection: nothing shown below is about fewer than min_customers customers
jl.enable_report_display(min_customers=min_customers, log=study.log)
journeys, out, outcome, segment = study.journeys, study.out, study.outcome, study.segment
study

# %% [markdown]
# The tables of this study, made the way `journeylab paths` makes them (the sections below show them, and the end writes them).

# %%
tables = jl.tabulate_paths(study, funnel_steps=funnel_steps, max_steps=max_steps)

# %%
jl.describe_log(journeys)

# %% [markdown]
# ## Process map
#
# Edge thickness follows how many journeys take a transition; the sliders of the explorer at the end of this notebook simplify the map the way Disco does. First by frequency (edge labels: journeys), then by time (edge labels: median time between the two touchpoints; darker red is slower).

# %%
dfg = jl.filter_dfg(journeys, activity_coverage=activity_coverage,
                   path_coverage=path_coverage, min_edge_share=min_edge_share,
                   min_customers=min_customers)
frequency_map = jl.plot_process_map(dfg, mode='frequency')
jl.save_figure(frequency_map, out / 'process_map_frequency.svg')
frequency_map

# %%
time_map = jl.plot_process_map(dfg, mode='time')
jl.save_figure(time_map, out / 'process_map_time.svg')
time_map

# %%
jl.protect(tables['dfg'], min_customers=min_customers).head(15)

# %% [markdown]
# ## Variants
#
# Each distinct ordered path, with how many journeys take it.

# %%
variants = tables['variants']
top = jl.cover_variants(variants, variant_coverage)
print(f'{len(variants):,} variants; the top {len(top):,} cover '
      f'{top["share"].sum():.0%} of {journeys.n_cases:,} journeys')
jl.protect(variants, min_customers=min_customers).head(15)

# %%
shown_variants = variants[variants['cases'] >= min_customers]
jl.save_figure(jl.plot_variants(shown_variants, top=15), out / 'variants.png');

# %% [markdown]
# ## The first steps, as flows
#
# Where journeys go from each of their first steps, and how many stop there (grey, *drop-off*). At each step the eight touchpoints most journeys are at keep their name, the others are *(other)*; links of fewer than `min_customers` journeys are merged. Hover a link for its journeys.

# %%
flows = jl.compute_step_flows(journeys, steps=sankey_steps, min_customers=min_customers)
jl.plot_sankey(flows)

# %% [markdown]
# ## Process model
#
# Discovered by pm4py's inductive miner from the most frequent variants (on journey data a model of every path is a 'flower' that allows anything).

# %%
model = jl.discover_process_model(journeys, coverage=variant_coverage)
print(model.method, f'from variants covering {model.coverage:.0%} of journeys')
bpmn = jl.plot_process_model(model, notation='bpmn')
jl.save_figure(bpmn, out / 'process_model_bpmn.svg')
bpmn

# %% [markdown]
# ## Conformance to the designed journey
#
# Every journey aligned with the journey as designed: which steps customers skip, and which touchpoints they add.

# %%
conformance = None
if study.ready('Conformance', 'design'):
    conformance = jl.check_conformance(journeys, list(designed_journey))
    print(f'{conformance.conforming_share:.1%} of checked journeys follow the design '
          f'exactly; mean fitness {conformance.journeys["fitness"].mean():.2f} '
          f'({conformance.checked_share:.0%} of journeys checked)')
    display(jl.protect(conformance.deviations, min_customers=min_customers).head(15))

# %% [markdown]
# ## The journey map: stages x channels
#
# Volume, customers, satisfaction and drop-off rate of each stage x channel cell (with no outcome: the share of journeys that end there).

# %%
if 'journey_matrix' in tables:
    matrix = tables['journey_matrix']
    display(jl.protect(matrix, min_customers=min_customers))
    for value in ['customers', matrix.attrs['rate']] + (['mean_satisfaction'] if 'mean_satisfaction' in matrix else []):
        ax = jl.plot_journey_matrix(matrix[matrix['customers'] >= min_customers], value=value)
        jl.save_figure(ax, out / f'journey_matrix_{value}.png')
        plt.show()

# %% [markdown]
# ## Funnel

# %%
if 'funnel' in tables:
    funnel = tables['funnel']
    jl.save_figure(jl.plot_funnel(funnel[funnel['customers'] >= min_customers]), out / 'funnel.png')
    display(jl.protect(funnel, min_customers=min_customers))

# %% [markdown]
# ## Step by step
#
# Where journeys are at each step (share of all journeys).

# %%
# cells under min_customers journeys are left blank
jl.save_figure(jl.plot_step_matrix(tables['step_matrix'], min_share=max(0.01, min_customers / journeys.n_cases)),
               out / 'step_matrix.png');

# %% [markdown]
# ## Loops, rework and channel switches

# %%
jl.protect(tables['loops'], min_customers=min_customers).head(10)

# %%
jl.journey_rework(journeys).describe()

# %% [markdown]
# ## Drop-off points and dead points
#
# Where journeys end without the outcome (with no outcome, only where they end: a normal end is not a drop-off), and the transitions with the longest waits.

# %%
jl.protect(tables['dropoffs'], min_customers=min_customers, count='reach').head(10)

# %%
dead = tables['dead_points']
jl.protect(dead[['source', 'target', 'cases', 'median_s', 'p90_s', 'share_of_journeys']], min_customers=min_customers)

# %% [markdown]
# ## Compare
#
# Two segments side by side, or the first and second half of the period when no segment is given.

# %%
comparison = jl.compare_groups(study, min_customers=min_customers)
display(comparison['kpis'])
jl.protect(comparison['edges'], min_customers=min_customers).head(10)

# %% [markdown]
# ## Explore
#
# Move the sliders: the map, the flows, the variants and the funnel follow. In the rendered report they keep working with no kernel (each view computed at render time). Each explorer's `.data()` (and the map explorer's `.flows()`) returns the numbers it shows.

# %%
jl.ProcessMapExplorer(journeys, segment=segment, path_coverage=path_coverage,
                      sankey_steps=sankey_steps, min_customers=min_customers)

# %%
jl.VariantExplorer(journeys, outcome=outcome, coverage=variant_coverage,
                   min_customers=min_customers)

# %%
steps, on = jl.choose_funnel_steps(study, funnel_steps)
jl.FunnelBuilder(journeys, steps=steps, on=on, segments=[segment] if segment else [],
                 min_customers=min_customers) if len(steps) >= 2 else None

# %% [markdown]
# ## Tables written

# %%
jl.write_tables(tables, out)
sorted(p.name for p in out.iterdir())

# %% [markdown]
# ## Provenance
#
# What these results came from, also written as `provenance.json` beside the tables: each input file's SHA-256, the parameters and the package versions.

# %%
jl.record_provenance(study.parameters, out)
