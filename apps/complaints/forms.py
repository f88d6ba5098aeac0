"""Forms of the complaint pages: they only parse and check what the user typed against what he
may see; apps.complaints.services decides (and checks the same rules again under the lock).

Every form of a move on the complaint carries `version` — the version of the complaint the user
saw — so that a stale page never overwrites somebody else's change."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.catalog.choices import ItemKind
from apps.catalog.forms import KindSearchSelect
from apps.catalog.models import CatalogItem, InstrumentModel, Lot
from apps.complaints import selectors
from apps.complaints.choices import (
    CauseCategory,
    Disposition,
    EventCategory,
    Harm,
    Kind,
    ReplyKind,
    ReplyMethod,
    YesNoUnknown,
)
from apps.complaints.models import Capa, Complaint, ReportingRule
from apps.complaints.services import INTAKE_FIELDS
from apps.core.forms import VersionedModelForm
from apps.core.widgets import SearchSelect
from apps.customers.models import Customer
from apps.customers.selectors import customer_scope_q
from apps.instruments.selectors import instrument_list
from apps.sla.forms import DurationTextField

DATE = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}
FUTURE_TOLERANCE = dt.timedelta(minutes=5)  # a phone's clock a little ahead is not "the future"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_FORMAT)


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock time in the user's time zone, as a phone's date-time picker sends it."""

    widget = DateTimeInput
    input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name or obj.username


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name or obj.username


class CapaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} · {obj.title}"


class CapaMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} · {obj.title}"


def capitalise_labels(form) -> None:
    """Labels as sentences ("Received at"), like the labels Django derives from the model."""
    for field in form.fields.values():
        if field.label:
            field.label = capfirst(field.label)


HANDLER_ROLES = (Role.QUALITY, Role.TECH_HEAD, Role.SUPERVISOR)


def handlers():
    return User.objects.filter(role__in=HANDLER_ROLES, is_active=True).order_by("role", "name", "username")


def engineers():
    return User.objects.filter(role=Role.ENGINEER, is_active=True).order_by("name", "username")


# --- intake (CP-1) and its corrections ----------------------------------------------------------

RADIO_FIELDS = ("kind", "device_used", "used_for_diagnosis", "met_specification", "complainant_sex")


