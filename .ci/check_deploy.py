"""`manage.py check --deploy` under the environment docker-compose gives the web service.

    docker-compose config | python .ci/check_deploy.py

Reads the resolved compose file on stdin, runs Django's deployment checks with exactly the
web service's environment (plus PATH), and fails on any warning. Nothing is contacted: the
checks need no database or broker.
"""

import os
import subprocess
import sys
from pathlib import Path

import yaml

config = yaml.safe_load(sys.stdin)
environment = config["services"]["web"]["environment"]
if isinstance(environment, list):  # the KEY=VALUE form
    environment = dict(item.split("=", 1) for item in environment)
env = {"PATH": os.environ["PATH"], **{key: str(value) for key, value in environment.items()}}
project = Path(__file__).resolve().parent.parent
result = subprocess.run(
    [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=project, env=env,
)
sys.exit(result.returncode)
