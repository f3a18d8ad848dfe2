"""API fuzzing with schemathesis: every operation of /api/schema/, as an Operatore and as
the Ufficio di Piano, passes ALL of schemathesis' checks: no 5xx, documented status codes,
content types, headers and bodies, invalid data rejected, valid data accepted or refused
with a documented 4xx (a business rule: see ACCEPTED_POSITIVE_STATUSES), and so on.

Requests go straight to the WSGI application (no server), inside the test's database
transaction, so this runs on SQLite and on PostgreSQL alike. CI runs a few examples
per operation (a fixed budget shared by all operations, so CI time stays flat as the
API grows); for a longer run (see README):

    ZONALE_FUZZ_ESEMPI=500 python -m pytest tests/security/test_api_fuzz.py
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.urls import resolve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ambito.wsgi import application
from tests.factories import api_token

SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/", application)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]

ESEMPI = int(os.environ.get("ZONALE_FUZZ_ESEMPI") or "0") or None  # per operation
BUDGET_CI = 150  # requests per role in CI, shared by every operation
ESEMPI_CI = min(25, max(5, BUDGET_CI // max(len(OPERATIONS), 1)))


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Like Django's test client: a request must not close the test's DB connection.

    The WSGI handler closes connections at the end of each request when they are not
    in autocommit, which on PostgreSQL would end the test's transaction.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_the_schema_documents_the_api():
    paths = {op.path for op in OPERATIONS}
    assert {"/api/v1/comuni/", "/api/v1/comuni/{id}/", "/api/v1/dati-demografici/"} <= paths


def real_ids(operation, user):
    """Ids worth trying for `{id}`: records the user sees, and some he does not."""
    if "{id}" not in operation.path:
        return []
    view = resolve(operation.path.replace("{id}", "1")).func
    queryset = getattr(getattr(view, "cls", None), "queryset", None)
    if queryset is None or not hasattr(queryset, "visible_to"):
        return []
    model = queryset.model
    visible = model.objects.visible_to(user)
    ids = list(visible.order_by("pk").values_list("pk", flat=True)[:5])
    ids += list(model.objects.exclude(pk__in=visible.values("pk")).values_list("pk", flat=True)[:3])
    return ids


@pytest.mark.parametrize("role", ["operatore_rozzano", "ufficio_piano"])
@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_operation_never_fails_and_matches_the_schema(
    request, operation, role, altro_ambito, ufficio_piano_altro
):
    user = request.getfixturevalue(role)
    headers = {"Authorization": f"Bearer {api_token(user)}"}
    strategy = operation.as_strategy()
    ids = real_ids(operation, user)
    if ids:
        with_real_id = st.sampled_from(ids).flatmap(
            lambda pk: operation.as_strategy(path_parameters={"id": pk})
        )
        strategy = st.one_of(with_real_id, strategy)
    seen = []

    @settings(
        max_examples=ESEMPI or ESEMPI_CI,
        derandomize=ESEMPI is None,  # the same cases on every CI run
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def fuzz(case):
        response = case.call(headers=headers)
        seen.append(response.status_code)
        case.validate_response(response, headers=headers)  # every check schemathesis has

    fuzz()
    assert seen, "no request was made"
    if ids and operation.method.upper() == "GET":
        assert 200 in seen, f"{operation.label}: no in-scope record was ever returned"
