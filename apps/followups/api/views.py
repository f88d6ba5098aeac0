"""/api/v1/follow-ups/, follow-up-rules/, follow-up-sheets/ and follow-up-loads/ (SPEC §4).

Each move parses a small body that names the `version` it was based on and calls exactly one
service of apps.followups.services: a stale version or a move the follow-up's state does not
allow is 409, a move this user may not make is 403, a follow-up outside the user's scope is 404.
"""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.core.api import RecordViewSet, RolePermission
from apps.core.ids import parse_id
from apps.core.services import record_set_active
from apps.followups import selectors, services
from apps.followups.api import filters
from apps.followups.api import serializers as s
from apps.followups.choices import AssigneeRole
from apps.followups.models import FollowUp, FollowUpSheet

REFUSALS = {
    400: OpenApiResponse(description=_("Invalid input: the messages name the fields.")),
    403: OpenApiResponse(description=_("You may not make this move on this follow-up.")),
    404: OpenApiResponse(description=_("No such follow-up in your scope.")),
    409: OpenApiResponse(description=_("A stale version, or a move the state does not allow.")),
}


def _move_schema(body, *, description: str, response=s.FollowUpDetailSerializer, code: int = 200):
    return extend_schema(request=body, responses={code: response, **REFUSALS}, description=description)


