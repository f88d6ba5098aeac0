import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.HUEY = {**settings.HUEY, "immediate": True}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
