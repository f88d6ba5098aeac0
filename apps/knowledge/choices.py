"""Enumerations of the case library (SPEC KB-1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndexField(models.TextChoices):
    """The parts of a case the search index knows apart; each has its weight in the ranking
    (policies.FIELD_WEIGHTS)."""

    TITLE = "title", _("title")
    SYMPTOM = "symptom", _("symptom")
    TAGS = "tags", _("tags")
    PRODUCT = "product", _("model, reagent and lot")
    CAUSE = "cause", _("cause")
    FIX = "fix", _("fix")
    LESSONS = "lessons", _("lessons and notes")
