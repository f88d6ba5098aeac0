from django.db import models
from django.utils.translation import gettext_lazy as _


class Ownership(models.TextChoices):
    """SPEC MD-4 ([S0 1.二.(一) note 1]): dealer-placed units are serviced by us too."""

    CUSTOMER = "customer", _("Customer-owned")
    COMPANY = "company", _("Company-owned (placed)")
    DEALER = "dealer", _("Dealer-placed")


class InstrumentStatus(models.TextChoices):
    INSTALLING = "installing", _("Being installed")
    IN_USE = "in_use", _("In use")
    IDLE = "idle", _("Idle")
    UNDER_REPAIR = "repair", _("Under repair")
    RETURNED = "returned", _("Returned")
    SCRAPPED = "scrapped", _("Scrapped")


class WarrantyState(models.TextChoices):
    IN_WARRANTY = "in", _("In warranty")
    EXPIRED = "out", _("Out of warranty")
    NOT_ACCEPTED = "none", _("Not yet accepted")
