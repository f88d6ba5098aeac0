from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data: `manage.py seed_demo` and the generator that bench/ shares (no models)."""

    name = "apps.demo"
    verbose_name = _("Demo data")
