"""What the tests that start other processes (a second app process, a Celery worker)
share: the test database's URL for them, and an empty Redis database of their own."""

from contextlib import contextmanager
from urllib.parse import quote

import pytest
from django.db import connection


def database_url() -> str:
    """The URL of the test database, for a process started by the test."""
    s = connection.settings_dict
    credenziali = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        credenziali += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{credenziali}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextmanager
def redis_raggiungibile(url: str):
    """A client of the Redis at `url`; skips (saying why) when it cannot be reached."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError as error:
        reason = f"Redis not reachable at {url}: {error}"
        print(reason)
        pytest.skip(reason)
    try:
        yield client
    finally:
        client.close()


@contextmanager
def redis_vuoto(url: str):
    """A Redis database emptied before and after the test (skipped without Redis)."""
    with redis_raggiungibile(url) as client:
        client.flushdb()
        try:
            yield client
        finally:
            client.flushdb()
