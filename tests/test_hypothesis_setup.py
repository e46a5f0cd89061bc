"""The suite's Hypothesis setup (tests/hypothesis_setup.py): one seed gives the same examples on
every run, and a failing example kept in the example database is replayed first."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase, ReadOnlyDatabase

from tests.hypothesis_setup import seeded


def _drawn_by(database=None) -> list[int]:
    drawn = []

    @given(st.integers())
    @settings(max_examples=30, database=database)
    def probe(number):
        drawn.append(number)

    seeded(probe)()
    return drawn


def test_one_seed_draws_the_same_examples_on_every_run():
    assert _drawn_by() == _drawn_by()
    assert len(set(_drawn_by())) > 10


def test_a_kept_failing_example_is_replayed_first_and_left_in_place(tmp_path):
    def make_probe(database, seen):
        @given(st.integers())
        @settings(max_examples=200, database=database)
        def probe(number):
            seen.append(number)
            assert number < 1000, "the failure a fuzz round finds"

        return seeded(probe, key="replay")

    # A fuzz round (writable database) finds the failure, shrinks it to 1000 and keeps it.
    with pytest.raises(AssertionError):
        make_probe(DirectoryBasedExampleDatabase(tmp_path), [])()
    kept = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*"))
    assert kept, "the failure was saved"

    # A test run (read-only) tries it before anything else, and changes nothing in the folder.
    seen = []
    with pytest.raises(AssertionError):
        make_probe(ReadOnlyDatabase(DirectoryBasedExampleDatabase(tmp_path)), seen)()

    assert seen[0] == 1000
    assert sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*")) == kept
