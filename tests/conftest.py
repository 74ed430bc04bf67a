from __future__ import annotations

import os
import sys

import pandas as pd
import pytest

sys._pm4py_welcome_shown = True  # keep pm4py's banner out of test output


@pytest.fixture(scope="session")
def small_truth():
    from journeylab import generate_journeys

    return generate_journeys(400, random_state=3)


@pytest.fixture
def basic_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "case_id": ["c1", "c1", "c1", "c2", "c2"],
        "activity": ["visit", "cart", "buy", "visit", "leave"],
        "timestamp": ["2024-03-01 10:00:00", "2024-03-01 10:05:00", "2024-03-01 10:09:00",
                      "2024-03-02 09:00:00", "2024-03-02 09:30:00"],
    })


def write_bytes(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path

# One pseudonym key for the whole suite (and the notebook kernels it starts), so tests
# never write a key into the user's own configuration.
os.environ.setdefault("JOURNEYLAB_PSEUDONYM_KEY", "journeylab-test-suite")
