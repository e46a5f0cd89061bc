"""The API's OpenAPI schema: valid without warnings, docs served offline, and the live
API checked against it by schemathesis (no server errors, responses as documented)."""

import re

import pytest
import schemathesis
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.hypothesis_setup import seeded

pytestmark = pytest.mark.usefixtures("api_unthrottled")

# Per operation and mode; about 22 operations × 2 modes keep the run near a minute.
MAX_EXAMPLES = 20


def test_the_schema_validates_without_warnings(tmp_path, db):
    path = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))

    schema = yaml.safe_load(path.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/targets/{code_or_id}/snapshots/" in schema["paths"]
    assert "/api/v1/measures/{measure_id}/updates/" in schema["paths"]
    assert "put" not in schema["paths"]["/api/v1/observations/{id}/"]


def test_the_docs_use_only_local_assets(client, db):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert references, "the page should load its scripts and styles"
    assert [ref for ref in references if re.match(r"(https?:)?//", ref)] == []
    for ref in references:
        if ref.startswith("/static/"):
            assert finders.find(ref.removeprefix("/static/")), f"{ref} is not a static file of this site"
    # Swagger UI starts from a script file of its own (no inline script: see the CSP).
    assert re.search(r'<script src="/api/docs/\?script=[^"]*">', html)
    assert "<script>" not in html
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and "/api/schema/" in script.content.decode()


# schemathesis' own pytest plugin (`from_fixture`) does not run under pytest 9 yet, so the
# operations are driven here with its Hypothesis strategies directly.
@pytest.mark.api_fuzz
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_the_live_api_matches_its_schema(live_server, hangzhou_plan, data_entry_user, settings, mode):
    """As a data-entry clerk, so that writes get past the permission check to validation."""
    settings.ALLOWED_HOSTS = ["*"]
    token = Token.objects.create(user=data_entry_user)
    api = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    headers = {"Authorization": f"Token {token.key}", "Accept-Language": "en"}
    failures, operations = [], 0

    for result in api.get_all_operations():
        operation = result.ok()
        operations += 1

        # The run's seed and the kept failing examples (tests/hypothesis_setup.py), each
        # operation and mode in a place of its own in the example database.
        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

        try:
            seeded(check, key=f"{mode.value} {operation.label}")()
        except Exception as error:  # collect every operation's failure, not only the first
            failures.append(f"{operation.label}: {error}")

    assert operations >= 20
    assert failures == []
