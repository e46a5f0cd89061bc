"""Hypothesis in this suite: the same examples on every run of `make test`, random ones in `make fuzz`.

`make test` (profile "ci"): every property test draws from a fixed seed (`HYPOTHESIS_SEED`,
default 0), so two runs of one checkout try the same examples and give the same result; and
each first replays the failing examples kept in `tests/hypothesis-examples/` (read-only here,
so a test run leaves the checkout unchanged), so that a failure once found is tried on every
run until its fix lands.

`make fuzz` (profile "fuzz", driven by `tests/fuzz.py`): rounds of random seeds, each printed;
a failure found is shrunk and saved to `tests/hypothesis-examples/`, to be committed with its
fix. `HYPOTHESIS_SEED=<seed> make test` replays a round's seed.

Hypothesis' own ways to fix the draw, `derandomize` and `@seed`, both switch the example
database off, so the seed is set on the test the way `@seed` does it, without touching its
settings (`seeded`). tests/test_hypothesis_setup.py proves both halves, so a Hypothesis
release that changes this fails there, not silently.
"""

import os
from pathlib import Path

from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase, ReadOnlyDatabase

EXAMPLES = Path(__file__).resolve().parent / "hypothesis-examples"
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
FUZZ = PROFILE == "fuzz"


def _seed_from_environment() -> int:
    raw = os.environ.get("HYPOTHESIS_SEED", "0")
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"HYPOTHESIS_SEED must be a whole number, not {raw!r}.") from None


SEED = _seed_from_environment()

settings.register_profile(
    "ci", database=ReadOnlyDatabase(DirectoryBasedExampleDatabase(EXAMPLES)), print_blob=True,
)
settings.register_profile("fuzz", database=DirectoryBasedExampleDatabase(EXAMPLES), print_blob=True)
if PROFILE not in ("ci", "fuzz"):
    raise SystemExit(f"HYPOTHESIS_PROFILE must be ci or fuzz, not {PROFILE!r}.")
settings.load_profile(PROFILE)


def seeded(test, *, key: str | None = None):
    """`test` (a @given function) with this run's seed; `key` tells apart the examples of one
    function that is given different strategies (the API schema test's operations), which
    would otherwise share one place in the example database."""
    if key is not None:
        test.hypothesis.inner_test._hypothesis_internal_add_digest = key.encode()
    test._hypothesis_internal_use_seed = SEED  # what @seed sets, less its `database=None`
    return test


class ExampleCounter:
    """Counts the test cases Hypothesis runs (its observability hook), for `make fuzz`'s report."""

    def __init__(self):
        self.count = 0

    def __call__(self, observation, thread_id=None) -> None:  # every thread's: the schema test's server too
        if getattr(observation, "type", None) == "test_case":
            self.count += 1

    def start(self) -> None:
        from hypothesis.internal.observability import add_observability_callback

        add_observability_callback(self, all_threads=True)
