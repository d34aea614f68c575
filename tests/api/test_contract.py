"""The clients' documents are copied unchanged and validate against the exported schema."""

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from backend.api.schema import schema
from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parents[2]
OPS = ROOT / "graphql" / "operations"
SDL = ROOT / "graphql" / "schema.graphql"


def test_exported_schema_is_current():
    assert SDL.read_text(encoding="utf-8").strip() == schema.as_str().strip(), "run `renkei schema export`"


@pytest.mark.parametrize("name", ["coordinator.graphql", "admin.graphql", "hub.graphql", "prefecture_dashboard.graphql"])
def test_contract_document_validates(name):
    if (SHARED / "contract" / name).exists():
        assert (OPS / name).read_bytes() == (SHARED / "contract" / name).read_bytes(), "copy the contract unchanged"
    errors = validate(build_schema(SDL.read_text(encoding="utf-8")), parse((OPS / name).read_text(encoding="utf-8")))
    assert errors == [], [e.message for e in errors]


def test_nothing_under_graphql_is_python():
    assert not list((ROOT / "graphql").rglob("*.py"))
