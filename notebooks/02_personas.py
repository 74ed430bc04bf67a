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
# # Behavioural personas
#
# Customers who behave alike should be studied together. This notebook groups journeys into personas, shows how many personas the data supports, profiles each one (size, typical paths, channels, outcome, satisfaction, what sets it apart), draws its process map, compares two of them and checks that the personas are stable. The default method is a mixture of Markov chains: it groups journeys by how they move from touchpoint to touchpoint. Journeys with fewer than `min_touchpoints` touchpoints are *too short to tell* (persona -1): one ad seen and nothing else could belong to anyone.

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
outcome_column: str = ""  # journey outcome: a yes/no column, or a column, an equals sign and the value that counts; "" looks for converted/outcome
method: str = "auto"  # auto (chosen from the data), markov (how journeys move), kmeans or agglomerative (what they contain)
n_personas: str = "auto"  # number of personas, or "auto" to choose it from the data
k_min: int = 2  # smallest number of personas tried by "auto"
k_max: int = 10  # largest number of personas tried by "auto" (widened when the choice is the largest)
min_touchpoints: int = 3  # journeys with fewer touchpoints are too short to tell
stability_resamples: int = 3  # refits on 80% subsamples to measure stability (0 to skip)
compare: list = [0, 1]  # two personas to compare side by side
truth_path: str = ""  # planted personas (case_id, persona) to check against; "" if none
output_dir: str = "../reports/02_personas"  # where tables and figures are written
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
                                 lifecycle=lifecycle, outcome_column=outcome_column,
                                 method=method, n_personas=n_personas, k_min=k_min,
                                 k_max=k_max, min_touchpoints=min_touchpoints,
                                 stability_resamples=stability_resamples,
                                 compare=compare, truth_path=truth_path,
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
import numpy as np
import pandas as pd
k = n_personas if str(n_personas) == 'auto' else int(n_personas)
outcome, segment = study.outcome, study.segment
study

# %% [markdown]
# ## How many personas, and which kind?
#
# Two kinds of model can group journeys: a mixture of Markov chains (`markov`: how journeys move from touchpoint to touchpoint) and k-means on what journeys contain (`kmeans`: touchpoints and consecutive pairs). Each number of personas in the range is fitted; for the mixture ICL picks one (lower is better), for k-means it is the largest number whose every persona comes back when k-means is refitted on 80% subsamples (`weakest_persona`: the Jaccard overlap of the least stable persona with its best match, 0.75 or more; the silhouette and the overall stability are shown beside it). With `method = "auto"` the data decides: the mixture is kept when there are enough journeys to learn a chain per persona (1,000 long enough to tell, and 40 per touchpoint), they move like walks (*path memory*: knowing the touchpoint before the last barely helps to predict the next one, under 0.15 nats per step) and its ICL settles at a number inside the range. When journeys follow a few fixed paths with detours, are too few, or more chains keep fitting better, k-means is kept. The reason is printed below and the evidence of both is in the table. No persona is left under 2% of the journeys long enough to tell: a smaller one joins the personas closest to its journeys. When the choice sits at the top of the range, the range is widened and a note says so.

# %%
import warnings
with warnings.catch_warnings():  # the same notes are printed below
    warnings.simplefilter('ignore', jl.PersonaWarning)
    model = jl.find_personas(journeys, method=method, n_personas=k,
                             min_touchpoints=min_touchpoints, random_state=random_state,
                             k_range=(k_min, k_max))
told = model.labels_ != jl.TOO_SHORT
print(f'{model.n_personas_} personas ({model.method_}); {told.mean():.0%} of '
      f'{journeys.n_cases:,} journeys are long enough to tell')
for note in model.notes_:
    print(note)
if len(model.selection_) > 1:
    jl.save_figure(jl.plot_persona_selection(model.selection_)[0], out / 'selection.png')
model.selection_

# %% [markdown]
# ## Who they are
#
# One row per persona. `distinctive`: the touchpoints its journeys meet far more often than other personas' (lift); `name` is generated from its channels.

# %%
profiles = jl.profile_personas(journeys, model, outcome=outcome)
names = dict(zip(profiles['persona'], profiles['name']))
jl.protect(profiles, min_customers=min_customers)

