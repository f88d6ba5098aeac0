"""Forms of the survey pages. A form only parses and shapes the input; the services decide and
raise ValidationErrors keyed by the names used here (or by item code, mapped to the item's
score field), so each message lands under its field."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.surveys import policies
from apps.surveys.choices import (
    ITEM_GROUPS,
    AnswerMethod,
    ForwardTarget,
    Item,
    LetterKind,
    Score,
    SurveyChannel,
)

OUT_OF_DATE = _("This form is out of date; reload the page and apply your changes again.")
NOT_APPLICABLE = "na"
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label, *, rows=3, required=True, max_length=None, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class VersionedForm(forms.Form):
    """Carries the version of the record the user started from (the service refuses a stale one)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        super().__init__(*args, **kwargs)
        field = self.fields["expected_version"]
        field.error_messages["required"] = OUT_OF_DATE
        if instance is not None and not self.is_bound:
            field.initial = instance.version

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)

    def field_for_error(self, name: str) -> str | None:
        return name if name in self.fields else None


# --- answering a survey (SQ-1) ------------------------------------------------------------------


def score_field_name(item: str) -> str:
    return f"{item}_score"


def comment_field_name(item: str) -> str:
    return f"{item}_comment"


SCORE_CHOICES = [(str(value), label) for value, label in Score.choices] + [(NOT_APPLICABLE, _("Not applicable"))]


class SurveyAnswerForm(forms.Form):
    """The satisfaction survey: a 1–5 score (or "not applicable") and a comment per item, the
    respondent, free suggestions. Used on the customer's page, on the engineer's phone and by
    the clerk; `channels` are the ones the filling person may use (one: no choice shown)."""

    respondent_name = forms.CharField(label=_("Your name"), max_length=64, required=False)
    respondent_position = forms.CharField(label=_("Position"), max_length=64, required=False)
    suggestion = _text(_("Any other suggestions for our company?"), rows=3, required=False, max_length=2000)

    def __init__(self, *args, channels=(), survey=None, staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.channels = list(channels)
        for item in Item.values:
            self.fields[score_field_name(item)] = forms.ChoiceField(
                label=Item(item).label, choices=SCORE_CHOICES, required=False, widget=forms.RadioSelect
            )
            self.fields[comment_field_name(item)] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=policies.COMMENT_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if staff:
            self.fields["respondent_name"].label = _("Respondent")
            self.fields["respondent_position"].label = _("Respondent's position")
            self.fields["suggestion"].label = _("Suggestions")
        if len(self.channels) > 1:
            self.fields["channel"] = forms.ChoiceField(
                label=_("How is the survey filled in?"),
                choices=[(c, SurveyChannel(c).label) for c in self.channels],
                widget=forms.RadioSelect,
            )
        if staff and survey is not None:
            self.fields["expected_version"] = forms.IntegerField(widget=forms.HiddenInput)
            self.fields["expected_version"].error_messages["required"] = OUT_OF_DATE
            if not self.is_bound:
                self.fields["expected_version"].initial = survey.version
                if survey.contact_id and not self.initial.get("respondent_name"):
                    self.initial["respondent_name"] = survey.contact.name
                    self.initial["respondent_position"] = survey.contact.title

    def groups(self):
        """(section title, [(score field, comment field, dissatisfied?)]) in the form's order."""
        sections = []
        for title, items in ITEM_GROUPS:
            sections.append((title, [(self[score_field_name(i)], self[comment_field_name(i)]) for i in items]))
        return sections

    def answers(self) -> dict:
        data = {}
        for item in Item.values:
            value = self.cleaned_data.get(score_field_name(item)) or ""
            data[item] = {
                "score": int(value) if value.isdigit() else None,
                "not_applicable": value == NOT_APPLICABLE,
                "comment": self.cleaned_data.get(comment_field_name(item), ""),
            }
        return data

    def chosen_channel(self) -> str:
        if "channel" in self.fields:
            return self.cleaned_data["channel"]
        return self.channels[0] if self.channels else SurveyChannel.LINK

    def service_kwargs(self) -> dict:
        kwargs = {
            "channel": self.chosen_channel(),
            "answers": self.answers(),
            "respondent_name": self.cleaned_data.get("respondent_name", ""),
            "respondent_position": self.cleaned_data.get("respondent_position", ""),
            "suggestion": self.cleaned_data.get("suggestion", ""),
        }
        if "expected_version" in self.fields:
            kwargs["expected_version"] = self.cleaned_data["expected_version"]
        return kwargs

    def field_for_error(self, name: str) -> str | None:
        if name in Item.values:
            return score_field_name(name)
        return name if name in self.fields else None


# --- survey actions -------------------------------------------------------------------------------


class SendLinkForm(VersionedForm):
    email = forms.EmailField(
        label=_("Customer's e-mail"),
        required=False,
        help_text=_("Leave empty to use the contact's address."),
    )

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, instance=instance, **kwargs)
        if instance is not None and not self.is_bound and instance.contact_id:
            self.fields["email"].initial = instance.contact.email


class ConfirmForm(VersionedForm):
    pass


class CancelSurveyForm(VersionedForm):
    reason = forms.CharField(label=_("Reason"), max_length=255)


# --- case actions (SQ-2, SQ-3) --------------------------------------------------------------------


class CauseForm(VersionedForm):
    cause = _text(_("Cause"), rows=4, help_text=_("What made the customer dissatisfied, as found out."))

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, instance=instance, **kwargs)
        if instance is not None and not self.is_bound:
            self.fields["cause"].initial = instance.cause


