"""Choosing the personas: the family, the number, and the honesty of the evidence.

Logs come from two generators unlike each other: the product's own (personas as Markov
chains over a retailer's touchpoints) and the benchmarks' template generator (personas as
template paths walked with skips, insertions, repeats and swaps, two of them differing
only in order, sizes down to 3%).
"""
from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

import journeylab as jl

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from template_journeys import generate_template_journeys  # noqa: E402


def templates(n: int, k: int, noise: float, seed: int, smallest: float = 0.03):
    events, truth = generate_template_journeys(n, n_personas=k, noise=noise, random_state=seed,
                                               smallest_share=smallest)
    log = jl.read_events(events)
    return events, log, truth.loc[log.cases.astype(str)].to_numpy()


def ari(truth, model) -> float:
    told = model.labels_ != jl.TOO_SHORT
    return float(adjusted_rand_score(truth[told], model.labels_[told]))


def persona_warnings(fit):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", jl.PersonaWarning)
        model = fit()
    return model, [str(w.message) for w in caught if issubclass(w.category, jl.PersonaWarning)]


@pytest.mark.parametrize("k,noise,seed", [(7, 0.32, 4), (8, 0.28, 13)])
def test_the_number_is_recovered_on_noisy_template_journeys(k, noise, seed):
    """Defaults only: the family and the number are chosen from the data. Two personas
    meet the same touchpoints in another order, one holds 3% of the journeys."""
    _, log, truth = templates(2_000, k, noise, seed)
    model, _ = persona_warnings(lambda: jl.find_personas(log))
    assert abs(model.n_personas_ - k) <= 1, model.selection_
    assert ari(truth, model) >= 0.9
    # journeys that follow template paths: the vector model, said with the evidence
    sel = model.selection_
    assert model.method_ == "kmeans" and (sel["path_memory"] >= 0.15).all()
    assert sel["chosen"].sum() == 1 and sel.loc[sel["chosen"], "k"].item() >= model.n_personas_
    assert any(n.startswith("Method: kmeans") and "fixed paths" in n for n in model.notes_)


def test_the_sequence_model_is_kept_on_journeys_that_move_like_markov_chains():
    truth = jl.generate_journeys(2_000, random_state=4)
    log = jl.read_events(truth.events, **truth.read_kwargs()).touchpoints()
    planted = truth.personas.set_index("case_id").loc[log.cases.astype(str), "persona"]
    model, _ = persona_warnings(lambda: jl.find_personas(log))
    assert model.method_ == "markov", model.notes_
    assert ari(planted.to_numpy(), model) >= 0.75
    sel = model.selection_
    assert (sel["path_memory"] < 0.15).all() and sel.loc[sel["chosen"], "method"].item() == \
        "markov" and sel.loc[sel["method"] == "markov", "settles"].all()


def test_a_choice_at_the_top_of_the_range_widens_it_or_warns():
    _, log, truth = templates(1_200, 6, 0.1, 5)
    model, said = persona_warnings(lambda: jl.find_personas(log, method="kmeans",
                                                            k_range=(2, 3)))
    assert model.selection_["k"].max() > 3  # wider numbers were tried
    assert abs(model.n_personas_ - 6) <= 1 and ari(truth, model) >= 0.9
    assert any("numbers up to" in s for s in said)
    assert not any("largest tried" in s for s in said)
    kept, said = persona_warnings(lambda: jl.JourneyClusters("auto", k_range=(2, 3),
                                                             widen=False).fit(log))
    assert kept.n_personas_ == 3 and kept.selection_["k"].max() == 3
    assert any("is the largest tried" in s for s in said)
    assert any("is the largest tried" in s for s in kept.notes_)


@pytest.mark.parametrize("method", ["markov", "kmeans"])
def test_no_persona_under_the_minimum_share_on_the_final_assignment(method):
    """Asked for seven personas on a log of four, one of them 1%, with a minimum share of
    8%: whatever the search saw, the final assignment of every journey holds no persona
    under the minimum, and says why."""
    _, log, _ = templates(1_500, 4, 0.15, 21, smallest=0.01)
    model, said = persona_warnings(lambda: jl.find_personas(
        log, method=method, k_range=(7, 7), widen=False, min_persona_share=0.08))
    told = model.labels_[model.labels_ != jl.TOO_SHORT]
    shares = np.bincount(told) / len(told)
    assert len(shares) == model.n_personas_ < 7
    assert shares.min() >= 0.08, shares
    assert any("under the minimum share" in s for s in said)
    assert sorted(set(told)) == list(range(model.n_personas_))
    assert np.all(np.diff(np.bincount(told)) <= 0)  # 0 is still the largest


def test_low_stability_is_said_in_plain_words():
    assert "low" in jl.describe_stability(0.33) and "fixed segments" in \
        jl.describe_stability(0.33)
    assert jl.describe_stability(0.95).startswith("Stability 0.95: high")
    table = pd.DataFrame({"resample": [0, 1], "journeys": [8, 8], "ari": [0.6, 0.7]})
    assert jl.describe_stability(table).startswith("Stability 0.65: low")


