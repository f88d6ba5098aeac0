from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "apps.suggestions"
    verbose_name = _("Suggestions")
    default_auto_field = "django.db.models.BigAutoField"