class VerifyForm(VersionedForm):
    note = _text(
        _("Verification at the customer"),
        rows=4,
        help_text=_("The preliminary test at the customer's site: what was done and what it showed."),
    )


class QualityFeedbackFormForm(VersionedForm):
    issued_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET, required=False)
    product = forms.CharField(label=_("Product"), max_length=128)
    model = forms.CharField(label=_("Model / specification"), max_length=64, required=False)
    lot_no = forms.CharField(label=_("Lot or serial number"), max_length=64, required=False)
    problem = _text(_("Problem"), rows=3)
    verification_result = _text(_("Verification result"), rows=3)
    requested_action = _text(_("Requested action"), rows=3)

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, instance=instance, **kwargs)
        if instance is not None and not self.is_bound:
            order = instance.survey.work_order
            model = order.instrument_model or (order.instrument.model if order.instrument_id else None)
            self.fields["issued_on"].initial = timezone.localdate()
            if model is not None:
                self.fields["product"].initial = model.name
                self.fields["model"].initial = model.code
            if order.instrument_id:
                self.fields["lot_no"].initial = order.instrument.serial_no
            self.fields["problem"].initial = instance.customer_comment
            self.fields["verification_result"].initial = instance.verification_note


class ForwardForm(VersionedForm):
    forwarded_to = forms.ChoiceField(
        label=_("Forwarded to"), choices=ForwardTarget.choices, initial=ForwardTarget.BOTH, widget=forms.RadioSelect
    )
    forwarded_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET, required=False)
    note = _text(_("Note"), rows=3, help_text=_("What was sent, how (e-mail, post) and to whom."))


class LetterForm(VersionedForm):
    kind = forms.ChoiceField(label=_("Letter"), choices=LetterKind.choices, widget=forms.RadioSelect)
    letter_date = forms.DateField(label=_("Date"), widget=DATE_WIDGET, required=False)
    body = _text(_("Text"), rows=8)

    def __init__(self, *args, instance=None, **kwargs):
        from apps.surveys.services import default_letter_body

        super().__init__(*args, instance=instance, **kwargs)
        if instance is not None and not self.is_bound:
            low = instance.score is not None and instance.score <= policies.DISSATISFIED_AT_MOST
            kind = LetterKind.REPLY if low else LetterKind.THANKS
            self.fields["kind"].initial = kind
            self.fields["letter_date"].initial = timezone.localdate()
            self.fields["body"].initial = default_letter_body(instance, kind)


class AnswerForm(VersionedForm):
    answer = _text(_("Answer to the customer"), rows=4)
    method = forms.ChoiceField(label=_("How"), choices=AnswerMethod.choices, widget=forms.RadioSelect)
    answered_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET, required=False)

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, instance=instance, **kwargs)
        if instance is not None and not self.is_bound:
            self.fields["answered_on"].initial = timezone.localdate()
            if instance.letters.exists():
                self.fields["method"].initial = AnswerMethod.LETTER


class CloseForm(VersionedForm):
    improvement = _text(
        _("Improvement"),
        rows=4,
        help_text=_("What changes so that it does not happen again, and how it is tracked."),
    )

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, instance=instance, **kwargs)
        if instance is not None and not self.is_bound:
            self.fields["improvement"].initial = instance.improvement


# --- SQ-4 -------------------------------------------------------------------------------------------

RATING_CHOICES = [(str(value), f"{value} · {label}") for value, label in Score.choices]


class MonthField(forms.CharField):
    """A month as YYYY-MM (an <input type="month">) → the first day of that month."""

    widget = forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}", "placeholder": "2026-06"})

    def to_python(self, value):
        from apps.surveys.selectors import parse_month

        value = super().to_python(value)
        if not value:
            return None
        month = parse_month(value)
        if month is None:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        return month

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if hasattr(value, "strftime") else value


class RatingForm(forms.Form):
    engineer = forms.ModelChoiceField(label=_("Engineer"), queryset=None)
    month = MonthField(label=_("Month"))
    attitude = forms.TypedChoiceField(
        label=_("Service attitude"), choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    professional = forms.TypedChoiceField(
        label=_("Professional level"), choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    conduct = forms.TypedChoiceField(
        label=_("Personal conduct"), choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    comment = _text(_("Comment"), rows=3, required=False, max_length=2000)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, instance=None, **kwargs):
        from apps.surveys.selectors import current_month, engineers_for_rating

        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["engineer"].queryset = engineers_for_rating(user=user)
        if instance is not None:
            # The rating names its engineer and month; an edit changes the scores only.
            self.fields["engineer"].disabled = True
            self.fields["month"].disabled = True
            self.fields["expected_version"].required = True
            self.fields["expected_version"].error_messages["required"] = OUT_OF_DATE
            self.fields["engineer"].queryset = type(instance.engineer).objects.filter(pk=instance.engineer_id)
            if not self.is_bound:
                self.initial.update(
                    engineer=instance.engineer_id,
                    month=instance.month,
                    attitude=str(instance.attitude),
                    professional=str(instance.professional),
                    conduct=str(instance.conduct),
                    comment=instance.comment,
                    expected_version=instance.version,
                )
        elif not self.is_bound:
            self.initial.setdefault("month", current_month())

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        return data

    def field_for_error(self, name: str) -> str | None:
        return name if name in self.fields else None
