import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.HUEY = {**settings.HUEY, "immediate": True}
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True  # settings.HUEY is read once at import: switch the live instance
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    cache.clear()  # rate-limit counters must not leak from one test into the next


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
