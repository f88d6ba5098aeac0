"""Returns and exchanges (SPEC CP-6, [S4] 医疗器械退换货售后服务管理制度): an application with the
proof of purchase and the fault, checked against the allowed period; the assessment of cause and
responsibility; the remedy (repair, replacement, or a refund when neither solves it); what was
done; closure."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.complaints.choices import CauseCategory
from apps.core.models import Record
from apps.returns.choices import (
    FINAL_STATUSES,
    Action,
    AttachmentKind,
    EventKind,
    PeriodRule,
    ProductKind,
    RefundBasis,
    Remedy,
    RequestedRemedy,
    Responsibility,
    Status,
)

USER = settings.AUTH_USER_MODEL


class ReturnRequest(Record):
    """One application to return, exchange or repair a product [S4 退换货 3.1–3.4].

    `status` only changes through apps.returns.services (the table choices.TRANSITIONS); every move
    writes a ReturnEvent. The allowed period is computed once, at the application
    (policies.allowed_period); an application outside it exists only when a manager accepted it
    with a reason (`override_reason`, `override_by`).
    """

    number = models.CharField(_("number"), max_length=20, unique=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.APPLIED, db_index=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="return_requests"
    )
    applicant_name = models.CharField(_("applicant"), max_length=64)
    applicant_phone = models.CharField(_("applicant's phone"), max_length=32, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+")
    # The customer's sales person at the application: told at every step.
    sales = models.ForeignKey(
        USER, verbose_name=_("sales"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_requests",
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_requests",
    )
    # The product.
    product_kind = models.CharField(_("kind of product"), max_length=12, choices=ProductKind.choices, db_index=True)
    product_name = models.CharField(_("product"), max_length=128)
    instrument = models.ForeignKey(
        "instruments.Instrument",
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_requests",
    )
    item = models.ForeignKey(
        "catalog.CatalogItem",
        verbose_name=_("catalogue item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_requests",
    )
    lot = models.ForeignKey(
        "catalog.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lot_no = models.CharField(_("lot number"), max_length=32, blank=True, db_index=True)
    serial_no = models.CharField(_("serial number"), max_length=64, blank=True, db_index=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    purchased_on = models.DateField(_("bought on"))
    purchase_document = models.CharField(
        _("invoice / delivery note number"), max_length=64, help_text=_("The document the proof of purchase shows.")
    )
    device_data = models.TextField(
        _("device data"), blank=True, help_text=_("Software version, run hours, alarm codes, QC results, storage.")
    )
    fault_description = models.TextField(_("fault description"))
    requested_remedy = models.CharField(_("customer asks for"), max_length=10, choices=RequestedRemedy.choices)
    applied_on = models.DateField(_("applied on"), db_index=True)
    # The allowed period [S4 3.1], and a manager's acceptance outside it.
    period_ends_on = models.DateField(_("allowed period ends"))
    period_rule = models.CharField(_("period rule"), max_length=20, choices=PeriodRule.choices)
    in_period = models.BooleanField(_("within the allowed period"), db_index=True)
    override_reason = models.TextField(_("why accepted outside the period"), blank=True)
    override_by = models.ForeignKey(
        USER, verbose_name=_("accepted by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Assessment [S4 3.2].
    cause = models.TextField(_("cause"), blank=True)
    cause_category = models.CharField(
        _("kind of cause"), max_length=16, choices=CauseCategory.choices, blank=True, db_index=True
    )
    responsibility = models.CharField(
        _("responsibility"), max_length=10, choices=Responsibility.choices, blank=True, db_index=True
    )
    assessed_by = models.ForeignKey(
        USER, verbose_name=_("assessed by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    # Remedy [S4 3.3–3.4].
    remedy = models.CharField(_("remedy"), max_length=12, choices=Remedy.choices, blank=True, db_index=True)
    chargeable = models.BooleanField(_("charged to the customer"), default=False)
    refund_basis = models.CharField(_("why a refund"), max_length=20, choices=RefundBasis.choices, blank=True)
    refund_reason = models.TextField(_("why repair or replacement does not solve it"), blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # What was done.
    work_done = models.TextField(_("what was done"), blank=True)
    completed_on = models.DateField(_("done on"), null=True, blank=True)
    goods_received_on = models.DateField(_("goods received back on"), null=True, blank=True)
    replacement_serial = models.CharField(_("replacement serial / lot"), max_length=64, blank=True)
    refund_amount = models.DecimalField(_("refund (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    refund_paid_on = models.DateField(_("refund paid on"), null=True, blank=True)
    refund_reference = models.CharField(_("payment reference"), max_length=64, blank=True)
    completed_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # Closed or rejected.
    close_note = models.TextField(_("closing note"), blank=True)
    closed_by = models.ForeignKey(
        USER, verbose_name=_("closed by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reject_reason = models.TextField(_("why rejected"), blank=True)
    rejected_by = models.ForeignKey(
        USER, verbose_name=_("rejected by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)

    SENSITIVE_FIELDS = ("applicant_phone",)
    HISTORY_REASONS = {
        **dict(Action.choices),
        "attachment": _("Attachment"),
    }
    INTERNAL_FIELDS = ("refund_reference",)

    class Meta:
        verbose_name = _("return / exchange")
        verbose_name_plural = _("returns and exchanges")
        ordering = ["-applied_on", "-id"]
        indexes = [
            models.Index(fields=["status", "applied_on"], name="return_status_applied"),
            models.Index(fields=["customer", "applied_on"], name="return_customer_applied"),
            models.Index(fields=["sales", "applied_on"], name="return_sales_applied"),
            models.Index(fields=["remedy", "applied_on"], name="return_remedy_applied"),
        ]

    def __str__(self):
        return f"{self.number} {self.product_name}"

    def get_absolute_url(self):
        return reverse("returns:detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


def attachment_path(instance, filename):
    return f"returns/{instance.return_request_id}/{filename}"


class ReturnAttachment(models.Model):
    """The proof of purchase (required), photos or records of the fault, other files."""

    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=8, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(USER, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class ReturnEvent(models.Model):
    """The application's timeline a user reads: who, when, from → to, why (never edited)."""

    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("at"))
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices, blank=True)
    text = models.TextField(_("text"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("return event")
        verbose_name_plural = _("return events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["return_request", "at"], name="return_event_at")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
