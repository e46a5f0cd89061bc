"""`make fuzz`: the property-based tests with random seeds, round after round, for a set time.

Each round runs the Hypothesis tests (the engine's properties and the API schema test) with a
new random seed, printed first, under the "fuzz" profile (tests/hypothesis_setup.py): a failure
is saved to tests/hypothesis-examples/, which `make test` then replays on every run. The run
ends with the number of rounds and of examples tried, and the seeds of failed rounds, each of
which `HYPOTHESIS_SEED=<seed> make test` replays. Exits 1 if any round failed.

Not part of `make test`: that runs the same tests with one fixed seed, so CI's result does not
depend on the luck of the draw.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SELECTION = "hypothesis or api_fuzz"  # @given tests carry the `hypothesis` mark (Hypothesis' plugin)


def fuzz_round(seed: int, extra: list[str]) -> tuple[int, int]:
    """Runs one round; returns pytest's exit code and the number of examples tried."""
    with tempfile.NamedTemporaryFile("r", suffix=".count") as count_file:
        env = {**os.environ, "HYPOTHESIS_PROFILE": "fuzz", "HYPOTHESIS_SEED": str(seed),
               "FUZZ_COUNT_FILE": count_file.name,
               # Counting needs Hypothesis' observations, not their line coverage (a tracer: 10× slower).
               "HYPOTHESIS_EXPERIMENTAL_OBSERVABILITY_NOCOVER": "1"}
        code = subprocess.call(
            [sys.executable, "-m", "pytest", "-m", SELECTION, "-q", "-p", "no:cacheprovider", *extra],
            env=env, cwd=Path(__file__).resolve().parent.parent,
        )
        text = Path(count_file.name).read_text().strip()
    return code, int(text or 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long to fuzz (default 10)")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments (e.g. a test file)")
    args = parser.parse_args()
    began = time.monotonic()
    deadline = began + args.minutes * 60
    rounds, examples, failed = 0, 0, []
    # Rounds start until the time is up; the last one ends a little after it.
    while time.monotonic() < deadline:
        seed = random.SystemRandom().randrange(2**32)
        print(f"\n=== fuzz round {rounds + 1}: HYPOTHESIS_SEED={seed}", flush=True)
        code, tried = fuzz_round(seed, args.pytest_args)
        rounds, examples = rounds + 1, examples + tried
        if code != 0:
            failed.append(seed)
        print(f"=== round {rounds}: {'FAILED' if code else 'passed'}, {tried} examples", flush=True)
    minutes = (time.monotonic() - began) / 60
    print(f"\nfuzz: {rounds} rounds, {examples} examples tried in {minutes:.1f} minutes, {len(failed)} failed")
    for seed in failed:
        print(f"  replay: HYPOTHESIS_SEED={seed} make test")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
