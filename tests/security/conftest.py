import pytest


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Users are created in most tests: a fast hasher instead of PBKDF2's million rounds.

    Worth moving to tests/conftest.py for the whole suite (it saves ~1 s per user).
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
