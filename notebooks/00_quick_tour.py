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
# # A quick tour of journeylab
#
# Load a customer event log, see what validation found, and get a first feel for the journeys. Runs top to bottom on the bundled synthetic sample; change the parameters below (or pass them with papermill) to use your own log.

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
output_dir: str = "../reports/00_quick_tour"  # where tables and figures are written
random_state: int = 0  # random seed for every random step

# %% [markdown]
# ## Load and validate
#
# Rows that cannot be used are quarantined with a reason, never dropped silently: rows in = rows kept + rows quarantined (+ rows set aside by the lifecycle choice).

# %%
import journeylab as jl

study = jl.open_study(**jl.study_parameters(globals()))
# the report's one protection: nothing shown below is about fewer than min_customers customers
jl.enable_report_display(min_customers=min_customers, log=study.log)
log, out = study.log, study.out
study

# %%
jl.describe_log(log)

# %% [markdown]
# ## Journeys
#
# One row per journey: how long, how many touchpoints, and the attributes that stay constant within it.

# %%
cases = log.case_table()
# single journeys are about one customer each: shown only when min_customers is 1
cases.head(10) if min_customers <= 1 else cases.describe()

# %%
ax = jl.plot_journey_lengths(cases)
jl.save_figure(ax, out / 'journey_lengths.png');

# %%
log.report.findings_frame().to_csv(out / 'validation_findings.csv', index=False)
jl.describe_log(log).astype({'value': str}).to_csv(out / 'summary.csv', index=False)

# %% [markdown]
# ## Next
#
# * `01_discover_paths`: the paths customers actually take.
# * `02_personas`: behavioural personas.
# * `03_satisfaction_drivers`: which touchpoints move satisfaction.

# %% [markdown]
# ## Provenance
#
# What these results came from, also written as `provenance.json` beside the tables: each input file's SHA-256, the parameters and the package versions.

# %%
jl.record_provenance(study.parameters, out)
