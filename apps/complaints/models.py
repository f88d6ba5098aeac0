"""Complaints (SPEC §6 CP-1 … CP-4) kept as a complaint file in the sense of ISO 13485:2016
8.2.2 and 21 CFR 820.198, with the regulatory reporting rules and reports (8.2.3; China's
adverse-event rules; US MDR), CAPA links and the CP-3 reassignment reviews."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.accounts.choices import Role
from apps.complaints.choices import (
    Action,
    CapaState,
    CauseCategory,
    Channel,
    DeadlineUnit,
    Disposition,
    EventCategory,
    EventKind,
    Harm,
    Jurisdiction,
    Kind,
    ReplyKind,
    ReplyMethod,
    ReportState,
    ReviewState,
    Sex,
    Status,
    YesNoUnknown,
)
from apps.core.models import Record

USER = settings.AUTH_USER_MODEL


class ReportingRule(Record):
    """One line of the regulatory reporting rules (issue 5; SPEC §6 "deadlines kept as
    configuration"): for an event category found by the reportability decision, which report goes
    to whom within how long of the company becoming aware. Several lines per event are normal (a
    group event: 12 h by phone, 24 h individual reports, 7 days investigation). A report already
    started keeps the deadline it was given."""

    code = models.SlugField(_("code"), max_length=48, unique=True)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=8, choices=Jurisdiction.choices)
    event = models.CharField(_("event"), max_length=20, choices=EventCategory.choices, db_index=True)
    sequence = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("report"), max_length=128)
    recipient = models.CharField(_("to"), max_length=128)
    amount = models.PositiveIntegerField(_("within"))
    unit = models.CharField(_("unit"), max_length=16, choices=DeadlineUnit.choices)
    warn_before = models.DurationField(
        _("warn before"),
        default=timedelta(0),
        help_text=_("Warn the quality department this long before the deadline."),
    )
    escalate_role = models.CharField(
        _("escalate to"), max_length=32, choices=Role.choices, help_text=_("Role told when the report is overdue.")
    )
    source = models.CharField(_("legal source"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("reporting rule")
        verbose_name_plural = _("reporting rules")
        ordering = ["jurisdiction", "event", "sequence"]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("complaints:rule_detail", args=[self.pk])

    @property
    def label(self) -> str:
        return gettext(self.name) if self.name else self.code

    @property
    def recipient_label(self) -> str:
        return gettext(self.recipient) if self.recipient else ""

    @property
    def source_label(self) -> str:
        return gettext(self.source) if self.source else ""

    @property
    def deadline_text(self) -> str:
        return gettext("%(amount)s %(unit)s of becoming aware") % {
            "amount": self.amount,
            "unit": self.get_unit_display(),
        }

    def clean(self):
        errors = {}
        if self.amount is not None and self.amount < 1:
            errors["amount"] = _("The deadline must be at least 1.")
        if self.amount is not None and self.amount > 3650:
            errors["amount"] = _("The deadline cannot be longer than ten years.")
        if self.warn_before is not None and self.warn_before < timedelta(0):
            errors["warn_before"] = _("The warning time cannot be negative.")
        if errors:
            raise ValidationError(errors)


class Capa(Record):
    """A corrective or preventive action (ISO 13485 8.5.2 / 8.5.3) that complaints and trend
    signals link to. The CAPA process itself lives in the quality system; here it is the link,
    the owner, the due date and whether it is closed — a complaint cannot close while one of
    its CAPAs is open."""

    number = models.CharField(_("CAPA number"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(USER, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=CapaState.choices, default=CapaState.OPEN, db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, verbose_name=_("closed by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    effectiveness = models.TextField(_("effectiveness check"), blank=True)

    class Meta:
        verbose_name = _("CAPA")
        verbose_name_plural = _("CAPAs")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("complaints:capa_detail", args=[self.pk])


class Complaint(Record):
    """One complaint from receipt to closure (CP-1 … CP-4).

    The fields are those of CP-1 [S4 4.2] and of a complaint file under ISO 13485 8.2.2 /
    21 CFR 820.198(e): device, date received, UDI / lot / serial, complainant, nature and
    details, use for diagnosis, specification, relation to harm, investigation dates and
    results, correction, and (ComplaintReply) every reply. `status` only changes through
    apps.complaints.services (the table choices.TRANSITIONS); every move writes a
    ComplaintEvent. Closed complaints are read-only and carry their retention date.
    """

    number = models.CharField(_("number"), max_length=20, unique=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, db_index=True)
    channel = models.CharField(_("received by way of"), max_length=12, choices=Channel.choices, default=Channel.PHONE)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    aware_at = models.DateTimeField(
        _("company became aware at"),
        help_text=_("Regulatory deadlines run from here; usually when it was received."),
    )
    received_by = models.ForeignKey(USER, verbose_name=_("received by"), on_delete=models.PROTECT, related_name="+")
    handler = models.ForeignKey(
        USER, verbose_name=_("handled by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Where it came from (any service record, survey or follow-up can open one).
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    survey = models.ForeignKey(
        "surveys.Survey", verbose_name=_("survey"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    followup = models.ForeignKey(
        "followups.FollowUp",
        verbose_name=_("follow-up"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # CP-1: the complainant.
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    complainant_name = models.CharField(_("complainant"), max_length=64)
    complainant_sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, blank=True)
    complainant_age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    complainant_employer = models.CharField(_("employer"), max_length=128, blank=True)
    complainant_address = models.CharField(_("address"), max_length=255, blank=True)
    complainant_phone = models.CharField(_("phone"), max_length=32, blank=True)
    # CP-1: the product.
    product_name = models.CharField(_("product"), max_length=128)
    model_spec = models.CharField(_("model / specification"), max_length=128, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=128, blank=True)
    instrument_model = models.ForeignKey(
        "catalog.InstrumentModel",
        verbose_name=_("instrument model"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    item = models.ForeignKey(
        "catalog.CatalogItem",
        verbose_name=_("reagent / item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    lot = models.ForeignKey(
        "catalog.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    lot_no = models.CharField(
        _("lot number"), max_length=32, blank=True, db_index=True, help_text=_("As the complainant gave it.")
    )
    instrument = models.ForeignKey(
        "instruments.Instrument",
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    serial_no = models.CharField(_("serial number"), max_length=64, blank=True, db_index=True)
    udi = models.CharField(_("UDI"), max_length=128, blank=True)
    purchased_from = models.CharField(_("bought from"), max_length=128, blank=True)
    purchased_on = models.DateField(_("bought on"), null=True, blank=True)
    # CP-1 / 820.198(e): the nature of it.
    summary = models.CharField(_("complaint in one line"), max_length=200)
    details = models.TextField(_("details"))
    device_used = models.CharField(
        _("device was in use"), max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    used_for_diagnosis = models.CharField(
        _("used for diagnosis or treatment"), max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    met_specification = models.CharField(
        _("device met its specification"), max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    harm = models.CharField(_("harm"), max_length=16, choices=Harm.choices, default=Harm.NONE)
    harm_details = models.TextField(_("harm or adverse reaction"), blank=True)
    told_to_stop_use = models.BooleanField(
        _("complainant told to stop using this lot / unit until reviewed"), default=False
    )
    # CP-3 service complaint: the engineer complained about.
    engineer = models.ForeignKey(
        USER,
        verbose_name=_("engineer complained about"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_against",
    )
    # Evaluation (8.2.2 a/b).
    evaluation_rationale = models.TextField(_("evaluation rationale"), blank=True)
    evaluated_by = models.ForeignKey(
        USER, verbose_name=_("evaluated by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    # Reportability (8.2.3).
    reportable = models.BooleanField(_("reportable to an authority"), null=True, blank=True)
    reportable_events = models.JSONField(_("reportable events"), default=list, blank=True)
    reportability_rationale = models.TextField(_("reportability rationale"), blank=True)
    reportability_by = models.ForeignKey(
        USER,
        verbose_name=_("reportability decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reportability_at = models.DateTimeField(_("reportability decided at"), null=True, blank=True)
    # Investigation (820.198(b)(c)(e)).
    investigated = models.BooleanField(_("investigated"), null=True, blank=True)
    investigation_started_on = models.DateField(_("investigation started"), null=True, blank=True)
    investigation_completed_on = models.DateField(_("investigation completed"), null=True, blank=True)
    investigation_findings = models.TextField(_("investigation results"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    cause_category = models.CharField(
        _("cause"), max_length=16, choices=CauseCategory.choices, blank=True, db_index=True
    )
    part = models.ForeignKey(
        "catalog.CatalogItem",
        verbose_name=_("part concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    no_investigation_reason = models.TextField(_("why no investigation"), blank=True)
    covered_by = models.ForeignKey(
        "self",
        verbose_name=_("earlier complaint that covers it"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    investigation_decided_by = models.ForeignKey(
        USER,
        verbose_name=_("investigation decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Product disposition.
    disposition = models.CharField(_("product disposition"), max_length=16, choices=Disposition.choices, blank=True)
    disposition_note = models.TextField(_("disposition note"), blank=True)
    # Correction / CAPA (8.2.2 e).
    correction = models.TextField(_("correction"), blank=True)
    capas = models.ManyToManyField(Capa, verbose_name=_("CAPAs"), blank=True, related_name="complaints")
    no_capa_reason = models.TextField(_("why no CAPA"), blank=True)
    # CP-3: service complaint steps.
    apology = models.TextField(_("apology (technical head)"), blank=True)
    apologised_at = models.DateTimeField(_("apologised at"), null=True, blank=True)
    apologised_by = models.ForeignKey(
        USER, verbose_name=_("apologised by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    talk_note = models.TextField(_("talk with the engineer"), blank=True)
    talked_at = models.DateTimeField(_("talked at"), null=True, blank=True)
    talked_by = models.ForeignKey(
        USER, verbose_name=_("talked with him"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    self_assessment = models.TextField(_("engineer's self-assessment"), blank=True)
    self_assessed_at = models.DateTimeField(_("self-assessment written at"), null=True, blank=True)
    # Quality review and closure.
    review_note = models.TextField(_("quality review"), blank=True)
    reviewed_by = models.ForeignKey(
        USER, verbose_name=_("reviewed by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    retain_until = models.DateField(_("keep until"), null=True, blank=True)

    SENSITIVE_FIELDS = ("complainant_phone", "complainant_address", "complainant_age")
    # CP-3: notes about a member of staff (selectors.sees_personnel_notes decides who reads them).
    PERSONNEL_FIELDS = frozenset({"talk_note", "self_assessment"})
    HISTORY_CHOICES = {"reportable_events": EventCategory.choices}  # core.history: codes → labels
    # core.history: the reasons services.save() writes, in the reader's language.
    HISTORY_REASONS = {
        **dict(Action.choices),
        "revise_reportability": _("Reportability revised"),
        "reply": _("Reply to the complainant"),
        "apology": _("Apology"),
        "talk": _("Talk with the engineer"),
        "self-assessment": _("Engineer's self-assessment"),
        "capa": _("CAPA"),
    }

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="complaint_status_received"),
            models.Index(fields=["customer", "received_at"], name="complaint_customer_received"),
            models.Index(fields=["engineer", "received_at"], name="complaint_engineer_received"),
            models.Index(fields=["lot", "received_at"], name="complaint_lot_received"),
        ]

    def __str__(self):
        return f"{self.number} {self.summary}"

    def get_absolute_url(self):
        return reverse("complaints:detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        from apps.complaints.choices import FINAL_STATUSES

        return self.status in FINAL_STATUSES

    @property
    def is_service(self) -> bool:
        return self.kind in (Kind.SERVICE, Kind.BOTH)

    @property
    def is_product(self) -> bool:
        return self.kind in (Kind.PRODUCT, Kind.BOTH)

    def clean(self):
        errors = {}
        if self.aware_at and self.received_at:
            # Receiving a complaint makes the company aware: a later awareness date would put
            # the legal reporting deadlines off. Earlier is normal (a sales person heard it first).
            if self.aware_at > self.received_at:
                errors["aware_at"] = _("The company was aware at the latest when it received the complaint.")
            elif self.aware_at < self.received_at - timedelta(days=366):
                errors["aware_at"] = _("The awareness date is too far from the date received.")
        if self.complainant_age is not None and self.complainant_age > 130:
            errors["complainant_age"] = _("Give an age between 0 and 130.")
        if self.lot_id and self.item_id and self.lot.item_id != self.item_id:
            errors["lot"] = _("This lot belongs to another item.")
        if errors:
            raise ValidationError(errors)


class ComplaintEvent(models.Model):
    """The complaint's timeline a user reads: who, when, from → to, why (never edited)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("at"))
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices, blank=True)
    text = models.TextField(_("text"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["complaint", "at"], name="complaint_event_at")]