class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Follow-up calls and visits: listed, read, planned by hand (POST) and worked by one POST per
    move. Never edited as a whole and never deleted."""

    resource = "followup"
    permission_classes = [RolePermission]
    filterset_class = filters.FollowUpApiFilter
    ordering_fields = ["due_at", "done_at", "number", "created_at", "updated_at"]
    # Every move needs "change" (the callers and their leaders); who may make it on this
    # follow-up is the service's answer (403 with its reason).
    required_actions = {
        "list": "view",
        "retrieve": "view",
        "calls": "view",
        "create": "add",
        "record": "change",
        "not_reached": "change",
        "correct": "change",
        "reassign": "change",
        "cancel": "change",
        "leader_decision": "change",
        "plan_told": "change",
        "answer_questions": "change",
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no real user
            return FollowUp.objects.none()
        return selectors.followup_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.FollowUpDetailSerializer
        return s.FollowUpSerializer

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_object(self) -> FollowUp:
        pk = parse_id(self.kwargs.get("pk"))
        if pk is None:
            raise Http404
        followup = selectors.followup_detail(user=self.request.user, pk=pk)
        self.check_object_permissions(self.request, followup)
        return followup

    def _detail(self, pk: int, *, code: int = status.HTTP_200_OK) -> Response:
        try:
            followup = selectors.followup_detail(user=self.request.user, pk=pk)
        except Http404:
            # The move took it out of the caller's scope: he still learns the outcome.
            followup = FollowUp.objects.select_related("customer", "work_order").get(pk=pk)
        body = s.FollowUpDetailSerializer(followup, context=self.get_serializer_context()).data
        return Response(body, status=code)

    def _parse(self, request, body_class):
        followup = self.get_object()
        params = body_class(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        return followup, dict(params.validated_data)

    # --- reading -----------------------------------------------------------------------------

    @extend_schema(responses={200: s.FollowUpDetailSerializer, 404: REFUSALS[404]})
    def retrieve(self, request, pk=None):
        """One follow-up with its questions and answers, outcome, plan and timeline."""
        return self._detail(self.get_object().pk)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "day", OpenApiTypes.DATE, description=_("The day of the list, YYYY-MM-DD (default today).")
            )
        ],
        responses=s.FollowUpSerializer(many=True),
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def calls(self, request):
        """Your call list (FU-2): your open follow-ups due by the end of the day, overdue first;
        for clerks also the hotline pool."""
        query = s.CallsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.call_list(user=request.user, day=query.validated_data.get("day"))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            s.FollowUpSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    # --- planning by hand ----------------------------------------------------------------------

    @extend_schema(
        request=s.FollowUpScheduleSerializer,
        responses={201: s.FollowUpDetailSerializer, 400: REFUSALS[400], 403: REFUSALS[403]},
    )
    def create(self, request):
        """Plan one follow-up by hand for a work order you can see."""
        params = s.FollowUpScheduleSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        order = data["work_order"]
        assignee = data["assignee"]
        followup = services.followup_schedule(
            source=order,
            customer=order.customer,
            job=data["job"],
            questionnaire=data["questionnaire"],
            due_at=data["due_at"],
            reason=data["reason"],
            actor=request.user,
            assignee=assignee,
            assignee_role=AssigneeRole.CLERK
            if assignee is None or assignee.role == Role.CLERK
            else AssigneeRole.ENGINEER,
            channel=data["channel"],
        )
        return self._detail(followup.pk, code=status.HTTP_201_CREATED)

    # --- moves ---------------------------------------------------------------------------------

    @_move_schema(s.FollowUpRecordSerializer, description="Record the customer's answers and the outcome (FU-2, FU-3)")
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        followup, data = self._parse(request, s.FollowUpRecordSerializer)
        services.followup_record(
            followup=followup,
            actor=request.user,
            problem=data["problem"],
            answers=data["answers"],
            trend=data["trend"],
            record=data["record"],
            remarks=data["remarks"],
            plan_told=data["plan_told"],
            open_questions=data["open_questions"],
            spoke_with=data["spoke_with"],
            expected_version=data["version"],
        )
        return self._detail(followup.pk)

    @_move_schema(s.FollowUpNoteSerializer, description="Nobody answered: call again later (FU-3)")
    @action(detail=True, methods=["post"], url_path="not-reached")
    def not_reached(self, request, pk=None):
        followup, data = self._parse(request, s.FollowUpNoteSerializer)
        services.followup_not_reached(
            followup=followup, actor=request.user, note=data["note"], expected_version=data["version"]
        )
        return self._detail(followup.pk)

    @_move_schema(
        s.FollowUpCorrectSerializer, description="Correct a recorded outcome; the rest of the plan follows (FU-1)"
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        followup, data = self._parse(request, s.FollowUpCorrectSerializer)
        services.followup_correct(
            followup=followup,
            actor=request.user,
            trend=data["trend"],
            problem=data["problem"],
            record=data["record"],
            reason=data["reason"],
            expected_version=data["version"],
        )
        return self._detail(followup.pk)

    @_move_schema(
        s.FollowUpReassignSerializer, description="A leader gives the follow-up to another caller or the pool"
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        followup, data = self._parse(request, s.FollowUpReassignSerializer)
        services.followup_reassign(
            followup=followup,
            actor=request.user,
            assignee=data["assignee"],
            reason=data["reason"],
            expected_version=data["version"],
        )
        return self._detail(followup.pk)

    @_move_schema(s.FollowUpReasonSerializer, description="A leader cancels a follow-up, with the reason")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        followup, data = self._parse(request, s.FollowUpReasonSerializer)
        services.followup_cancel(
            followup=followup, actor=request.user, reason=data["reason"], expected_version=data["version"]
        )
        return self._detail(followup.pk)

    @_move_schema(s.FollowUpLeaderDecisionSerializer, description="A leader decides the handling plan (FU-3)")
    @action(detail=True, methods=["post"], url_path="leader-decision")
    def leader_decision(self, request, pk=None):
        followup, data = self._parse(request, s.FollowUpLeaderDecisionSerializer)
        services.followup_leader_decide(
            followup=followup, actor=request.user, plan=data["plan"], expected_version=data["version"]
        )
        return self._detail(followup.pk)

    @_move_schema(s.FollowUpNoteSerializer, description="The decided plan was told to the customer (FU-3)")
    @action(detail=True, methods=["post"], url_path="plan-told")
    def plan_told(self, request, pk=None):
        followup, data = self._parse(request, s.FollowUpNoteSerializer)
        services.followup_plan_told(
            followup=followup, actor=request.user, note=data["note"], expected_version=data["version"]
        )
        return self._detail(followup.pk)

    @_move_schema(
        s.FollowUpAnswerQuestionsSerializer, description="The open questions answered after discussion (FU-3)"
    )
    @action(detail=True, methods=["post"], url_path="answer-questions")
    def answer_questions(self, request, pk=None):
        followup, data = self._parse(request, s.FollowUpAnswerQuestionsSerializer)
        services.followup_answer_questions(
            followup=followup, actor=request.user, answer=data["answer"], expected_version=data["version"]
        )
        return self._detail(followup.pk)


# --- the rules table -------------------------------------------------------------------------


class FollowUpRuleViewSet(RecordViewSet):
    """The follow-up rules table (FU-1): read by all internal staff, changed and switched off by
    the administrator and the technical head. Completed jobs are planned from the active rules."""

    resource = "followup_rule"
    selector = selectors.rule_list
    serializer_class = s.FollowUpRuleSerializer
    filterset_class = filters.FollowUpRuleApiFilter
    ordering_fields = ["job", "sequence", "created_at", "updated_at"]
    create_service = services.rule_create
    update_service = services.rule_update
    set_active_service = record_set_active


# --- the follow-up sheet (FU-4) ----------------------------------------------------------------

SHEET_REFUSALS = {
    **REFUSALS,
    403: OpenApiResponse(description=_("You may not make this move on this sheet.")),
    404: OpenApiResponse(description=_("No such sheet in your scope.")),
}


def _sheet_move_schema(body, *, description: str):
    return extend_schema(
        request=body, responses={200: s.FollowUpSheetDetailSerializer, **SHEET_REFUSALS}, description=description
    )


class FollowUpSheetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Follow-up sheets (跟踪回访单): the caller makes and submits one for a period, the supervisor
    reviews and comments, the department head signs it off."""

    resource = "followup_sheet"
    permission_classes = [RolePermission]
    filterset_class = filters.FollowUpSheetApiFilter
    ordering_fields = ["period_end", "created_at", "updated_at"]
    # Who may make, review and sign which sheet is the service's answer (403 with its reason).
    required_actions = {
        "list": "view",
        "retrieve": "view",
        "create": "add",
        "submit": "change",
        "review": "change",
        "sign": "change",
        "return_sheet": "change",
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FollowUpSheet.objects.none()
        return selectors.sheet_list(user=self.request.user)

    def get_serializer_class(self):
        return s.FollowUpSheetDetailSerializer if self.action == "retrieve" else s.FollowUpSheetSerializer

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_object(self) -> FollowUpSheet:
        pk = parse_id(self.kwargs.get("pk"))
        if pk is None:
            raise Http404
        return selectors.sheet_detail(user=self.request.user, pk=pk)

    def _detail(self, pk: int, *, code: int = status.HTTP_200_OK) -> Response:
        sheet = FollowUpSheet.objects.select_related("caller", "reviewer", "signer").get(pk=pk)
        return Response(s.FollowUpSheetDetailSerializer(sheet).data, status=code)

    def _parse(self, request, body_class):
        sheet = self.get_object()
        params = body_class(data=request.data)
        params.is_valid(raise_exception=True)
        return sheet, dict(params.validated_data)

    @extend_schema(responses={200: s.FollowUpSheetDetailSerializer, 404: SHEET_REFUSALS[404]})
    def retrieve(self, request, pk=None):
        """One sheet with its lines: number, time, hospital, record, remarks, caller."""
        return self._detail(self.get_object().pk)

    @extend_schema(
        request=s.FollowUpSheetCreateSerializer,
        responses={201: s.FollowUpSheetDetailSerializer, 400: REFUSALS[400], 403: SHEET_REFUSALS[403]},
    )
    def create(self, request):
        """Collect the caller's follow-ups done in the period that are on no sheet yet."""
        params = s.FollowUpSheetCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        sheet = services.sheet_create(
            caller=data["caller"] or request.user,
            period_start=data["period_start"],
            period_end=data["period_end"],
            actor=request.user,
        )
        return self._detail(sheet.pk, code=status.HTTP_201_CREATED)

    @_sheet_move_schema(s.FollowUpSheetVersionOnly, description="The caller submits the sheet for review (FU-4)")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        sheet, data = self._parse(request, s.FollowUpSheetVersionOnly)
        services.sheet_submit(sheet=sheet, actor=request.user, expected_version=data["version"])
        return self._detail(sheet.pk)

    @_sheet_move_schema(s.FollowUpSheetCommentSerializer, description="The supervisor reviews and comments (FU-4)")
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        sheet, data = self._parse(request, s.FollowUpSheetCommentSerializer)
        services.sheet_review(
            sheet=sheet, actor=request.user, comment=data["comment"], expected_version=data["version"]
        )
        return self._detail(sheet.pk)

    @_sheet_move_schema(s.FollowUpSheetSignSerializer, description="The department head signs the sheet off (FU-4)")
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        sheet, data = self._parse(request, s.FollowUpSheetSignSerializer)
        services.sheet_sign(sheet=sheet, actor=request.user, note=data["note"], expected_version=data["version"])
        return self._detail(sheet.pk)

    @_sheet_move_schema(s.FollowUpSheetCommentSerializer, description="Send the sheet back to the caller as a draft")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_sheet(self, request, pk=None):
        sheet, data = self._parse(request, s.FollowUpSheetCommentSerializer)
        services.sheet_return(
            sheet=sheet, actor=request.user, comment=data["comment"], expected_version=data["version"]
        )
        return self._detail(sheet.pk)


# --- FU-7 ------------------------------------------------------------------------------------


class PhoneLoadView(APIView):
    """FU-7: each active engineer's phone follow-ups in a week against one working day in five
    (the week's working days from the business calendar). For the heads of the follow-up work."""

    resource = "followup"
    permission_classes = [RolePermission]
    action = "load"  # RolePermission asks apps.core.access for ("followup", "load")
    required_actions = {"load": "load"}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "week", OpenApiTypes.DATE, description=_("Any day of the week, YYYY-MM-DD (default today).")
            )
        ],
        responses={200: s.FollowUpPhoneLoadSerializer, 400: REFUSALS[400], 403: REFUSALS[403]},
    )
    def get(self, request):
        query = s.LoadQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = query.validated_data.get("week") or timezone.localdate()
        engineers = list(User.objects.filter(role=Role.ENGINEER, is_active=True).order_by("username", "pk"))
        rows = selectors.phone_loads(engineers=engineers, day=day)
        capacity = rows[0] if rows else services.week_capacity(day)
        body = {
            "week_start": capacity["week_start"],
            "week_end": capacity["week_end"],
            "working_days": capacity["working_days"],
            "limit_minutes": capacity["limit_minutes"],
            "engineers": [
                {
                    "engineer": row["engineer"].pk,
                    "engineer_name": str(row["engineer"]),
                    "count": row["count"],
                    "minutes": row["minutes"],
                    "over": row["over"],
                }
                for row in rows
            ],
        }
        return Response(s.FollowUpPhoneLoadSerializer(body).data)
