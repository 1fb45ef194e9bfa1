"""Responses checked against the OpenAPI document, and a property-based run (Schemathesis) against a live server."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import hypothesis
import pytest
import schemathesis
from django.core.management import call_command
from django.urls import reverse
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from catalogue.models import Trial

from .conftest import SOURCES
from .factories import make_trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def openapi(client) -> dict:
    return client.get(reverse("api:schema")).json()


def check(openapi: dict, path: str, response) -> None:
    """The body of `response` validates against what the schema says `path` answers with its status."""
    operation = openapi["paths"][path]["get"]
    declared = operation["responses"][str(response.status_code)]
    schema = declared["content"]["application/json"]["schema"]
    registry = Registry().with_resource("urn:api", DRAFT202012.create_resource(openapi))
    validator = Draft202012Validator(
        {"$ref": "urn:api#/components/schemas/" + schema["$ref"].rsplit("/", 1)[-1]},
        registry=registry,
    )
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(response.json())
    ]
    assert errors == [], errors[:5]


def test_the_schema_is_openapi_3_and_describes_every_endpoint(openapi):
    assert openapi["openapi"].startswith("3.")
    assert set(openapi["paths"]) == {
        "/api/v1/trials",
        "/api/v1/trials/{registry_id}",
        "/api/v1/facets",
        "/api/v1/vocabularies",
    }
    for path in openapi["paths"].values():
        assert {"400", "429"} <= set(path["get"]["responses"])
    assert openapi["components"]["schemas"]["Trial"]["additionalProperties"] is False


def test_every_bundled_trial_matches_the_schema(client, seeded, openapi):
    for registry_id in Trial.objects.values_list("registry_id", flat=True):
        check(openapi, "/api/v1/trials/{registry_id}", client.get(f"/api/v1/trials/{registry_id}"))


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "umbilical", "page_size": 2}, {"phase": "PHASE2", "include_out_of_scope": "true"}],
)
def test_pages_and_counts_match_the_schema(client, seeded, openapi, params):
    check(openapi, "/api/v1/trials", client.get("/api/v1/trials", params))
    facet_params = {k: v for k, v in params.items() if k != "page_size"}
    check(openapi, "/api/v1/facets", client.get("/api/v1/facets", facet_params))
    check(openapi, "/api/v1/vocabularies", client.get("/api/v1/vocabularies"))


def test_errors_match_the_schema(client, seeded, openapi, settings):
    check(openapi, "/api/v1/trials", client.get("/api/v1/trials", {"phase": "PHASE9"}))
    check(openapi, "/api/v1/trials/{registry_id}", client.get("/api/v1/trials/NCT00000000"))
    nxt = client.get("/api/v1/trials", {"page_size": 1}).json()["next"]
    make_trial()
    stale = client.get("/api/v1/trials", parse_qs(urlsplit(nxt).query))
    assert stale.status_code == 409
    check(openapi, "/api/v1/trials", stale)


# The property-based run: Schemathesis generates requests from the schema (every parameter,
# valid values and edge cases) and checks each answer: no 5xx, a documented status, content
# type and headers, and a body that matches the schema. Bounded and derandomized, so every
# run sends the same requests (about 25 per endpoint).
EXAMPLES = 25


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_server):
    call_command("ingest", str(SOURCES), verbosity=0)
    schema = schemathesis.openapi.from_url(live_server.url + reverse("api:schema"))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 4
    sent = []
    for operation in operations:

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        def run(case):
            sent.append(case.operation.label)
            case.call_and_validate(
                base_url=live_server.url,
                # A cursor is minted by the server: an arbitrary string is rightly refused (400).
                excluded_checks=[schemathesis.checks.positive_data_acceptance],
            )

        run()
    # Every operation with parameters was tried many ways (the parameterless one once).
    assert {sent.count(op.label) for op in operations} == {1, EXAMPLES}
