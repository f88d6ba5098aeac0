"""The navigation each role sees: the same table for every page, filtered by apps.core.access."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import Role as R
from apps.core.access import can

# (url name, label, resource)
ITEMS = {
    "workorders": ("workorders:list", _("Work orders"), "workorder"),
    "myjobs": ("workorders:mine", _("My jobs"), "workorder"),
    "board": ("workorders:board", _("Dispatch board"), "dispatch_board"),
    "customers": ("customers:customer_list", _("Customers"), "customer"),
    "contacts": ("customers:contact_list", _("Contacts"), "contact"),
    "instruments": ("instruments:instrument_list", _("Installed base"), "instrument"),
    "dealers": ("customers:dealer_list", _("Dealers"), "dealer"),
    "models": ("catalog:instrumentmodel_list", _("Instrument models"), "catalog"),
    "items": ("catalog:item_list", _("Catalogue"), "catalog"),
    "lots": ("catalog:lot_list", _("Lots"), "catalog"),
    "lotmatches": ("catalog:lotmatch_list", _("Lot matches"), "catalog"),
    "regions": ("accounts:region_list", _("Regions"), "region"),
    "staff": ("accounts:staff_list", _("Staff"), "staff"),
    "qualifications": ("accounts:qualification_list", _("Qualifications"), "qualification"),
    "calendar": ("sla:calendar_list", _("Business calendar"), "calendar"),
    "sla_policies": ("sla:policy_list", _("Time limits"), "sla_policy"),
    "outbox": ("notifications:outbox_list", _("Outbox"), "outbox"),
    "webhooks": ("notifications:webhook_list", _("Robot webhooks"), "webhook"),
    "calls": ("followups:calls", _("My calls"), "followup"),
    "followups": ("followups:list", _("Follow-ups"), "followup"),
    "leader_queue": ("followups:leader_queue", _("Follow-up decisions"), "followup"),
    "followup_sheets": ("followups:sheet_list", _("Follow-up sheets"), "followup_sheet"),
    "followup_rules": ("followups:rule_list", _("Follow-up rules"), "followup_rule"),
    "surveys": ("surveys:list", _("Surveys"), "survey"),
    "survey_cases": ("surveys:case_list", _("Survey cases"), "survey_case"),
    "service_quality": ("surveys:quality", _("Service quality"), "engineer_quality"),
    "ratings": ("surveys:rating_list", _("Engineer ratings"), "engineer_rating"),
    "new_projects": ("survival:project_list", _("New projects"), "new_project"),
    "survival": ("survival:report", _("Survival rate"), "new_project"),
    "vip_visits_mine": ("vip:visit_mine", _("My VIP visits"), "vip_visit"),
    "vip_members": ("vip:member_list", _("VIP customers"), "vip_member"),
    "vip_visits": ("vip:visit_list", _("VIP visits"), "vip_visit"),
    "vip_tiers": ("vip:tier_list", _("VIP tiers"), "vip_tier"),
    "purchase_volumes": ("vip:volume_list", _("Purchase volumes"), "purchase_volume"),
    "complaints": ("complaints:list", _("Complaints"), "complaint"),
    "complaint_board": ("complaints:board", _("Regulatory reports"), "complaint_board"),
    "capas": ("complaints:capa_list", _("CAPAs"), "capa"),
    "reporting_rules": ("complaints:rule_list", _("Reporting rules"), "reporting_rule"),
    "reassignment_reviews": ("complaints:review_list", _("Reassignment reviews"), "reassignment_review"),
    "trace": ("trace:search", _("Lot / serial trace"), "trace"),
    "deliveries": ("trace:delivery_list", _("Deliveries"), "delivery"),
    "field_notices": ("trace:notice_list", _("Field safety notices"), "field_notice"),
    "suggestions": ("suggestions:list", _("Suggestions"), "suggestion"),
    "returns": ("returns:list", _("Returns and exchanges"), "return_request"),
    "trends": ("trending:report", _("Trends"), "trend"),
    "cases": ("knowledge:list", _("Case library"), "case"),
}

# Items only some roles get although others may open the page.
ONLY_FOR = {
    "calls": frozenset({R.CLERK, R.ENGINEER, R.CUSTOMER_MANAGER}),
    # Everyone may read the rules table; the menu shows it to those who run the follow-up work.
    "followup_rules": frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR}),
    "leader_queue": frozenset({R.SUPERVISOR, R.TECH_HEAD}),
    "myjobs": frozenset({R.ENGINEER}),
    "vip_visits_mine": frozenset({R.ENGINEER}),
}

# What each role needs first; anything else it may see follows.
ROLE_ORDER = {
    R.CLERK: [
        "calls", "workorders", "complaints", "cases", "board", "customers", "instruments", "contacts", "dealers",
        "models", "items",
    ],
    R.ENGINEER: [
        "calls", "myjobs", "vip_visits_mine", "workorders", "cases", "new_projects", "instruments", "customers",
        "contacts", "items", "lots", "models",
    ],
    R.SALES: ["workorders", "customers", "new_projects", "instruments", "contacts", "items"],
    R.DEALER: ["workorders", "customers", "instruments", "items", "models"],
    R.TECH_HEAD: [
        "board", "workorders", "complaints", "reassignment_reviews", "leader_queue", "followups", "followup_sheets",
        "survey_cases", "service_quality", "cases",
        "instruments", "customers", "staff", "qualifications", "regions", "models", "items", "lots", "calendar",
        "sla_policies", "followup_rules", "outbox",
    ],
    R.CUSTOMER_MANAGER: ["board", "workorders", "followups", "customers", "instruments", "staff", "regions"],
    R.COMMERCE: ["purchase_volumes", "workorders", "items", "lots", "models", "dealers", "customers"],
    R.LOGISTICS: ["workorders", "items", "lots", "customers"],
    R.QUALITY: [
        "complaint_board", "complaints", "field_notices", "trace", "trends", "capas", "returns", "cases",
        "reporting_rules", "deliveries", "workorders", "survey_cases", "lots", "items", "models", "instruments",
        "customers",
    ],
    R.ADMIN: [
        "workorders", "board", "customers", "instruments", "dealers", "models", "items", "lots", "regions", "staff",
        "qualifications", "calendar", "sla_policies", "followup_rules", "outbox", "webhooks",
    ],
}


def menu_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    order = ROLE_ORDER.get(user.role, [])
    keys = order + [key for key in ITEMS if key not in order]
    menu = []
    for key in keys:
        url_name, label, resource = ITEMS[key]
        if not can(user, resource, "view") or user.role not in ONLY_FOR.get(key, (user.role,)):
            continue
        try:
            menu.append({"key": key, "url": reverse(url_name), "label": label})
        except NoReverseMatch:  # a module not installed in this deployment
            continue
    return menu
