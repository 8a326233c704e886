"""The committed SDL is the served schema, and the served schema keeps the public contract."""

from pathlib import Path

from graphql import build_schema as parse_sdl
from graphql import find_breaking_changes

from schema.root import build_schema

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "schema" / "schema.graphql"
CONTRACT = ROOT.parent / "shared" / "contract" / "schema.graphql"


def test_the_committed_schema_is_current():
    assert COMMITTED.read_text() == str(build_schema()) + "\n", (
        "schema/schema.graphql is stale: run `o2o export-schema`"
    )


def test_the_served_schema_breaks_nothing_in_the_contract():
    changes = find_breaking_changes(parse_sdl(CONTRACT.read_text()), parse_sdl(str(build_schema())))
    assert [c.description for c in changes] == []
