"""Forms of the suggestion pages: they only parse what the user typed; apps.suggestions.services
decides and raises ValidationErrors keyed by the field names used here."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.core.forms import VersionedModelForm
from apps.core.widgets import SearchSelect
from apps.customers.models import Customer
from apps.customers.selectors import customer_scope_q
from apps.suggestions import policies
from apps.suggestions.choices import AnswerMethod, Category, Decision, Department, Source
from apps.suggestions.models import Suggestion

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OUT_OF_DATE = _("This form is out of date; reload the page and apply your changes again.")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name or obj.username} · {obj.get_role_display()}"


class SuggestionForm(VersionedModelForm):
    """Collect a suggestion in writing [S0 3.(四)二.1]."""

    submitter = StaffChoiceField(
        queryset=User.objects.none(),
        label=_("staff member"),
        required=False,
        help_text=_("For a suggestion of ours: who made it (empty: you)."),
    )

    class Meta:
        model = Suggestion
        fields = [
            "source",
            "category",
            "customer",
            "submitter_name",
            "submitter",
            "submitter_contact",
            "received_on",
            "title",
            "content",
        ]
        widgets = {
            "source": forms.RadioSelect,
            "category": forms.RadioSelect,
            "customer": SearchSelect("customers:customer_lookup"),
            "received_on": DATE_WIDGET,
            "content": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "customer": _("For a customer's suggestion."),
            "submitter_name": _("The person who made it, e.g. 李主任 of the laboratory."),
            "content": _("As the suggestion was made, in writing."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["customer"].queryset = Customer.objects.filter(customer_scope_q(user), is_active=True)
        self.fields["customer"].required = False
        self.fields["submitter"].queryset = (
            User.objects.filter(is_active=True).exclude(role=Role.DEALER).order_by("name", "username")
        )
        self.fields["submitter_name"].required = False
        self.fields["content"].max_length = policies.TEXT_MAX
        self.fields["source"].choices = Source.choices
        self.fields["category"].choices = Category.choices  # radios: no "---------" choice
        if not self.is_bound:
            self.fields["received_on"].initial = timezone.localdate()
            self.fields["source"].initial = Source.CUSTOMER
        self.fields["received_on"].required = False

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class MoveForm(forms.Form):
    """Carries the version of the suggestion the user started from."""

    expected_version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE}
    )

    def __init__(self, *args, suggestion, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggestion = suggestion
        if not self.is_bound:
            self.fields["expected_version"].initial = suggestion.version

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)

    def field_for_error(self, name: str) -> str | None:
        return name if name in self.fields else None


class DiscussForm(MoveForm):
    departments = forms.MultipleChoiceField(
        label=_("discussed with"), choices=Department.choices, widget=forms.CheckboxSelectMultiple
    )
    record = forms.CharField(
        label=_("what was discussed"),
        max_length=policies.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Feasibility, cost, who would do it; the leaders' opinion if it was asked."),
    )


class DecideForm(MoveForm):
    decision = forms.ChoiceField(label=_("decision"), choices=Decision.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("conclusion"),
        max_length=policies.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What will be done and by whom, or why not; the letter quotes it."),
    )


class AnswerForm(MoveForm):
    method = forms.ChoiceField(
        label=_("sent by"), choices=AnswerMethod.choices, widget=forms.RadioSelect, initial=AnswerMethod.POST
    )
    letter_date = forms.DateField(label=_("letter date"), required=False, widget=DATE_WIDGET)
    letter_text = forms.CharField(
        label=_("letter text"),
        max_length=policies.TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The letter also names the suggestion and the decision, and carries the company's name."),
    )

    def __init__(self, *args, suggestion, **kwargs):
        super().__init__(*args, suggestion=suggestion, **kwargs)
        if not self.is_bound:
            from apps.core.writes import in_default_language
            from apps.suggestions.services import default_letter_text

            self.fields["letter_date"].initial = timezone.localdate()
            with in_default_language():
                self.fields["letter_text"].initial = default_letter_text(suggestion)


class WithdrawForm(MoveForm):
    reason = forms.CharField(
        label=_("why withdrawn"), max_length=policies.TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


MOVE_FORMS = {
    "discuss": DiscussForm,
    "decide": DecideForm,
    "answer": AnswerForm,
    "withdraw": WithdrawForm,
}
