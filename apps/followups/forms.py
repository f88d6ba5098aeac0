"""Forms of the follow-up pages (views.py).

A form only parses and shapes the input; apps.followups.services decides and raises a
ValidationError keyed by its own argument names — `field_for_error` says under which field of
the form each lands. Every form carries the follow-up's `version` as `expected_version`: the
service refuses a stale one (ConflictError) and the page keeps what the user typed.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.followups import policies
from apps.followups.choices import Problem, Trend

OUT_OF_DATE = _("This form is out of date; reload the page and enter your answer again.")
YES, NO = "yes", "no"
YES_NO = ((YES, _("Yes")), (NO, _("No")))
QUESTION_PREFIX = "q_"


def _text(label, *, rows=3, required=False, max_length=None, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class FollowUpForm(forms.Form):
    """Base: the version of the follow-up the user started from."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=True)
    # Several of these forms share the detail page: each has its own element ids.
    key = "followup"
    # Service argument → form field, where the names differ.
    error_fields: dict[str, str] = {}

    def __init__(self, *args, followup=None, **kwargs):
        self.followup = followup
        kwargs.setdefault("auto_id", f"id_{self.key}_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["expected_version"]
        field.error_messages["required"] = OUT_OF_DATE
        if not self.is_bound and followup is not None:
            field.initial = followup.version

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)

    def field_for_error(self, name: str) -> str | None:
        name = self.error_fields.get(name, name)
        return name if name in self.fields else None


def question_field(label, kind):
    if kind == "yesno":
        return forms.ChoiceField(label=label, choices=YES_NO, required=False, widget=forms.RadioSelect)
    if kind == "number":
        # Parsed by the service ("Enter a number." lands here); the phone shows its number pad.
        return forms.CharField(
            label=label, required=False, max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
        )
    return _text(label, rows=2, max_length=2000)


class AnswerForm(FollowUpForm):
    """FU-2 / FU-3: the customer answered — the questionnaire of this follow-up, the trend
    (installation and service questionnaires), the outcome and the record."""

    key = "answer"

    spoke_with = forms.CharField(label=_("Spoke with"), max_length=64, required=False)
    trend = forms.ChoiceField(
        label=_("Results compared with usual"), choices=Trend.choices, required=False, widget=forms.RadioSelect
    )
    problem = forms.ChoiceField(label=_("Outcome"), choices=Problem.choices, required=False, widget=forms.RadioSelect)
    record = _text(_("Follow-up record"), rows=4, help_text=_("What the customer said; describe any problem found."))
    plan_told = _text(_("Solution told to the customer"), help_text=_("Needed when the problem was solved by phone."))
    remarks = forms.CharField(label=_("Remarks"), max_length=255, required=False)
    open_questions = _text(
        _("Questions to answer after discussion"),
        rows=2,
        help_text=_("Anything you could not answer on the phone; it is answered later."),
    )

    def __init__(self, *args, followup=None, **kwargs):
        super().__init__(*args, followup=followup, **kwargs)
        questionnaire = followup.questionnaire if followup is not None else ""
        self.questions = policies.QUESTIONS.get(questionnaire, ())
        # The questions first, in the questionnaire's order; the outcome after them.
        fields = {"expected_version": self.fields.pop("expected_version")}
        fields["spoke_with"] = self.fields.pop("spoke_with")
        for code, label, kind in self.questions:
            fields[QUESTION_PREFIX + code] = question_field(label, kind)
        fields.update(self.fields)
        self.fields = fields
        if questionnaire not in policies.TREND_QUESTIONNAIRES:
            del self.fields["trend"]

    def question_fields(self):
        return [self[QUESTION_PREFIX + code] for code, _label, _kind in self.questions]

    def outcome_fields(self):
        names = ("trend", "problem", "record", "plan_told", "remarks", "open_questions")
        return [self[name] for name in names if name in self.fields]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "answers": {code: data.get(QUESTION_PREFIX + code, "") for code, _label, _kind in self.questions},
            "trend": data.get("trend", ""),
            "problem": data.get("problem", ""),
            "record": data.get("record", ""),
            "remarks": data.get("remarks", ""),
            "plan_told": data.get("plan_told", ""),
            "open_questions": data.get("open_questions", ""),
            "spoke_with": data.get("spoke_with", ""),
            "expected_version": data["expected_version"],
        }

    def field_for_error(self, name: str) -> str | None:
        if QUESTION_PREFIX + name in self.fields:
            return QUESTION_PREFIX + name
        return super().field_for_error(name)


class NotReachedForm(FollowUpForm):
    key = "not_reached"
    note = forms.CharField(
        label=_("Note"),
        max_length=255,
        required=False,
        help_text=_("E.g. line busy, nobody in the lab; the call comes back on the list later."),
    )


class CorrectForm(FollowUpForm):
    """Correct a recorded outcome; the rest of the plan is re-planned from it (FU-1)."""

    key = "correct"

    trend = forms.ChoiceField(
        label=_("Results compared with usual"), choices=Trend.choices, required=False, widget=forms.RadioSelect
    )
    problem = forms.ChoiceField(label=_("Outcome"), choices=Problem.choices, required=False, widget=forms.RadioSelect)
    record = _text(_("Follow-up record"), help_text=_("Leave empty to keep the record as it is."))
    reason = _text(_("Why the answer changes"), rows=2)

    def __init__(self, *args, followup=None, **kwargs):
        super().__init__(*args, followup=followup, **kwargs)
        if followup is not None:
            if followup.questionnaire not in policies.TREND_QUESTIONNAIRES:
                del self.fields["trend"]
            if not self.is_bound:
                self.initial.update(trend=followup.trend, problem=followup.problem)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "trend": data.get("trend", ""),
            "problem": data.get("problem", ""),
            "record": data.get("record", ""),
            "reason": data.get("reason", ""),
            "expected_version": data["expected_version"],
        }


class CallerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} · {obj.get_role_display()}"


class ReassignForm(FollowUpForm):
    """A leader gives the follow-up to another engineer or clerk, or to the hotline pool (FU-7)."""

    key = "reassign"

    assignee = CallerChoiceField(
        label=_("New caller"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Hotline clerks (anyone may call)"),
    )
    reason = forms.CharField(label=_("Why"), max_length=200, required=False)

    def __init__(self, *args, followup=None, **kwargs):
        super().__init__(*args, followup=followup, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            is_active=True, role__in=(Role.ENGINEER, Role.CLERK)
        ).order_by("role", "name", "username")


class CancelForm(FollowUpForm):
    key = "cancel"
    reason = _text(_("Why the follow-up is cancelled"), rows=2)


class DecideForm(FollowUpForm):
    """FU-3: the leader's handling plan for a problem the caller could not solve by phone."""

    key = "decide"

    plan = _text(_("Handling plan"), rows=4)


class PlanToldForm(FollowUpForm):
    key = "told"
    note = _text(_("What the customer was told"), rows=2)


class QuestionsForm(FollowUpForm):
    """S0 3.(一)三.5: the questions left open on the phone, answered after discussion."""

    key = "questions"

    answer = _text(_("Answer given to the customer"), rows=3)


class WeekForm(forms.Form):
    """FU-7's load page: any day of the week to show."""

    week = forms.DateField(
        label=_("Week of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
