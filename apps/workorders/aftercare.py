"""What hangs from a completed job (SPEC §4, §5): called by the work-order services, inside the
completing transaction, when a job is completed (signed report) or solved remotely.

Each app owns its rules; this module only hands the order on, so a completed job is never left
without its follow-up plan, survey, VIP visit record or new-project tracking.
"""

from importlib import import_module

from django.apps import apps

# (module, function) of each app that reacts to a completed job, in order.
HOOKS = (
    ("apps.followups.services", "followups_plan_for_work_order"),
    ("apps.surveys.services", "survey_create_for_work_order"),
    ("apps.vip.services", "vip_visit_completed"),
    ("apps.survival.services", "project_track_from_work_order"),
)


def on_completed(order, *, actor, at) -> None:
    for module_name, function in HOOKS:
        if not apps.is_installed(module_name.rsplit(".", 1)[0]):  # not in this deployment
            continue
        getattr(import_module(module_name), function)(order=order, actor=actor, at=at)


def on_reopened(order, *, actor, at, reason: str) -> None:
    """A remotely solved request came back: the follow-ups planned for the "solved" job no longer
    apply (they are superseded with the reason, never deleted), its pending survey is cancelled and
    a new project it started stops being tracked; all come again when the job completes."""
    if apps.is_installed("apps.followups"):
        from apps.followups.services import followups_supersede_for_source

        followups_supersede_for_source(source=order, actor=actor, at=at, reason=reason)
    if apps.is_installed("apps.surveys"):
        from apps.surveys.services import survey_cancel_for_work_order

        survey_cancel_for_work_order(order=order, actor=actor, at=at, reason=reason)
    if apps.is_installed("apps.survival"):
        from apps.survival.services import project_withdraw_for_work_order

        project_withdraw_for_work_order(order=order, actor=actor, at=at, reason=reason)


# What the work order's detail page shows of it: (app, module, context function, template). Each
# function takes (order, user) and returns the template's context; an app not installed is left out.
PANELS = (
    ("apps.followups", "apps.followups.views_sheets", "workorder_followups", "followups/_workorder_panel.html"),
    ("apps.surveys", "apps.surveys.views", "workorder_survey", "surveys/_workorder_panel.html"),
    ("apps.complaints", "apps.complaints.views", "workorder_complaints", "complaints/_workorder_panel.html"),
    ("apps.knowledge", "apps.knowledge.views", "workorder_cases", "knowledge/_workorder_panel.html"),
)


def panels(order, user) -> tuple[dict, list[str]]:
    """The context and the templates of the panels on a work order's page."""
    context, templates = {}, []
    for app, module_name, function, template in PANELS:
        if not apps.is_installed(app):
            continue
        context.update(getattr(import_module(module_name), function)(order, user))
        templates.append(template)
    return context, templates
