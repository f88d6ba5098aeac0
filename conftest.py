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


# Data the migrations seed (skill groups, business calendars, SLA policies). A transactional test
# commits and is cleaned up by flushing every table, so the next transactional test in the same
# worker would start without them — and with content types cached from before the flush.
_SEEDING_MIGRATIONS = (
    ("accounts", "0003_seed_skill_groups", "seed"),
    ("sla", "0002_default_calendars", "create"),
    ("sla", "0004_seed_policies", "create"),
    ("vip", "0001_initial", "seed_tiers"),
    ("followups", "0001_initial", "seed"),
    ("complaints", "0001_initial", "seed"),
)


@pytest.fixture(autouse=True)
def _reseed_for_transactional_tests(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from importlib import import_module

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    for app_label, migration, function in _SEEDING_MIGRATIONS:
        getattr(import_module(f"apps.{app_label}.migrations.{migration}"), function)(apps, None)
