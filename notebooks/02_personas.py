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
engine: str = "memory"  # where the heavy passes run: memory (logs that fit), duckdb (out of core: files larger than memory) or spark
memory_limit: str = ""  # engine duckdb: its memory cap, e.g. 8GB, past which it spills to disk; "" for DuckDB's own
spark_url: str = ""  # engine spark: a Spark Connect URL such as sc://host:15002; "" starts a local session
sample_journeys: int = 200000  # engine duckdb or spark: journeys read into memory for the tables and figures that need them
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
import matplotlib.pyplot as plt
import pandas as pd
import journeylab as jl

study = jl.open_study(**jl.study_parameters(globals()))
# the report's one protection: nothing shown below is about fewer than min_customers customers
jl.enable_report_display(min_customers=min_customers, log=study.log)
journeys, out, outcome = study.journeys, study.out, study.outcome
study

# %% [markdown]
# ## How many personas, and which kind?
#
# Two kinds of model can group journeys: a mixture of Markov chains (`markov`: how journeys move from touchpoint to touchpoint) and k-means on what journeys contain (`kmeans`: touchpoints and consecutive pairs). Each number of personas in the range is fitted; for the mixture ICL picks one (lower is better), for k-means it is the largest number whose every persona comes back when k-means is refitted on 80% subsamples (`weakest_persona`: the Jaccard overlap of the least stable persona with its best match, 0.75 or more; the silhouette and the overall stability are shown beside it). With `method = "auto"` the data decides: the mixture is kept when there are enough journeys to learn a chain per persona (1,000 long enough to tell, and 40 per touchpoint), they move like walks (*path memory*: knowing the touchpoint before the last barely helps to predict the next one, under 0.15 nats per step) and its ICL settles at a number inside the range. When journeys follow a few fixed paths with detours, are too few, or more chains keep fitting better, k-means is kept. The reason is printed below and the evidence of both is in the table. No persona is left under 2% of the journeys long enough to tell: a smaller one joins the personas closest to its journeys. When the choice sits at the top of the range, the range is widened and a note says so.

# %%
# the personas and their tables, found the way `journeylab personas` finds them
model, tables = jl.tabulate_personas(study, method=method, n_personas=n_personas, k_min=k_min,
                                     k_max=k_max, min_touchpoints=min_touchpoints,
                                     stability_resamples=stability_resamples, compare=compare,
                                     random_state=random_state)
if model is not None:
    told = model.labels_ != jl.TOO_SHORT
    print(f'{model.n_personas_} personas ({model.method_}); {told.mean():.0%} of '
          f'{journeys.n_cases:,} journeys are long enough to tell')
    for note in model.notes_:
        print(note)
    if len(model.selection_) > 1:
        jl.save_figure(jl.plot_persona_selection(model.selection_)[0], out / 'selection.png')
    display(model.selection_)

# %% [markdown]
# ## Who they are
#
# One row per persona. `distinctive`: the touchpoints its journeys meet far more often than other personas' (lift); `name` is generated from its channels.

# %%
if model is not None:
    profiles = tables['profiles']
    names = dict(zip(profiles['persona'], profiles['name']))
    display(jl.protect(profiles, min_customers=min_customers))

# %%
if model is not None:
    jl.save_figure(jl.plot_persona_reach(tables['persona_reach'], names=names), out / 'persona_reach.png');

# %% [markdown]
# ## Each persona's process map
#
# The paths of each persona's journeys (edges covering 80% of its transitions, without edges under 2% of their ends' flow).

# %%
if model is not None:
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
if 'comparison' in tables:
    print(f'a = {a}: {names[a]}    b = {b}: {names[b]}')
    display(tables['comparison'])

# %% [markdown]
# ## Where journeys sit
#
# Every journey placed by what it contains (its two main axes), coloured by persona.

# %%
if model is not None:
    embedding = jl.embed_journeys(journeys, model, random_state=random_state)
    jl.save_figure(jl.plot_persona_embedding(embedding, names=names, min_customers=min_customers),
                   out / 'embedding.png');

# %% [markdown]
# ## Are the personas stable?
#
# The model is refitted on random 80% subsamples of the journeys; each refit assigns every journey again. The adjusted Rand index compares the assignments: 1 means the same personas.

# %%
if 'stability' in tables:
    print(jl.describe_stability(tables['stability']))
    display(tables['stability'])

# %% [markdown]
# ## Against planted personas
#
# The synthetic data knows every journey's true persona; real logs usually do not (`truth_path = ""`).

# %%
if model is not None:
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
                   min_customers=min_customers, random_state=random_state) if model is not None else None

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
