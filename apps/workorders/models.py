"""Work orders (SPEC §2): the request, its timeline, application and approvals, paid-service
money, readiness checklist, visits, parts, attachments and the signed report."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from apps.complaints.choices import CauseCategory
from apps.core.models import Record
from apps.workorders.choices import (
    ApplicationState,
    AttachmentKind,
    Billing,
    Channel,
    Decision,
    EventKind,
    Outcome,
    PartSupply,
    ReportKind,
    Status,
    Urgency,
    WorkType,
)

USER = settings.AUTH_USER_MODEL


class WorkOrder(Record):
    """One service request from intake to close (SPEC WO-1 … WO-18).

    `status` only changes through apps.workorders.services (the transition table of
    choices.TRANSITIONS); every change bumps `version` and writes a WorkOrderEvent.
    """

    number = models.CharField(_("number"), max_length=20, unique=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    work_type = models.CharField(_("type"), max_length=32, choices=WorkType.choices, db_index=True)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.PHONE)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="work_orders"
    )
    department = models.ForeignKey(
        "customers.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
    )
    caller_name = models.CharField(_("caller"), max_length=64, blank=True)
    caller_phone = models.CharField(_("caller's phone"), max_length=32, blank=True)
    instrument = models.ForeignKey(
        "instruments.Instrument",
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
    )
    instrument_model = models.ForeignKey(
        "catalog.InstrumentModel",
        verbose_name=_("instrument model"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    description = models.TextField(_("problem description"))
    site_address = models.CharField(_("site address"), max_length=255, blank=True)
    # Region of the customer's city (else province): scoping and dispatch by region.
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sales = models.ForeignKey(
        USER, verbose_name=_("sales"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("registered by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    # WO-1 / WO-10 / WO-15: what the clerk saw at intake.
    in_warranty = models.BooleanField(_("in warranty at intake"), default=False)
    arrears_at_intake = models.BooleanField(_("customer in arrears at intake"), default=False)
    # WO-15: service to a customer in arrears goes ahead only with the recorded agreement.
    arrears_agreed_by = models.ForeignKey(
        USER,
        verbose_name=_("arrears: service agreed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    arrears_agreement = models.CharField(_("arrears: who agreed and how"), max_length=255, blank=True)
    # WO-2: remote first.
    remote_actions = models.TextField(_("tried remotely"), blank=True)
    callback_due_at = models.DateTimeField(_("call back by"), null=True, blank=True)
    billing = models.CharField(_("billing"), max_length=16, choices=Billing.choices, default=Billing.UNDECIDED)
    # WO-5: dispatched before the application was filed.
    emergency = models.BooleanField(_("emergency dispatch"), default=False)
    application_missing = models.BooleanField(_("application missing"), default=False, db_index=True)
    # WO-4 / WO-6: the engineer the technical head dispatched.
    engineer = models.ForeignKey(
        USER,
        verbose_name=_("engineer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_work_orders",
    )
    dispatched_by = models.ForeignKey(
        USER, verbose_name=_("dispatched by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    # WO-7: the appointment the engineer agreed with the customer.
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True, db_index=True)
    appointment_with = models.CharField(_("agreed with"), max_length=64, blank=True)
    customer_contacted_at = models.DateTimeField(_("customer first contacted"), null=True, blank=True)
    on_hold = models.BooleanField(_("clocks paused"), default=False)
    hold_reason = models.CharField(_("pause reason"), max_length=255, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    escalated = models.BooleanField(_("escalated"), default=False)
    closing_reason = models.CharField(_("reason"), max_length=255, blank=True)
    # WO-13 / ISO 13485 7.5.4: every service record says whether it was assessed as a complaint.
    complaint_assessed = models.BooleanField(_("assessed as a complaint"), null=True, blank=True)
    complaint_assessed_by = models.ForeignKey(
        USER, verbose_name=_("assessed by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    complaint_assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    complaint_assessment_note = models.CharField(_("assessment note"), max_length=255, blank=True)
    quality_report_needed = models.BooleanField(_("external quality information report"), default=False)
    # Issue 5: the reagent / calibrator / QC lot a job concerns (lot trace, field safety notices)
    # and the cause the engineer found (CP-7 trending; same categories as complaints).
    lot = models.ForeignKey(
        "catalog.Lot",
        verbose_name=_("lot concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
    )
    fault_cause = models.CharField(
        _("cause found"), max_length=16, choices=CauseCategory.choices, blank=True, db_index=True
    )
    result_reported_at = models.DateTimeField(_("result reported to sales"), null=True, blank=True)

    SENSITIVE_FIELDS = ("caller_phone",)
    INTERNAL_FIELDS = ("arrears_agreement",)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="wo_status_created"),
            models.Index(fields=["engineer", "status"], name="wo_engineer_status"),
            models.Index(fields=["customer", "created_at"], name="wo_customer_created"),
            models.Index(fields=["instrument", "created_at"], name="wo_instrument_created"),
            models.Index(fields=["region", "status"], name="wo_region_status"),
            models.Index(fields=["sales", "status"], name="wo_sales_status"),
            # The unfiltered list (newest first) and the monthly trending counts (apps.trending).
            models.Index(fields=["created_at", "id"], name="wo_created"),
        ]

    def __str__(self):
        return f"{self.number} {self.customer}" if self.customer_id else self.number

    def get_absolute_url(self):
        return reverse("workorders:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        from apps.workorders.choices import OPEN_STATUSES

        return self.status in OPEN_STATUSES

    def clean(self):
        errors = {}
        if self.instrument_id and self.customer_id and self.instrument.customer_id != self.customer_id:
            errors["instrument"] = _("This instrument is not installed at the chosen customer.")
        if self.contact_id and self.customer_id and self.contact.customer_id != self.customer_id:
            errors["contact"] = _("This contact belongs to another customer.")
        if self.department_id and self.customer_id and self.department.customer_id != self.customer_id:
            errors["department"] = _("This department belongs to another customer.")
        if errors:
            raise ValidationError(errors)


class WorkOrderEvent(models.Model):
    """The timeline a user reads: who, when, from → to, why (SPEC WO-18). Never changed."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    action = models.CharField(_("action"), max_length=32, blank=True)
    from_status = models.CharField(_("from status"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, choices=Status.choices, blank=True)
    actor = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("at"), db_index=True)
    text = models.TextField(_("details"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["work_order", "at"], name="wo_event_order_at")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


def attachment_path(instance, filename):
    return f"workorders/{instance.work_order_id}/{filename}"


class Attachment(models.Model):
    """Photos, videos and files of a request or a visit (SPEC WO-1, WO-11)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=8, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    caption = models.CharField(_("caption"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(USER, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class ServiceApplication(models.Model):
    """技术服务申请表 (SPEC WO-3) and its approval route (WO-9)."""

    work_order = models.OneToOneField(WorkOrder, on_delete=models.CASCADE, related_name="application")
    filed_by = models.ForeignKey(USER, verbose_name=_("filed by"), on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed at"))
    work_content = models.TextField(_("work content"), blank=True)
    billing = models.CharField(_("billing"), max_length=16, choices=Billing.choices)
    route = models.JSONField(_("approval route"), default=list)
    route_explanation = models.CharField(_("why this route"), max_length=255, blank=True)
    current_step = models.PositiveSmallIntegerField(_("current step"), default=0)
    state = models.CharField(
        _("state"), max_length=16, choices=ApplicationState.choices, default=ApplicationState.PENDING, db_index=True
    )
    # WO-9: a free service for a full-line user needs the user's and the dealer's agreement.
    user_and_dealer_agree = models.BooleanField(_("user and dealer agree"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service application")
        verbose_name_plural = _("service applications")

    def __str__(self):
        return str(_("Application for %(number)s") % {"number": self.work_order.number})

    @property
    def step_code(self) -> str | None:
        return self.route[self.current_step] if self.current_step < len(self.route) else None


class ApprovalDecision(models.Model):
    """One decided step of an application's route."""

    application = models.ForeignKey(ServiceApplication, on_delete=models.CASCADE, related_name="decisions")
    step = models.CharField(_("step"), max_length=32)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    decided_by = models.ForeignKey(USER, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"))
    reason = models.TextField(_("reason / note"), blank=True)

    class Meta:
        verbose_name = _("approval decision")
        verbose_name_plural = _("approval decisions")
        ordering = ["decided_at", "id"]


class PaidService(models.Model):
    """The money of a paid hardware service (SPEC WO-9)."""

    work_order = models.OneToOneField(WorkOrder, on_delete=models.CASCADE, related_name="paid")
    quote_amount = models.DecimalField(_("quoted price (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True)
    quote_note = models.TextField(_("quote details"), blank=True)
    contract_no = models.CharField(_("contract number"), max_length=64, blank=True)
    customer_agreed_at = models.DateTimeField(_("customer agreed at"), null=True, blank=True)
    deposit_amount = models.DecimalField(_("deposit (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True)
    deposit_reference = models.CharField(_("bank transfer reference"), max_length=64, blank=True)
    deposit_paid_at = models.DateTimeField(_("deposit paid at"), null=True, blank=True)
    deposit_confirmed_by = models.ForeignKey(
        USER, verbose_name=_("deposit confirmed by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    deposit_confirmed_at = models.DateTimeField(_("deposit confirmed at"), null=True, blank=True)
    balance_due_date = models.DateField(_("balance due"), null=True, blank=True, db_index=True)
    balance_paid_at = models.DateTimeField(_("balance paid at"), null=True, blank=True)
    balance_confirmed_by = models.ForeignKey(
        USER, verbose_name=_("balance confirmed by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    invoice_no = models.CharField(_("invoice number"), max_length=64, blank=True)
    parts_warranty_until = models.DateField(_("fitted parts warranty until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("paid service")
        verbose_name_plural = _("paid services")

    def __str__(self):
        # Read on the order's page (history): the order is already named there.
        return str(_("Paid service"))

    @property
    def balance_amount(self):
        if self.quote_amount is None or self.deposit_amount is None:
            return None
        return self.quote_amount - self.deposit_amount


class ChecklistItem(models.Model):
    """One line of the readiness checklist before the visit (SPEC WO-8)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="checklist")
    code = models.CharField(_("code"), max_length=32)
    label = models.CharField(pgettext_lazy("checklist", "item"), max_length=255)
    position = models.PositiveSmallIntegerField(default=0)
    done = models.BooleanField(_("done"), default=False)
    done_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["work_order", "code"], name="wo_checklist_unique_code")]


class Visit(models.Model):
    """One on-site visit of the assigned engineer (SPEC WO-11)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="visits")
    engineer = models.ForeignKey(USER, verbose_name=_("engineer"), on_delete=models.PROTECT, related_name="visits")
    checked_in_at = models.DateTimeField(_("arrived on site"))
    checked_out_at = models.DateTimeField(_("left the site"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    work_done = models.TextField(_("work done"), blank=True)
    measurements = models.TextField(_("measurements"), blank=True)
    drift_warning_given = models.BooleanField(
        _("customer warned of possible result drift / recalibration"), default=False
    )
    lab_head_consent = models.BooleanField(_("lab head agreed before leaving"), default=False)
    lab_head_name = models.CharField(_("lab head"), max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["checked_in_at", "id"]
        constraints = [
            # One open visit per work order at a time.
            models.UniqueConstraint(
                fields=["work_order"], condition=Q(checked_out_at__isnull=True), name="wo_one_open_visit"
            )
        ]

    def __str__(self):
        from django.utils import timezone

        return str(_("Visit of %(day)s") % {"day": timezone.localtime(self.checked_in_at).strftime("%Y-%m-%d %H:%M")})


class PartUsage(models.Model):
    """A spare part used or needed for a repair (SPEC WO-11, WO-16)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="parts")
    visit = models.ForeignKey(Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="parts")
    item = models.ForeignKey("catalog.CatalogItem", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    supply = models.CharField(_("supply"), max_length=16, choices=PartSupply.choices)
    fitted = models.BooleanField(_("fitted"), default=False)
    requested_at = models.DateTimeField(_("requested at"))
    arrival_confirmed_at = models.DateTimeField(_("arrival confirmed"), null=True, blank=True)
    reminder_due_on = models.DateField(_("arrival reminder due"), null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        ordering = ["requested_at", "id"]


def report_pdf_path(instance, filename):
    return f"reports/{instance.work_order_id}/{filename}"


class ServiceReport(models.Model):
    """The signed report, frozen (SPEC WO-12).

    `content` is the snapshot of everything the customer signed; `content_hash` its SHA-256;
    `pdf` is generated once at signing with `pdf_hash`. Nothing here is ever updated;
    apps.workorders.reports.verify() compares the snapshot with today's data.
    """

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="reports")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="reports", null=True)
    number = models.CharField(_("report number"), max_length=32, unique=True)
    kind = models.CharField(_("report type"), max_length=16, choices=ReportKind.choices)
    content = models.JSONField(_("signed content"))
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64)
    signer_name = models.CharField(_("signed by"), max_length=64)
    signer_title = models.CharField(_("signer's position"), max_length=64, blank=True)
    signature_meaning = models.CharField(_("meaning of the signature"), max_length=64)
    signed_at = models.DateTimeField(_("signed at"))
    signature_png = models.BinaryField(_("signature image"))
    pdf = models.FileField(_("PDF"), upload_to=report_pdf_path, max_length=255)
    pdf_hash = models.CharField(_("PDF hash (SHA-256)"), max_length=64)
    created_by = models.ForeignKey(USER, verbose_name=_("engineer"), on_delete=models.PROTECT, related_name="+")
    emailed_to = models.CharField(_("e-mailed to"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("service report")
        verbose_name_plural = _("service reports")
        ordering = ["signed_at", "id"]

    def __str__(self):
        return self.number
