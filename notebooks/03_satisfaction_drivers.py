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
pseudonymise: bool = True  # show keyed pseudonyms, not customer ids (key: $JOURNEYLAB_PSEUDONYM_KEY or ~/.config/journeylab/pseudonym.key)
min_customers: int = 5  # k-anonymity: hide table rows and map elements about fewer customers (1 shows all)
lifecycle: str = "auto"  # auto: with start/complete pairs keep the completions; complete; all keeps every event
instrument: str = ""  # the survey whose answers are explained; "" takes the one with the widest scale
csat_instrument: str = ""  # a survey answered several times per journey, for the drops; "" looks one up
controls: str = "personas"  # fixed effects: personas, none, or a journey-level column
personas_path: str = ""  # assignments.csv written by 02_personas (case_id, persona) for the personas; "" to find them here
window: str = "journey"  # touchpoints that explain a score: journey (all before it) or since_previous (since the last answer, for a CSAT)
min_effect: float = 0.1  # smallest effect worth calling an irritant or delight, in points of the target's scale
outcome_column: str = ""  # journey outcome for moments of truth: a yes/no column, or a column, an equals sign and the value that counts; "" looks it up
n_boot: int = 200  # bootstrap resamples for the intervals
level: float = 0.95  # confidence level of the intervals
examples: int = 3  # journeys whose score gap is decomposed as examples
output_dir: str = "../reports/03_satisfaction_drivers"  # where tables and figures are written
random_state: int = 0  # random seed for every random step

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import journeylab as jl

parameters = jl.check_parameters(events_path=events_path, case_id_key=case_id_key,
                                 activity_key=activity_key, timestamp_key=timestamp_key,
                                 channel_key=channel_key, stage_key=stage_key,
                                 satisfaction_key=satisfaction_key,
                                 instruments=instruments, catalogue_path=catalogue_path,
                                 pseudonymise=pseudonymise, min_customers=min_customers,
                                 lifecycle=lifecycle,
                                 instrument=instrument,
                                 csat_instrument=csat_instrument, controls=controls,
                                 personas_path=personas_path, window=window,
                                 min_effect=min_effect, outcome_column=outcome_column,
                                 n_boot=n_boot, level=level, examples=examples,
                                 output_dir=output_dir, random_state=random_state)
study = jl.open_study(events_path, case_id_key=case_id_key, activity_key=activity_key,
                      timestamp_key=timestamp_key, channel_key=channel_key,
                      stage_key=stage_key, satisfaction_key=satisfaction_key,
                      instruments=instruments, catalogue_path=catalogue_path,
                      pseudonymise=pseudonymise, lifecycle=lifecycle,
                      outcome_column=outcome_column, output_dir=output_dir,
                      parameters=parameters)
log, journeys, out = study.log, study.journeys, study.out
# the report's one protection: every table, figure, map and explorer shown below shows
# nothing about fewer than min_customers customers and no name met by fewer (1 shows all)
jl.enable_report_display(min_customers=min_customers, log=log)
import pandas as pd
outcome, segment = study.outcome, study.segment
study

# %% [markdown]
# ## Satisfaction where it is measured
#
# Each answer is credited to the touchpoint just before it (the contact it rates), with a t interval; NPS in points for 0-10 surveys.

# %%
scored = study.ready('Satisfaction', 'satisfaction')
by_touchpoint = jl.satisfaction_by(log, by='touchpoint', level=level) if scored else None
jl.protect(by_touchpoint, min_customers=min_customers) if scored else None

# %%
if scored and study.has('stage'):
    display(jl.protect(jl.satisfaction_by(log, by='stage', level=level), min_customers=min_customers))

# %% [markdown]
# ## Where satisfaction drops
#
# For two answers of the same survey in one journey, the change in score is credited to every touchpoint between them.

# %%
drops = None
if study.ready('Drops between answers', 'repeated survey'):
    drops = jl.satisfaction_drops(log, instrument=study.repeated_survey, level=level)
    display(jl.protect(drops, min_customers=min_customers).head(10))

# %% [markdown]
# ## Controls
#
# Personas (or a segment) as fixed effects: a persona with a low baseline that meets an irritant more often would otherwise make the irritant look worse than it is.

# %%
control_values = None
if not scored:
    pass
elif controls == 'personas' and personas_path:  # the personas 02_personas found
    assigned = pd.read_csv(personas_path, dtype={'case_id': str})
    control_values = assigned.set_index('case_id')['persona']
    print(f'{control_values[control_values >= 0].nunique()} personas from {Path(personas_path).name}')
