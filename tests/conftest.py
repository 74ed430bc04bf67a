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


@pytest.fixture(scope="session")
def hostile_reports(tmp_path_factory):
    """``hostile_reports(mode)``: the notebooks run once per mode on the hostile log with
    rare groups (tests/reports.py), shared by the modules of the "reports" group (``GROUPS``)."""
    from tests.reports import run_reports

    made: dict = {}

    def get(mode: str) -> dict:
        if mode not in made:
            made[mode] = run_reports(tmp_path_factory.mktemp(f"hostile-{mode}"), mode)
        return made[mode]

    return get


# Modules that share a session fixture run in one worker together: the engine tests share
# one Spark session, the report tests one run of the notebooks (tests/reports.py). Every
# other module is its own unit, as with ``--dist loadscope`` (its module fixtures once).
GROUPS = {"tests/engines/": "engines", "tests/test_browser.py": "reports",
          "tests/test_browser_injection.py": "reports", "tests/test_shared_reports.py": "reports"}
# The slowest units first (from `--durations=0`), so that no worker is left with a long
# one at the end while the other idles.
SLOWEST = ("reports", "engines", "tests/test_notebooks.py", "tests/personas/test_personas.py",
           "tests/personas/test_persona_choice.py", "tests/studies/test_studies.py")


def unit_of(nodeid: str) -> str:
    """The unit of work (group or module) a test runs in."""
    module = nodeid.split("::", 1)[0]
    return next((group for prefix, group in GROUPS.items() if module.startswith(prefix)),
                module)


def pytest_collection_modifyitems(config, items):
    rank = {unit: i for i, unit in enumerate(SLOWEST)}
    items.sort(key=lambda item: rank.get(unit_of(item.nodeid), len(SLOWEST)))


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """Hand out whole units (``unit_of``) to the workers, in collection order."""
    from xdist.scheduler import LoadScopeScheduling

    class ByUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

    config.option.loadscopereorder = False
    return ByUnit(config, log)
