"""The API's error body (RFC 9457 problem details) as the tests read it."""

PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}


def problema(response) -> dict:
    """The problem-details body of an error response, its shape checked."""
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    body = response.json()
    assert set(body) == PROBLEM_KEYS, body
    assert body["status"] == response.status_code
    assert body["type"].startswith("urn:zonale:errore:") and body["title"] and body["detail"]
    return body


def errori(response) -> dict:
    """The messages of an error response by field: {field: [message, ...]}, with
    "non_field_errors" for those that name no field."""
    return per_campo(problema(response))


def per_campo(body: dict) -> dict:
    """A problem body's messages by field (see `errori`)."""
    assert set(body) == PROBLEM_KEYS, body
    out: dict = {}
    for errore in body["errors"]:
        out.setdefault(errore["field"] or "non_field_errors", []).append(errore["message"])
    return out