class ComplaintForm(VersionedModelForm):
    """CP-1 intake: every field of the complaint file known at receipt. The same form corrects
    the intake fields of an open complaint (the "edit" activity), with its version."""

    received_at = LocalDateTimeField(
        label=_("received at"), required=False, help_text=_("Empty: now. Oral complaints are recorded when received.")
    )
    aware_at = LocalDateTimeField(
        label=_("company became aware at"),
        required=False,
        help_text=_(
            "Regulatory deadlines run from here. Empty: when it was received. Earlier when a colleague "
            "(sales, an engineer) heard of it first."
        ),
    )
    handler = StaffChoiceField(queryset=User.objects.none(), label=_("handled by"), required=False)
    engineer = StaffChoiceField(
        queryset=User.objects.none(),
        label=_("engineer complained about"),
        required=False,
        help_text=_("Service complaints only (CP-3)."),
    )

    class Meta:
        model = Complaint
        fields = list(INTAKE_FIELDS)
        widgets = {
            "kind": forms.RadioSelect,
            "customer": SearchSelect("customers:customer_lookup"),
            "instrument_model": SearchSelect("catalog:instrumentmodel_lookup"),
            "item": SearchSelect("catalog:item_lookup"),
            "lot": SearchSelect("catalog:lot_lookup"),
            "instrument": SearchSelect("instruments:instrument_lookup"),
            "work_order": forms.HiddenInput,
            "survey": forms.HiddenInput,
            "followup": forms.HiddenInput,
            "complainant_sex": forms.RadioSelect,
            "complainant_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "complainant_age": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 130}),
            "purchased_on": forms.DateInput(**DATE),
            "details": forms.Textarea(attrs={"rows": 4}),
            "harm_details": forms.Textarea(attrs={"rows": 3}),
            "device_used": forms.RadioSelect,
            "used_for_diagnosis": forms.RadioSelect,
            "met_specification": forms.RadioSelect,
        }
        help_texts = {
            "lot": _("The lot from the catalogue; else type the lot number as the complainant gave it."),
            "instrument": _("A unit of the installed base; its serial number and model are filled in."),
            "udi": _("The UDI on the label, if the complainant can read it."),
        }

    # Sections of the page (phone: one after the other; the labels are the card titles).
    SECTIONS = (
        (_("Complaint"), ("kind", "channel", "received_at", "aware_at", "handler")),
        (
            _("Complainant"),
            (
                "customer",
                "complainant_name",
                "complainant_sex",
                "complainant_age",
                "complainant_employer",
                "complainant_address",
                "complainant_phone",
            ),
        ),
        (
            _("Product"),
            (
                "product_name",
                "model_spec",
                "manufacturer",
                "instrument_model",
                "item",
                "lot",
                "lot_no",
                "instrument",
                "serial_no",
                "udi",
                "purchased_from",
                "purchased_on",
            ),
        ),
        (
            _("What happened"),
            (
                "summary",
                "details",
                "device_used",
                "used_for_diagnosis",
                "met_specification",
                "harm",
                "harm_details",
                "told_to_stop_use",
                "engineer",
            ),
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        from apps.followups.selectors import followup_list
        from apps.surveys.selectors import survey_list
        from apps.workorders.selectors import workorder_list

        self.fields["customer"].queryset = Customer.objects.filter(customer_scope_q(user))
        self.fields["instrument"].queryset = instrument_list(user=user)
        self.fields["instrument_model"].queryset = InstrumentModel.objects.all()
        self.fields["item"].queryset = CatalogItem.objects.all()
        self.fields["lot"].queryset = Lot.objects.select_related("item")
        # Active rows only, plus what the complaint already names (even if since deactivated).
        self.limit_to_active("customer", "instrument", "instrument_model", "item", "lot")
        self.fields["handler"].queryset = handlers() | User.objects.filter(pk=self.instance.handler_id or 0)
        self.fields["engineer"].queryset = engineers() | User.objects.filter(pk=self.instance.engineer_id or 0)
        self.fields["work_order"].queryset = workorder_list(user=user)
        self.fields["survey"].queryset = survey_list(user=user)
        self.fields["followup"].queryset = followup_list(user=user)
        if self.instance.pk:
            self.fields["received_at"].required = True
            self.fields["aware_at"].required = True
        else:
            self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["kind"].choices = list(Kind.choices)
        self.fields["complainant_sex"].choices = [
            ("", pgettext_lazy("sex", "Not given")),
            *self.fields["complainant_sex"].choices[1:],
        ]
        for name in ("device_used", "used_for_diagnosis", "met_specification"):
            self.fields[name].choices = list(YesNoUnknown.choices)
        self.fields["harm"].choices = list(Harm.choices)
        self.order_fields([name for _title, names in self.SECTIONS for name in names])
        capitalise_labels(self)

    # The service refuses future dates too; checked here as well so that the clerk sees every
    # mistake at once, not the date only after the other fields are fixed.
    def clean_received_at(self):
        return self._not_future("received_at", _("The date received cannot be in the future."))

    def clean_aware_at(self):
        return self._not_future("aware_at", _("The awareness date cannot be in the future."))

    def _not_future(self, name, message):
        value = self.cleaned_data.get(name)
        if value is not None and value > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError(message)
        return value

    def sections(self):
        """[(title, [bound fields])] for the template."""
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def service_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in INTAKE_FIELDS if name in self.cleaned_data}
        for name in ("received_at", "aware_at"):
            if data.get(name) is None:
                data.pop(name, None)  # the service fills them (now; when received)
        return data


# --- moves and activities on one complaint -------------------------------------------------------


class ComplaintActionForm(forms.Form):
    """One move or activity on a complaint; `version` is the complaint's version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    field_aliases: dict[str, str] = {}

    def __init__(self, *args, complaint: Complaint, user, **kwargs):
        self.complaint = complaint
        self.user = user
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", complaint.version)
        super().__init__(*args, **kwargs)
        capitalise_labels(self)

    def field_for_error(self, name: str) -> str | None:
        """The form field that shows a service error about `name` (None: above the form)."""
        name = self.field_aliases.get(name, name)
        return name if name in self.fields else None

    def expected_version(self):
        return self.cleaned_data.get("version")

    def service_kwargs(self) -> dict:
        raise NotImplementedError


def _text(label, *, rows=3, required=True, help_text=""):
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs={"rows": rows}), required=required, help_text=help_text, strip=True
    )


YES_NO = (("yes", _("Yes")), ("no", _("No")))


class EvaluateForm(ComplaintActionForm):
    """ISO 13485 8.2.2 a/b: is it a complaint? Both answers need the rationale."""

    is_complaint = forms.ChoiceField(
        label=_("Is it a complaint?"),
        choices=(("yes", _("Yes, it is a complaint")), ("no", _("No, it is not a complaint"))),
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether it is a complaint.")},
    )
    rationale = _text(_("Rationale"), help_text=_("Why — for the complaint file."))

    def __init__(self, *args, allow_no: bool = True, allow_yes: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        choices = self.fields["is_complaint"].choices
        self.fields["is_complaint"].choices = [
            (value, label) for value, label in choices if (value == "yes" and allow_yes) or (value == "no" and allow_no)
        ]

    def service_kwargs(self):
        return {"is_complaint": self.cleaned_data["is_complaint"] == "yes", "rationale": self.cleaned_data["rationale"]}


class ReportabilityForm(ComplaintActionForm):
    """8.2.3 / China's adverse-event rules / US MDR: reportable? Which events? Each chosen
    event starts the reports its rules name, due from the awareness date."""

    reportable = forms.ChoiceField(
        label=_("Reportable to an authority?"),
        choices=(("no", _("Not reportable")), ("yes", _("Reportable"))),
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether it is reportable.")},
    )
    events = forms.MultipleChoiceField(
        label=_("What makes it reportable"),
        choices=EventCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    rationale = _text(
        _("Rationale"), required=False, help_text=_("Required when not reportable; recommended in every case.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.complaint.reportable is not None:
            self.initial.setdefault("reportable", "yes" if self.complaint.reportable else "no")
            self.initial.setdefault("events", list(self.complaint.reportable_events))
            self.initial.setdefault("rationale", self.complaint.reportability_rationale)

    def clean(self):
        data = super().clean()
        if data.get("reportable") == "yes" and not data.get("events"):
            self.add_error("events", _("Name what makes it reportable (death, serious injury, group event …)."))
        if data.get("reportable") == "no" and not data.get("rationale"):
            self.add_error("rationale", _("Say why it is not reportable."))
        return data

    def service_kwargs(self):
        reportable = self.cleaned_data["reportable"] == "yes"
        return {
            "reportable": reportable,
            "events": self.cleaned_data["events"] if reportable else [],
            "rationale": self.cleaned_data.get("rationale", ""),
        }


class InvestigationForm(ComplaintActionForm):
    """820.198(e)(9): the dates and results of the investigation."""

    started_on = forms.DateField(
        label=_("investigation started"),
        widget=forms.DateInput(**DATE),
        required=False,
        help_text=_("Empty: the day received."),
    )
    completed_on = forms.DateField(
        label=_("investigation completed"), widget=forms.DateInput(**DATE), required=False, help_text=_("Empty: today.")
    )
    findings = _text(_("investigation results"), rows=4)
    root_cause = _text(_("root cause"), required=False)
    cause_category = forms.ChoiceField(
        label=_("cause"),
        choices=[("", "—"), *CauseCategory.choices],
        error_messages={"required": _("Choose the cause.")},
    )
    part = forms.ModelChoiceField(
        label=_("part concerned"),
        queryset=CatalogItem.objects.none(),
        required=False,
        widget=KindSearchSelect("catalog:item_lookup", kinds=[ItemKind.SPARE_PART]),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["part"].queryset = CatalogItem.objects.filter(is_active=True)

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "findings": data["findings"],
            "root_cause": data.get("root_cause", ""),
            "cause_category": data["cause_category"],
            "started_on": data.get("started_on"),
            "completed_on": data.get("completed_on"),
            "part": data.get("part"),
        }


class WaiveInvestigationForm(ComplaintActionForm):
    """820.198(b): no investigation — why, who decided (the user), and the earlier complaint
    whose investigation covers it."""

    reason = _text(_("why no investigation"))
    covered_by = forms.CharField(
        label=_("earlier complaint that covers it"),
        max_length=20,
        required=False,
        help_text=_("Its number, e.g. CP260302-00012."),
    )
    cause_category = forms.ChoiceField(label=_("cause"), choices=[("", "—"), *CauseCategory.choices], required=False)

    def clean_covered_by(self):
        number = self.cleaned_data.get("covered_by", "").strip()
        if not number:
            return None
        earlier = selectors.complaint_by_number(user=self.user, number=number)
        if earlier is None:
            raise forms.ValidationError(_("No complaint with this number."))
        return earlier

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "reason": data["reason"],
            "covered_by": data.get("covered_by"),
            "cause_category": data.get("cause_category", ""),
        }


class DispositionForm(ComplaintActionForm):
    disposition = forms.ChoiceField(
        label=_("product disposition"),
        choices=Disposition.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happened to the product.")},
    )
    note = _text(_("disposition note"), required=False)

    def service_kwargs(self):
        return {"disposition": self.cleaned_data["disposition"], "note": self.cleaned_data.get("note", "")}


class CorrectionForm(ComplaintActionForm):
    """8.2.2 e: the correction made, and the CAPA(s) it led to — or why none is needed."""

    correction = _text(_("correction"), help_text=_("What was done about this complaint."))
    capas = CapaMultipleChoiceField(
        label=_("link open CAPAs"),
        queryset=Capa.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    no_capa_reason = _text(_("why no CAPA"), required=False, help_text=_("Required when no CAPA is linked."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capas"].queryset = selectors.linkable_capas(self.complaint)
        # Say what is already linked (not offered again), and that nothing else is open to link.
        linked = [capa.number for capa in self.complaint.capas.all()]
        if linked:
            self.fields["capas"].help_text = _("Already linked: %(numbers)s.") % {"numbers": ", ".join(linked)}
            self.fields["no_capa_reason"].help_text = ""
        elif not self.fields["capas"].queryset.exists():
            self.fields["capas"].help_text = _(
                "No open CAPA to link — open a new one below, or say why none is needed."
            )

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "correction": data["correction"],
            "capas": list(data.get("capas") or []),
            "no_capa_reason": data.get("no_capa_reason", ""),
        }


class ReplyForm(ComplaintActionForm):
    """820.198(e)(8): a reply to the complainant (CP-4: the first reply stops the 24 h clock,
    a plan the 48 h one)."""

    kind = forms.ChoiceField(label=_("reply"), choices=ReplyKind.choices, initial=ReplyKind.ACKNOWLEDGEMENT)
    method = forms.ChoiceField(
        label=_("how"), choices=ReplyMethod.choices, initial=ReplyMethod.PHONE, widget=forms.RadioSelect
    )
    replied_at = LocalDateTimeField(label=_("replied at"), required=False, help_text=_("Empty: now."))
    content = _text(_("what was said"))
    satisfied = forms.ChoiceField(
        label=_("complainant satisfied"),
        choices=YesNoUnknown.choices,
        initial=YesNoUnknown.UNKNOWN,
        widget=forms.RadioSelect,
    )

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "kind": data.get("kind"),
            "method": data["method"],
            "content": data["content"],
            "satisfied": data["satisfied"],
            "replied_at": data.get("replied_at"),
        }


class ResolutionForm(ReplyForm):
    """The reply that tells the complainant how it was resolved; on to the quality review."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]

    def service_kwargs(self):
        data = super().service_kwargs()
        data.pop("kind")
        return data


class TextForm(ComplaintActionForm):
    text_label = _("Text")
    text_help = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"] = _text(self.text_label, help_text=self.text_help)
        self.order_fields(["text", "version"])

    def service_kwargs(self):
        return {"text": self.cleaned_data["text"]}


class ApologyForm(TextForm):
    text_label = _("Apology: how and what was said")


class TalkForm(TextForm):
    text_label = _("What was discussed with the engineer")
    text_help = _("He is then asked for his written self-assessment.")
    field_aliases = {"note": "text"}

    def service_kwargs(self):
        return {"note": self.cleaned_data["text"]}


class SelfAssessmentForm(TextForm):
    text_label = _("My self-assessment")
    text_help = _("What happened, what you would do differently. The technical head and the centre head read it.")


class NoteForm(TextForm):
    text_label = pgettext_lazy("complaint", "Note")


class CloseForm(ComplaintActionForm):
    review_note = _text(_("quality review"), help_text=_("The reviewer's conclusion for the complaint file."))

    def service_kwargs(self):
        return {"review_note": self.cleaned_data["review_note"]}


class ReworkForm(ComplaintActionForm):
    reason = _text(_("What must be reworked"))

    def service_kwargs(self):
        return {"reason": self.cleaned_data["reason"]}


class LinkCapaForm(ComplaintActionForm):
    capa = CapaChoiceField(
        label=_("open CAPA"), queryset=Capa.objects.none(), error_messages={"required": _("Choose a CAPA.")}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capa"].queryset = selectors.linkable_capas(self.complaint)

    def service_kwargs(self):
        return {"capa": self.cleaned_data["capa"]}


class ReportSubmitForm(forms.Form):
    """The regulatory report went to the authority: when, its number there, the file sent."""

    submitted_at = LocalDateTimeField(label=_("submitted at"), required=False, help_text=_("Empty: now."))
    report_number = forms.CharField(
        label=_("report number"),
        max_length=64,
        error_messages={"required": _("Give the report number the authority gave.")},
    )
    attachment = forms.FileField(label=_("report sent (file)"), required=False)
    note = forms.CharField(label=pgettext_lazy("report", "note"), max_length=255, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, report, **kwargs):
        self.report = report
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", report.version)
        kwargs.setdefault("auto_id", f"id_report{report.pk}_%s")  # several on one page
        super().__init__(*args, **kwargs)
        capitalise_labels(self)

    def field_for_error(self, name: str) -> str | None:
        return name if name in self.fields else None

    def clean_submitted_at(self):
        # Also refused by the service; here so that it shows with the other mistakes at once.
        value = self.cleaned_data.get("submitted_at")
        if value is not None and value > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError(_("The submission date cannot be in the future."))
        return value

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "submitted_at": data.get("submitted_at"),
            "report_number": data["report_number"],
            "attachment": data.get("attachment"),
            "note": data.get("note", ""),
            "expected_version": data.get("version"),
        }


# --- CAPAs, reviews, rules ------------------------------------------------------------------------


class CapaForm(forms.Form):
    number = forms.CharField(
        label=_("CAPA number"), max_length=32, required=False, help_text=_("Empty: numbered automatically.")
    )
    title = forms.CharField(label=_("title"), max_length=200)
    description = _text(_("description"), required=False)
    owner = StaffChoiceField(queryset=User.objects.none(), label=_("owner"), required=False, help_text=_("Empty: you."))
    due_on = forms.DateField(label=_("due on"), widget=forms.DateInput(**DATE), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(
            role__in=(*HANDLER_ROLES, Role.ADMIN), is_active=True
        ).order_by("name", "username")
        capitalise_labels(self)

    def field_for_error(self, name: str) -> str | None:
        return name if name in self.fields else None

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        return data


class CapaCloseForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        capitalise_labels(self)

    effectiveness = _text(_("effectiveness check"), help_text=_("How it was verified that the action worked."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def field_for_error(self, name: str) -> str | None:
        return name if name in self.fields else None


class ReviewDecideForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        capitalise_labels(self)

    decision = _text(_("decision"), help_text=_("Kept on his assignments, moved, retrained … and why."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def field_for_error(self, name: str) -> str | None:
        return name if name in self.fields else None


class ReportingRuleForm(VersionedModelForm):
    """The quality department keeps the regulatory deadlines (issue 5: a table, not constants).
    A report already started keeps the deadline it was given."""

    warn_before = DurationTextField(
        label=_("Warn before"),
        required=False,
        help_text=_("Warn the quality department this long before the deadline, e.g. 2 d or 6 h; empty for none."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The code names the rule in the seeds and the reports; it stays.
            self.fields["code"].disabled = True

    class Meta:
        model = ReportingRule
        fields = [
            "code",
            "jurisdiction",
            "event",
            "sequence",
            "name",
            "recipient",
            "amount",
            "unit",
            "warn_before",
            "escalate_role",
            "source",
        ]

    def clean_warn_before(self):
        import datetime as dt

        return self.cleaned_data.get("warn_before") or dt.timedelta(0)