class ComplaintReply(models.Model):
    """Every reply to the complainant (820.198(e)(8)): when, how, what, by whom."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="replies")
    kind = models.CharField(_("kind"), max_length=16, choices=ReplyKind.choices)
    method = models.CharField(_("how"), max_length=8, choices=ReplyMethod.choices)
    replied_at = models.DateTimeField(_("replied at"))
    content = models.TextField(_("what was said"))
    satisfied = models.CharField(
        _("complainant satisfied"), max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    by = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["replied_at", "id"]


def report_upload_path(instance, filename):
    return f"complaints/{instance.complaint_id}/reports/{filename}"


class RegulatoryReport(models.Model):
    """One report a reportable complaint owes an authority, with its deadline from the awareness
    date under its rule. Pending reports are scanned: a warning before the deadline, an
    escalation when it passes (tasks.check_regulatory_reports). The submission is recorded with
    its date, the authority's report number and the file sent."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="reports")
    rule = models.ForeignKey(ReportingRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="reports")
    # The rule as it was when the clock started (editing the rule moves no deadline already set).
    name = models.CharField(_("report"), max_length=128)
    recipient = models.CharField(_("to"), max_length=128)
    amount = models.PositiveIntegerField(_("within"))
    unit = models.CharField(_("unit"), max_length=16, choices=DeadlineUnit.choices)
    aware_at = models.DateTimeField(_("aware at"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=ReportState.choices, default=ReportState.PENDING)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    report_number = models.CharField(_("report number"), max_length=64, blank=True)
    attachment = models.FileField(_("report sent"), upload_to=report_upload_path, max_length=255, blank=True)
    submitted_by = models.ForeignKey(
        USER, verbose_name=_("submitted by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("regulatory report")
        verbose_name_plural = _("regulatory reports")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="regreport_state_due"),
            models.Index(fields=["state", "warn_at"], name="regreport_state_warn"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "rule"],
                condition=Q(state__in=["pending", "submitted"]),
                name="regreport_one_live_per_rule",
            )
        ]

    def __str__(self):
        return gettext(self.name)

    @property
    def label(self) -> str:
        return gettext(self.name)

    @property
    def recipient_label(self) -> str:
        return gettext(self.recipient)


class ReassignmentReview(models.Model):
    """CP-3 [S0 3.(四)]: a second service complaint against the same engineer flags him for a
    reassignment review; the technical head decides and records why."""

    engineer = models.ForeignKey(USER, verbose_name=_("engineer"), on_delete=models.PROTECT, related_name="+")
    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint that raised it"), on_delete=models.PROTECT, related_name="+"
    )
    earlier = models.ForeignKey(
        Complaint, verbose_name=_("earlier complaint"), on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised at"))
    state = models.CharField(_("state"), max_length=8, choices=ReviewState.choices, default=ReviewState.OPEN)
    decision = models.TextField(_("decision"), blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reassignment review")
        verbose_name_plural = _("reassignment reviews")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["complaint"], name="reassignment_one_per_complaint"),
        ]

    def __str__(self):
        return gettext("Reassignment review of %(engineer)s") % {"engineer": self.engineer}
