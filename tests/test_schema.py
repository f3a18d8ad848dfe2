"""The OpenAPI 3 schema is generated for every endpoint and validates."""

from io import StringIO

import yaml
from django.core.management import call_command


def test_openapi_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    # --validate checks the document against the OpenAPI 3 JSON schema;
    # --fail-on-warn turns any guess drf-spectacular had to make into a failure.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(target), stdout=StringIO()
    )
    schema = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/v1/comuni/",
        "/api/v1/progetti/",
        "/api/v1/assegnazioni/",
        "/api/v1/valori/",
        "/api/v1/avanzamento/",
        "/api/v1/completezza/",
        "/api/v1/beneficiari/",
    ):
        assert path in paths, path
