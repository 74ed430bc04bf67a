"""Fixtures for the engine parity tests: a log with the awkward cases (ties in time,
one-event journeys, unicode names, several time zones, an exact duplicate row), written
to Parquet and CSV, and one local Spark session for the whole suite (small shuffles)."""
from __future__ import annotations

import os
import sys

import numpy as np
import pandas as pd
import pytest

ENGINES = ("duckdb", "spark")


def awkward_events(n_journeys: int = 300, random_state: int = 5) -> pd.DataFrame:
    """Generated journeys plus the cases engines get wrong: several events at the same
    second in one journey, one-event journeys, unicode and quote-holding names, times
    written with different UTC offsets, and an exact copy of a row."""
    from journeylab import generate_journeys

    ev = generate_journeys(n_journeys, random_state=random_state).events.copy()
    for col in ("case_id", "activity", "channel", "stage"):
        ev[col] = ev[col].astype(object)
    rng = np.random.default_rng(random_state)
    ev["timestamp"] = pd.to_datetime(ev["timestamp"], utc=True)
    # ties: a fifth of events take their predecessor's time (the source order breaks them)
    tie = rng.random(len(ev)) < 0.2
    same_case = ev["case_id"].eq(ev["case_id"].shift())
    ev.loc[tie & same_case, "timestamp"] = ev["timestamp"].shift()[tie & same_case]
    rename = {"browse_web": "visité «site»", "call_support": "call 'support' \\ 電話"}
    ev["activity"] = ev["activity"].replace(rename)
    extra = pd.DataFrame({
        "case_id": ["solo-1", "solo-2", "ü-3", "ü-3"],
        "activity": ["visité «site»", "buy", "buy", "buy"],
        "timestamp": pd.to_datetime(["2025-03-01 10:00:00+00:00", "2025-03-02 10:00:00+00:00",
                                     "2025-03-03 10:00:00+00:00", "2025-03-03 10:00:00+00:00"],
                                    utc=True),
    })
    ev = pd.concat([ev, extra], ignore_index=True)
    ev = pd.concat([ev, ev.iloc[[7]]], ignore_index=True)  # an exact copy of a row
    return ev.sample(frac=1.0, random_state=random_state).reset_index(drop=True)


def as_text_times(ev: pd.DataFrame, random_state: int = 5) -> pd.DataFrame:
    """The same events with times as ISO text in mixed UTC offsets (one instant each)."""
    rng = np.random.default_rng(random_state)
    offsets = rng.choice([0, 2, -5], size=len(ev))
    out = ev.copy()
    out["timestamp"] = [t.tz_convert(f"Etc/GMT{-o:+d}" if o else "UTC").isoformat()
                        for t, o in zip(ev["timestamp"], offsets)]
    return out


@pytest.fixture(scope="session")
def awkward(tmp_path_factory):
    """``(events, read_kwargs, parquet_path, csv_path)`` of the awkward log."""
    ev = awkward_events()
    folder = tmp_path_factory.mktemp("awkward")
    parquet = folder / "events.parquet"
    ev.to_parquet(parquet)
    csv = folder / "events.csv"
    as_text_times(ev).to_csv(csv, index=False)
    kwargs = dict(case_id_key="case_id", activity_key="activity", timestamp_key="timestamp",
                  channel_key="channel", stage_key="stage", satisfaction_key="satisfaction",
                  instruments={"csat_survey": (1, 5), "nps_survey": (0, 10)})
    return ev, kwargs, parquet, csv


@pytest.fixture(scope="session")
def spark():
    """One local Spark session (2 cores, one shuffle partition) for every engine test."""
    from journeylab.engines import spark_session
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers import journeylab
    session = (SparkSession.builder.master("local[2]").appName("journeylab-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "1")
               .config("spark.default.parallelism", "1")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.driver.memory", "1g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    assert spark_session(session) is session
    yield session
    session.stop()


@pytest.fixture(scope="session")
def engine_logs(awkward, spark):
    """The awkward log read by the memory path and by each engine from Parquet:
    ``{"memory": EventLog, "duckdb": EngineLog, "spark": EngineLog}``."""
    from journeylab import read_events

    ev, kwargs, parquet, _ = awkward
    logs = {"memory": read_events(ev, **kwargs)}
    logs["duckdb"] = read_events(str(parquet), **kwargs, engine="duckdb")
    logs["spark"] = read_events(str(parquet), **kwargs, engine="spark", spark=spark)
    return logs
