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
# # Which touchpoints move satisfaction
#
# Satisfaction where it is measured (by touchpoint, stage and journey-map cell), where it drops between two answers of the same journey, then each touchpoint's effect on the target score, adjusted for persona, with bootstrap intervals: the irritants to fix and the delights to extend. Then the moments of truth and the Markov removal effects on the outcome. Every section needs survey scores (`satisfaction_key`) except the last, which needs an outcome.

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
instrument: str = ""  # the survey whose answers are explained; "" takes the one with the widest scale
csat_instrument: str = ""  # a survey answered several times per journey, for the drops; "" looks one up
controls: str = "personas"  # fixed effects: personas, none, or a journey-level column
personas_path: str = ""  # assignments.csv written by 02_personas (case_id, persona) for the personas; "" to find them here
window: str = "journey"  # touchpoints that explain a score: journey (all before it) or since_previous (since the last answer, for a CSAT)
min_effect: float = 0.1  # smallest effect worth calling an irritant or delight, in points of the target's scale
outcome_column: str = ""  # journey outcome: a yes/no column, or a column, an equals sign and the value that counts; "" looks for converted/outcome
n_boot: int = 200  # bootstrap resamples for the intervals
level: float = 0.95  # confidence level of the intervals
examples: int = 3  # journeys whose score gap is decomposed as examples
output_dir: str = "../reports/03_satisfaction_drivers"  # where tables and figures are written
random_state: int = 0  # random seed for every random step

# %%
import matplotlib.pyplot as plt
import journeylab as jl

study = jl.open_study(**jl.study_parameters(globals()))
# the report's one protection: nothing shown below is about fewer than min_customers customers
jl.enable_report_display(min_customers=min_customers, log=study.log)
log, out = study.log, study.out
study

# %% [markdown]
# ## The drivers, with personas as controls
#
# Each touchpoint's effect on the target score is adjusted for personas (or a segment) as fixed effects: a persona with a low baseline that meets an irritant more often would otherwise make the irritant look worse than it is. The personas come from `personas_path` (the assignments `02_personas` wrote) or are found here. Below, the tables this makes, the way `journeylab drivers` makes them.

# %%
drivers, tables = jl.tabulate_drivers(study, instrument=instrument, controls=controls,
                                      personas_path=personas_path, window=window,
                                      min_effect=min_effect, n_boot=n_boot, level=level,
                                      random_state=random_state)

# %% [markdown]
# ## Satisfaction where it is measured
#
# Each answer is credited to the touchpoint just before it (the contact it rates), with a t interval; NPS in points for 0-10 surveys.

# %%
if 'satisfaction_by_touchpoint' in tables:
    display(jl.protect(tables['satisfaction_by_touchpoint'], min_customers=min_customers))

# %%
if 'satisfaction_by_touchpoint' in tables and study.has('stage'):
    display(jl.protect(jl.satisfaction_by(log, by='stage', level=level), min_customers=min_customers))

# %% [markdown]
# ## Where satisfaction drops
#
# For two answers of the same survey in one journey, the change in score is credited to every touchpoint between them.

# %%
if 'drops' in tables:
    display(jl.protect(tables['drops'], min_customers=min_customers).head(10))

# %% [markdown]
# ## Each touchpoint's effect
#
# Bars: the adjusted effect on the target score with its interval; hollow markers: the naive gap (journeys that met the touchpoint minus those that did not, unadjusted). Hatched: not separable (other touchpoints determine it).

# %%
if drivers is not None:
    print(drivers.assumptions)
    jl.save_figure(jl.plot_drivers(drivers.effects), out / 'drivers.png')
    plt.show()
    display(jl.protect(drivers.effects, min_customers=min_customers))

# %% [markdown]
# ## Irritants and delights

# %%
irritants = tables.get('irritants')
if irritants is not None:
    display(jl.format_table(jl.protect(irritants, min_customers=min_customers),
                            formats={'effect': '{:+.2f}', 'ci_low': '{:+.2f}', 'ci_high': '{:+.2f}'}))

# %% [markdown]
# ## Before and after the worst irritant
#
# In the journeys that met it, the repeated survey's answers numbered from that touchpoint: -1 is the last answer before it, 1 the first after.

# %%
worst = [] if irritants is None else list(irritants.loc[irritants['kind'] == 'irritant', 'touchpoint'].head(1))
if study.ready('Scores before and after', 'repeated survey'):
    if not worst:
        print('Scores before and after: skipped; no touchpoint was found to be an irritant.')
    else:
        trajectory = jl.score_trajectory(log, worst[0], instrument=study.repeated_survey, level=level)
        jl.save_figure(jl.plot_score_trajectory(trajectory, touchpoint=worst[0]),
                       out / 'trajectory.png')

# %% [markdown]
# ## Explore
#
# Pick a touchpoint: its effect in each control group, the scores before and after it, what fixing it for a share of its journeys would do to the score (the slider), and example journeys that met it. `.data()` returns the numbers shown.

# %%
jl.DriverExplorer(drivers, log, min_customers=min_customers, random_state=random_state) \
    if drivers is not None else None

# %% [markdown]
# ## The gap, explained
#
# Each scored journey's fitted score minus the average journey's, split into touchpoints and persona (the parts sum exactly to the gap): single journeys when `min_customers` is 1, else the unhappiest tenth of journeys together.

# %%
if drivers is not None:
    gap = jl.explain_gap(drivers, log, examples=examples, min_customers=min_customers)
    print(f"the {gap.attrs['journeys']:,} journeys furthest below the average: mean gap "
          f"{gap.attrs['mean_gap']:+.2f}, made of")
    display(gap)

# %% [markdown]
# ## Moments of truth and removal effects
#
# The touchpoints after which the outcome diverges most, and each touchpoint's Markov removal effect on it.

# %%
if 'moments_of_truth' in tables:
    display(jl.protect(tables['moments_of_truth'], min_customers=min_customers).head(10))
    display(tables['removal_effects'].head(10))

# %% [markdown]
# ## Tables written

# %%
jl.write_tables(tables, out)
if drivers is not None:
    (out / 'assumptions.txt').write_text(drivers.assumptions + '\n')
sorted(p.name for p in out.iterdir())

# %% [markdown]
# ## Provenance
#
# What these results came from, also written as `provenance.json` beside the tables: each input file's SHA-256, the parameters and the package versions.

# %%
jl.record_provenance(study.parameters, out)
