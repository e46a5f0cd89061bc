"""pip-audit over what the pinned requirements installed, when its vulnerability service answers.

    python .ci/pip_audit.py                 # the packages installed in this environment
    python .ci/pip_audit.py -r FILE         # a requirements file of exact pins (tests use one)

A known-vulnerable package fails the build. Where the vulnerability service cannot be reached
(some build machines reach only the package index, not PyPI's JSON API), it prints
"skipped: vulnerability service unreachable" and succeeds: missing network is not a finding.
The service is probed with a release known to be vulnerable (Django 3.2.0), so an answer
without vulnerability data (a proxy's empty 404, a captive portal) also counts as unreachable.
"""

import json
import subprocess
import sys
import urllib.request

PROBE = "https://pypi.org/pypi/django/3.2/json"


def service_reachable() -> bool:
    try:
        with urllib.request.urlopen(PROBE, timeout=15) as response:
            return bool(json.load(response).get("vulnerabilities"))
    except (OSError, ValueError):
        return False


def main(arguments: list[str]) -> int:
    if not service_reachable():
        print(f"pip-audit skipped: vulnerability service unreachable ({PROBE} gave no vulnerability data)")
        return 0
    command = [sys.executable, "-m", "pip_audit", "--progress-spinner", "off", "--vulnerability-service", "pypi"]
    if arguments[:1] == ["-r"]:
        command += ["--requirement", arguments[1], "--no-deps", "--disable-pip"]
    return subprocess.run(command).returncode  # noqa: S603 (this interpreter running pip-audit, no shell)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