def test_cli_api_and_notebook_share_defaults_and_give_the_same_personas(tmp_path):
    events, log, _ = templates(600, 3, 0.15, 31)
    path = tmp_path / "events.csv"
    events.to_csv(path, index=False)
    # the notebook's declared defaults and the command line's are the API's
    declared = jl.studies.notebook_parameters(ROOT / "notebooks" / "02_personas.ipynb")
    d = jl.PERSONA_DEFAULTS
    assert declared["method"]["default"] == d["method"]
    assert declared["n_personas"]["default"] == d["n_personas"]
    assert (declared["k_min"]["default"], declared["k_max"]["default"]) == d["k_range"]
    assert declared["random_state"]["default"] == d["random_state"]
    assert declared["min_touchpoints"]["default"] == d["min_touchpoints"]
    from journeylab.cli import build_parser
    cli = build_parser().parse_args(["personas", str(path), "--out", str(tmp_path)])
    assert (cli.method, cli.n_personas, (cli.k_min, cli.k_max), cli.random_state,
            cli.min_touchpoints) == \
        (d["method"], d["n_personas"], d["k_range"], d["random_state"], d["min_touchpoints"])
    # and the three give the same personas for the same data
    api = jl.label_journeys(log, jl.find_personas(log))
    api_by_cli = api.copy()
    run = subprocess.run([sys.executable, "-m", "journeylab", "personas", str(path),
                          "--stability-resamples", "0", "--out", str(tmp_path / "cli")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    by_cli = pd.read_csv(tmp_path / "cli" / "assignments.csv", dtype={"case_id": str})
    paths = jl.run_notebook(ROOT / "notebooks" / "02_personas.ipynb", tmp_path / "nb",
                            parameters={"events_path": str(path), "min_customers": 1,
                                        "stability_resamples": 0,
                                        "output_dir": str(tmp_path / "nb" / "tables")})
    by_notebook = pd.read_csv(tmp_path / "nb" / "tables" / "assignments.csv",
                              dtype={"case_id": str})
    assert paths["html"].exists()
    if declared["pseudonymise"]["default"]:  # the notebook's report shows pseudonyms
        api["case_id"] = jl.pseudonymise(api["case_id"].astype(str))
    for other, ours in ((by_cli, api_by_cli), (by_notebook, api)):
        merged = other.merge(ours[["case_id", "persona"]].astype({"case_id": str}),
                             on="case_id", suffixes=("", "_api"))
        assert len(merged) == log.n_cases
        assert (merged["persona"] == merged["persona_api"]).all()


def test_path_memory_tells_fixed_paths_from_walks():
    """Hand-made: on fixed paths the touchpoint after ``hub`` is set by the one before it
    (x hub a / y hub b); on a walk, where every step is drawn from the last touchpoint
    only, the one before adds nothing (every length kept, so that no cut sets a
    position)."""
    rng = np.random.default_rng(0)

    def log_of(journeys):
        rows = [(f"c{c}", s, pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=i))
                for c, steps in enumerate(journeys) for i, s in enumerate(steps)]
        return jl.read_events(pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"]))

    paths = log_of([["x", "hub", "a", "end"] if c % 2 else ["y", "hub", "b", "end"]
                    for c in range(1_000)])
    walks = []
    for _ in range(2_000):  # a first-order chain: stop with 30% or go to hub, a or b
        steps = [str(rng.choice(["x", "y"]))]
        while rng.random() >= 0.3 and len(steps) < 40:
            steps.append(str(rng.choice(["hub", "a", "b"])))
        walks.append(steps)
    walks = log_of(walks)
    # one step in five (after hub) is set by the one before the last: about log 2 / 5
    assert jl.path_memory(paths) > 0.12
    assert jl.path_memory(paths, random_state=1) > 0.12  # not one lucky split
    assert abs(jl.path_memory(walks, min_touchpoints=1)) < 0.02


def test_every_persona_must_come_back_where_the_silhouette_prefers_two():
    """Template journeys where the best silhouette is at two personas (one persona far from
    the rest): the default criterion, clusterwise stability, keeps the largest number whose
    weakest persona comes back in refits on subsamples, which is the planted one."""
    _, log, truth = templates(2_000, 4, 0.24, 17)
    by_silhouette = jl.JourneyClusters("auto", criterion="silhouette", widen=False).fit(log)
    assert by_silhouette.n_personas_ == 2 and ari(truth, by_silhouette) < 0.6
    model = jl.JourneyClusters("auto").fit(log)
    assert model.n_personas_ == 4 and ari(truth, model) >= 0.95
    sel = model.selection_.set_index("k")
    assert sel.loc[4, "weakest_persona"] >= 0.75 > sel.loc[5, "weakest_persona"]
    assert (sel["weakest_persona"] <= 1.0).all() and sel.loc[4, "chosen"]
