from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Record(models.Model):
    """Base of every master-data model.

    - `is_active`: records are deactivated, never hard-deleted from the UI or API.
    - `version`: optimistic lock; an update names the version it started from and is
      refused when somebody else saved in between (no silent lost update).
    - `history`: field-level audit trail (who, when, every value) via django-simple-history.
    """

    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(inherit=True)

    # Fields whose values are personal data; masked in history for roles without access.
    SENSITIVE_FIELDS: tuple[str, ...] = ()
    # Company-internal fields (e.g. an arrears note): left out of the history for dealers.
    INTERNAL_FIELDS: tuple[str, ...] = ()

    class Meta:
        abstract = True