elif controls == 'personas':
    import warnings
    with warnings.catch_warnings():  # the same notes are printed below
        warnings.simplefilter('ignore', jl.PersonaWarning)
        persona_model = jl.find_personas(journeys, random_state=random_state)
    control_values = pd.Series(persona_model.labels_, index=journeys.cases.astype(str))
    print(f'{persona_model.n_personas_} personas ({persona_model.method_}) as controls')
    print('\n'.join(persona_model.notes_))
elif controls != 'none':
    control_values = controls

# %% [markdown]
# ## Each touchpoint's effect
#
# Bars: the adjusted effect on the target score with its interval; hollow markers: the naive gap (journeys that met the touchpoint minus those that did not, unadjusted). Hatched: not separable (other touchpoints determine it).

# %%
drivers = irritants = None
if study.ready('Touchpoint effects', 'satisfaction'):
    drivers = jl.attribute_satisfaction(log, instrument=instrument or None,
                                        controls=control_values, window=window,
                                        n_boot=n_boot, level=level,
                                        min_effect=min_effect, random_state=random_state)
    print(drivers.assumptions)
    jl.save_figure(jl.plot_drivers(drivers.effects), out / 'drivers.png')
    plt.show()
    display(jl.protect(drivers.effects, min_customers=min_customers))

# %% [markdown]
# ## Irritants and delights

# %%
if drivers is not None:
    irritants = jl.rank_irritants(drivers)
    display(jl.format_table(jl.protect(irritants, min_customers=min_customers),
                            formats={'effect': '{:+.2f}', 'ci_low': '{:+.2f}', 'ci_high': '{:+.2f}'}))

# %% [markdown]
# ## Before and after the worst irritant
#
# In the journeys that met it, the repeated survey's answers numbered from that touchpoint: -1 is the last answer before it, 1 the first after.

# %%
worst = [] if irritants is None else list(irritants.loc[irritants['kind'] == 'irritant', 'touchpoint'].head(1))
if study.ready('Scores before and after', 'repeated survey') and not worst:
    print('Scores before and after: skipped; no touchpoint was found to be an irritant.')
elif worst:
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
    parts = jl.decompose_satisfaction(drivers, log)
    gap = parts.attrs['gap']
    if min_customers <= 1:  # single journeys
        worst_journeys = gap.nsmallest(examples).index
        display(parts[parts['case_id'].isin(worst_journeys)].sort_values(['case_id', 'contribution']))
    else:  # a shared report: the unhappiest journeys together, never fewer than min_customers
        worst_journeys = gap.nsmallest(max(examples, min_customers, len(gap) // 10)).index
        mean_parts = (parts[parts['case_id'].isin(worst_journeys)].groupby('factor')['contribution']
                      .sum().div(len(worst_journeys)).sort_values())
        print(f'the {len(worst_journeys):,} journeys furthest below the average: mean gap '
              f'{gap[worst_journeys].mean():+.2f}, made of')
        display(mean_parts.to_frame('mean contribution'))

# %% [markdown]
# ## Moments of truth and removal effects
#
# The touchpoints after which the outcome diverges most, and each touchpoint's Markov removal effect on it.

# %%
moments = removal = None
if study.ready('Moments of truth', 'outcome'):
    moments = jl.moments_of_truth(journeys, outcome=outcome)
    removal = jl.removal_effects(journeys, outcome=outcome)
    display(jl.protect(moments, min_customers=min_customers).head(10))
    display(removal.head(10))

# %% [markdown]
# ## Tables written

# %%
tables = {}
if drivers is not None:
    tables.update({'drivers.csv': drivers.effects, 'irritants.csv': irritants})
    (out / 'assumptions.txt').write_text(drivers.assumptions + '\n')
if by_touchpoint is not None:
    tables['satisfaction_by_touchpoint.csv'] = by_touchpoint
if drops is not None:
    tables['drops.csv'] = drops
if moments is not None:
    tables['moments_of_truth.csv'] = moments
    tables['removal_effects.csv'] = removal
for name, table in tables.items():
    jl.write_table(table, out / name)
sorted(p.name for p in out.iterdir())

# %% [markdown]
# ## Provenance
#
# What these results came from, also written as `provenance.json` beside the tables: each input file's SHA-256, the parameters and the package versions.

# %%
jl.record_provenance(parameters, out)
