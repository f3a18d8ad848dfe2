"""The API rate limits on Redis, the cache of a deployment with several workers: one
atomic counter per user whose window opens with his first request.

Against a real Redis (`ZONALE_TEST_LIMITI_REDIS_URL`, by default db 11 of 127.0.0.1:6379), under
a key prefix of this process only: the SQLite and PostgreSQL suites run side by side.
"""

import os

import pytest
from django.core.cache import cache

from tests import sottoprocessi

REDIS_URL = os.environ.get("ZONALE_TEST_LIMITI_REDIS_URL", "redis://127.0.0.1:6379/11")
PREFISSO = f"test-limiti-{os.getpid()}"
LIMITI = {"utente": "1000/min", "token": "1000/min", "token_non_valido": "1000/min"}


@pytest.fixture
def redis(settings):
    with sottoprocessi.redis_raggiungibile(REDIS_URL) as client:
        settings.CACHES = {
            "default": {
                "BACKEND": "ambito.platform.redis_cache.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": PREFISSO,
            }
        }
        yield client
        for chiave in client.scan_iter(f"{PREFISSO}:*"):
            client.delete(chiave)


@pytest.mark.django_db
def test_a_user_over_his_rate_waits_for_the_end_of_his_window(as_user, revisore, redis, settings):
    settings.API_LIMITI = {**LIMITI, "utente": "3/hour"}
    client = as_user(revisore)
    assert [client.get("/api/v1/ambiti/").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/v1/ambiti/")
    assert response.status_code == 429
    # The window opened with the first request, a moment ago: almost an hour left.
    assert 3500 < int(response["Retry-After"]) <= 3600
    chiave = cache.make_key(f"limite:utente:{revisore.pk}")
    assert int(redis.get(chiave)) == 4 and 3500 < redis.ttl(chiave) <= 3600


def test_incr_of_a_missing_key_creates_nothing(redis):
    """Django's own incr asks whether the key exists, then increments: a key expiring in
    between would come back as a counter without expiry, a limit never reset."""
    with pytest.raises(ValueError):
        cache.incr("assente")
    assert not redis.exists(cache.make_key("assente"))


def test_incr_keeps_the_window_of_the_counter(redis):
    cache.add("contatore", 1, 60)
    assert [cache.incr("contatore") for _ in range(3)] == [2, 3, 4]
    assert 55 < redis.ttl(cache.make_key("contatore")) <= 60