# %%
reach = jl.persona_reach(journeys, model)
jl.save_figure(jl.plot_persona_reach(reach, names=names), out / 'persona_reach.png');

# %% [markdown]
# ## Each persona's process map
#
# The paths of each persona's journeys (edges covering 80% of its transitions, without edges under 2% of their ends' flow).

# %%
from html import escape
from IPython.display import HTML
for p in profiles.loc[profiles['persona'] != jl.TOO_SHORT, 'persona']:
    display(HTML(f'<h3>{p}: {escape(str(names[p]))}</h3>'))  # names come from the data
    persona_dfg = jl.filter_dfg(jl.select_persona(journeys, model, p), path_coverage=0.8,
                                min_edge_share=0.02, min_customers=min_customers)
    if persona_dfg.nodes.empty:  # every path of it is under min_customers journeys
        print(f'No touchpoint of this persona is met by {min_customers} or more of its journeys: no map.')
        continue
    persona_map = jl.plot_process_map(persona_dfg)
    jl.save_figure(persona_map, out / f'process_map_persona_{p}.svg')
    display(persona_map)

# %% [markdown]
# ## Two personas side by side

# %%
a, b = compare
comparison = jl.compare_personas(journeys, model, a, b, outcome=outcome)
print(f'a = {a}: {names[a]}    b = {b}: {names[b]}')
comparison

# %% [markdown]
# ## Where journeys sit
#
# Every journey placed by what it contains (its two main axes), coloured by persona.

# %%
embedding = jl.embed_journeys(journeys, model, random_state=random_state)
jl.save_figure(jl.plot_persona_embedding(embedding, names=names, min_customers=min_customers),
               out / 'embedding.png');

# %% [markdown]
# ## Are the personas stable?
#
# The model is refitted on random 80% subsamples of the journeys; each refit assigns every journey again. The adjusted Rand index compares the assignments: 1 means the same personas.

# %%
if stability_resamples:
    stability = jl.persona_stability(model, journeys, n_resamples=stability_resamples,
                                     random_state=random_state)
    print(jl.describe_stability(stability))
    display(stability)
else:
    stability = None

# %% [markdown]
# ## Against planted personas
#
# The synthetic data knows every journey's true persona; real logs usually do not (`truth_path = ""`).

# %%
if study.ready('The check against planted personas', 'truth'):
    from sklearn.metrics import adjusted_rand_score
    truth = pd.read_csv(truth_path, dtype=str)
    if pseudonymise:  # the log's ids are pseudonyms: match them
        truth['case_id'] = jl.pseudonymise(truth['case_id'])
    truth = truth.set_index('case_id')['persona']
    planted = truth.reindex(journeys.cases.astype(str)).to_numpy()
    known = told & pd.notna(planted)
    print(f'adjusted Rand index against the planted personas: '
          f'{adjusted_rand_score(planted[known], model.labels_[known]):.3f} '
          f'over {known.sum():,} journeys long enough to tell')
    display(pd.crosstab(pd.Series(planted[known], name='planted'),
                        pd.Series(model.labels_[known], name='found')))

# %% [markdown]
# ## Explore
#
# Pick a persona: its profile, map, most common paths and example journeys. `.data()` returns the numbers shown.

# %%
jl.PersonaExplorer(journeys, model.labels_, profiles=profiles, outcome=outcome,
                   min_customers=min_customers, random_state=random_state)

# %% [markdown]
# ## Tables written

# %%
tables = {'assignments.csv': jl.label_journeys(journeys, model, profiles),
          'profiles.csv': profiles, 'selection.csv': model.selection_,
          'persona_reach.csv': reach.reset_index(), 'comparison.csv': comparison}
if stability is not None:
    tables['stability.csv'] = stability
for name, table in tables.items():
    jl.write_table(table, out / name)
sorted(p.name for p in out.iterdir())

# %% [markdown]
# ## Provenance
#
# What these results came from, also written as `provenance.json` beside the tables: each input file's SHA-256, the parameters and the package versions.

# %%
jl.record_provenance(parameters, out)
