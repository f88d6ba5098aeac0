"""Lot and serial trace; field safety notices (issue 5).

- `Delivery`: what was shipped to whom — the ground the trace stands on ("which customers
  received lot 20260301?"). Entered by commerce / logistics, imported from Excel, and later
  written by the order module (OR-1).
- `FieldNotice`: a field safety notice / recall (现场安全通知 / 召回) of class I, II or III for
  some lots and / or instruments; issuing it computes its recipients.
- `NoticeRecipient`: one affected customer of a notice — when it was told, how, and who at the
  customer acknowledged it (by the personal link or recorded by staff).
- `NoticeEvent`: the notice's timeline (who, when, what, why).
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import Record
from apps.trace.choices import AckChannel, EventKind, NoticeClass, NoticeState, NotifyChannel

USER = settings.AUTH_USER_MODEL

EARLIEST_DELIVERY = "1980-01-01"
LATEST_DELIVERY = "2100-12-31"
MAX_QUANTITY = 1_000_000

SERIAL_SEPARATORS = re.compile(r"[\s,，、;；]+")


def split_serials(text: str) -> list[str]:
    """'A1, A2\nA3' → ['A1', 'A2', 'A3'] (order kept, each once)."""
    return list(dict.fromkeys(s for s in SERIAL_SEPARATORS.split(text or "") if s))


class Delivery(Record):
    """One shipment line: an item (with its lot, or a part's serial number) or an instrument,
    delivered to a customer on a day under a delivery note / sales order, perhaps through a
    dealer. A deactivated line (entered by mistake) is left out of every trace and notice."""

    delivered_on = models.DateField(_("delivered on"))
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="deliveries"
    )
    item = models.ForeignKey(
        "catalog.CatalogItem",
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        help_text=_("The reagent, calibrator, QC material or part; empty for an instrument."),
    )
    lot = models.ForeignKey(
        "catalog.Lot",
        verbose_name=_("lot"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    instrument = models.ForeignKey(
        "instruments.Instrument",
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    serial_no = models.CharField(
        _("serial number"),
        max_length=64,
        blank=True,
        help_text=_("Of the instrument or of a serial-tracked part."),
    )
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )
    document_no = models.CharField(_("delivery note / sales order no."), max_length=64)
    dealer = models.ForeignKey(
        "customers.Dealer",
        verbose_name=_("shipped through dealer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-delivered_on", "-id"]
        indexes = [
            # The trace: by lot, by serial number, by customer, by day.
            models.Index(fields=["lot", "delivered_on"], name="trace_delivery_lot"),
            models.Index(fields=["serial_no"], name="trace_delivery_serial"),
            models.Index(fields=["customer", "delivered_on"], name="trace_delivery_customer"),
            models.Index(fields=["delivered_on", "id"], name="trace_delivery_day"),
            models.Index(fields=["instrument"], name="trace_delivery_instrument"),
            models.Index(fields=["item", "delivered_on"], name="trace_delivery_item"),
            models.Index(fields=["document_no"], name="trace_delivery_document"),
            models.Index(fields=["dealer", "delivered_on"], name="trace_delivery_dealer"),
        ]

    def __str__(self):
        what = self.lot or self.item or self.instrument or ""
        return f"{self.document_no} · {what}"

    def get_absolute_url(self):
        return reverse("trace:delivery_detail", args=[self.pk])

    @property
    def what(self) -> str:
        """The line as people say it: 'R-GLU 葡萄糖测定试剂盒 · 20260301' / 'YH30-0001 (YH-30)'."""
        if self.instrument_id:
            return str(self.instrument)
        parts = [f"{self.item.code} {self.item.name}" if self.item_id else ""]
        if self.lot_id:
            parts.append(self.lot.lot_no)
        if self.serial_no:
            parts.append(self.serial_no)
        return " · ".join(p for p in parts if p)

    def clean(self):
        import datetime as dt

        from apps.instruments.models import Instrument

        errors = {}
        self.serial_no = (self.serial_no or "").strip()
        self.document_no = (self.document_no or "").strip()
        if self.delivered_on and not (
            dt.date.fromisoformat(EARLIEST_DELIVERY) <= self.delivered_on <= dt.date.fromisoformat(LATEST_DELIVERY)
        ):
            errors["delivered_on"] = _("Enter a date between %(start)s and %(end)s.") % {
                "start": EARLIEST_DELIVERY,
                "end": LATEST_DELIVERY,
            }
        if self.lot_id and not self.item_id:
            self.item = self.lot.item  # the lot names its item
        if self.lot_id and self.item_id and self.lot.item_id != self.item_id:
            errors["lot"] = _("This lot belongs to another item (%(item)s).") % {"item": self.lot.item.code}
        if not self.item_id and not self.instrument_id and self.serial_no:
            # An instrument delivered: found by its serial number.
            found = Instrument.objects.filter(serial_no__iexact=self.serial_no).first()
            if found is None:
                errors["serial_no"] = _("No instrument has this serial number; for a part, name the item delivered.")
            else:
                self.instrument = found
        if not self.item_id and not self.instrument_id and "serial_no" not in errors:
            errors["item"] = _("Name the item delivered, or the instrument.")
        if self.instrument_id:
            if self.item_id:
                errors["instrument"] = _("A line is either an item or an instrument, not both.")
            if self.serial_no and self.serial_no.lower() != self.instrument.serial_no.lower():
                errors["serial_no"] = _("This is not the serial number of the chosen instrument.")
            self.serial_no = self.instrument.serial_no
            if self.quantity != 1:
                errors["quantity"] = _("An instrument is delivered one at a time (quantity 1).")
        if self.item_id and self.item.serial_tracked:
            if not self.serial_no:
                errors["serial_no"] = _("This part is serial-tracked: give its serial number.")
            elif self.quantity != 1:
                errors["quantity"] = _("A serial-tracked part is delivered one at a time (quantity 1).")
        if errors:
            raise ValidationError(errors)


class FieldNotice(Record):
    """A field safety notice / recall (SPEC issue 5; 医疗器械召回管理办法): for lots and / or
    instruments (and serial-tracked parts by serial number). Drafted and issued by the quality
    department; issuing fixes the recipients (exactly the customers that received one of the
    lots or parts, or have one of the instruments) and the deadline by which each must be told
    (policies.NOTIFY_WITHIN_DAYS by class). Closed once every recipient acknowledged, or with
    the reason why not. State changes only through apps.trace.services."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    notice_class = models.CharField(_("class"), max_length=1, choices=NoticeClass.choices)
    reason = models.TextField(_("reason"))
    action_required = models.TextField(_("action required of the customer"))
    lots = models.ManyToManyField("catalog.Lot", verbose_name=_("lots"), blank=True, related_name="field_notices")
    instruments = models.ManyToManyField(
        "instruments.Instrument", verbose_name=_("instruments"), blank=True, related_name="field_notices"
    )
    serial_numbers = models.TextField(
        _("serial numbers of parts"),
        blank=True,
        help_text=_("Serial-tracked parts concerned, one per line (instruments are listed above)."),
    )
    state = models.CharField(
        _("state"), max_length=8, choices=NoticeState.choices, default=NoticeState.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("drafted by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_by = models.ForeignKey(
        USER, verbose_name=_("issued by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True, db_index=True)
    due_at = models.DateTimeField(_("customers to be told by"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, verbose_name=_("closed by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.TextField(_("why closed without every acknowledgement"), blank=True)
    reminded_on = models.DateField(_("last reminder"), null=True, blank=True)

    _history_m2m_fields = ["lots", "instruments"]  # audited like plain fields (simple-history)

    class Meta:
        verbose_name = _("field safety notice")
        verbose_name_plural = _("field safety notices")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "issued_at"], name="trace_notice_state")]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("trace:notice_detail", args=[self.pk])

    @property
    def serial_list(self) -> list[str]:
        return split_serials(self.serial_numbers)

    @property
    def is_draft(self) -> bool:
        return self.state == NoticeState.DRAFT


class NoticeRecipient(models.Model):
    """One affected customer of an issued notice: due to be told by `due_at`; told (by e-mail
    with its personal link at issue, or by phone / visit recorded by staff); acknowledged by a
    named person at the customer (through the link, or recorded by staff)."""

    notice = models.ForeignKey(FieldNotice, on_delete=models.CASCADE, related_name="recipients")
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="field_notice_recipients",
    )
    affected = models.TextField(_("affected products"), blank=True)
    due_at = models.DateTimeField(_("to be told by"))
    link_nonce = models.CharField(max_length=32, editable=False)
    emailed_to = models.TextField(_("e-mailed to"), blank=True)
    notified_at = models.DateTimeField(_("told at"), null=True, blank=True)
    notified_by = models.ForeignKey(
        USER, verbose_name=_("told by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notify_channel = models.CharField(_("told by way of"), max_length=8, choices=NotifyChannel.choices, blank=True)
    notify_note = models.CharField(_("note on telling"), max_length=255, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.CharField(_("acknowledged by (name)"), max_length=64, blank=True)
    acknowledged_position = models.CharField(_("position"), max_length=64, blank=True)
    ack_note = models.CharField(_("acknowledgement note"), max_length=500, blank=True)
    ack_channel = models.CharField(_("acknowledged by way of"), max_length=8, choices=AckChannel.choices, blank=True)
    ack_recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notice recipient")
        verbose_name_plural = _("notice recipients")
        ordering = ["notice", "customer__code", "id"]
        constraints = [models.UniqueConstraint(fields=["notice", "customer"], name="trace_one_recipient_per_customer")]
        indexes = [
            models.Index(fields=["notice", "acknowledged_at"], name="trace_recipient_ack"),
            models.Index(fields=["notice", "notified_at"], name="trace_recipient_told"),
            models.Index(fields=["due_at", "notified_at"], name="trace_recipient_due"),
            models.Index(fields=["customer"], name="trace_recipient_customer"),
        ]

    def __str__(self):
        return f"{self.notice.number} → {self.customer.name}"

    def get_absolute_url(self):
        return reverse("trace:notice_detail", args=[self.notice_id]) + f"#recipient-{self.pk}"

    @property
    def is_notified(self) -> bool:
        return self.notified_at is not None

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    def is_overdue(self, at) -> bool:
        """Past its deadline and not yet told (the board shows it red)."""
        return self.notified_at is None and self.due_at < at


class NoticeEvent(models.Model):
    """The timeline a user reads on the notice page: who, when, what, why. Never changed."""

    notice = models.ForeignKey(FieldNotice, on_delete=models.CASCADE, related_name="events")
    recipient = models.ForeignKey(
        NoticeRecipient, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("at"))
    text = models.TextField(_("details"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("notice event")
        verbose_name_plural = _("notice events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["notice", "at"], name="trace_event_notice_at")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
