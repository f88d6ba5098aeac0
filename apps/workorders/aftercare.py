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
    apply (they are superseded with the reason, never deleted); the job plans anew on completion."""
    if apps.is_installed("apps.followups"):
        from apps.followups.services import followups_supersede_for_source

        followups_supersede_for_source(source=order, actor=actor, at=at, reason=reason)
