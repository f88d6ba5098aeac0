"""Who may do what, in one table (NetBox's restrict(), in the small).

`can(user, resource, action)` answers for the UI and the API alike. Row scoping (which
rows a permitted user sees) lives in each app's selectors, which every list, detail,
export and API endpoint goes through.
"""

from apps.accounts.choices import Role as R

ALL_STAFF = frozenset(R.values)
INTERNAL_STAFF = ALL_STAFF - {R.DEALER}

# Roles that see every customer and instrument (SPEC §0: heads and admins see everything;
# the hotline must find any caller; finance, commerce, logistics and quality serve all).
SEES_ALL = frozenset(
    {
        R.ADMIN,
        R.TECH_HEAD,
        R.SUPERVISOR,
        R.MARKETING_HEAD,
        R.GENERAL_MANAGER,
        R.CLERK,
        R.QUALITY,
        R.FINANCE,
        R.COMMERCE,
        R.LOGISTICS,
    }
)
REGION_SCOPED = frozenset({R.CUSTOMER_MANAGER, R.ENGINEER})

# Customers' personal data (contacts' mobile numbers) only for roles that call them
# (SPEC MD-5, §11: personal data kept confidential).
SEES_PERSONAL_DATA = frozenset(
    {R.ADMIN, R.CLERK, R.TECH_HEAD, R.SUPERVISOR, R.CUSTOMER_MANAGER, R.ENGINEER, R.SALES, R.QUALITY}
)

CUSTOMER_EDITORS = frozenset({R.ADMIN, R.CLERK, R.TECH_HEAD, R.SUPERVISOR, R.CUSTOMER_MANAGER, R.SALES})
CATALOG_EDITORS = frozenset({R.ADMIN, R.TECH_HEAD, R.COMMERCE, R.QUALITY})
INSTRUMENT_EDITORS = frozenset({R.ADMIN, R.CLERK, R.TECH_HEAD, R.SUPERVISOR, R.CUSTOMER_MANAGER, R.ENGINEER})
MANAGERS = frozenset({R.ADMIN, R.TECH_HEAD})
STAFF_VIEWERS = frozenset(
    {R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.CUSTOMER_MANAGER, R.MARKETING_HEAD, R.GENERAL_MANAGER, R.CLERK}
)

# SPEC §4: who calls customers back and who leads that work.
FOLLOWUP_WORKERS = frozenset({R.ADMIN, R.CLERK, R.TECH_HEAD, R.SUPERVISOR, R.CUSTOMER_MANAGER, R.ENGINEER})
FOLLOWUP_SHEET_ROLES = frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.CLERK, R.ENGINEER})

# Issue 5 / SPEC §6: complaints. Anyone who hears one records it (21 CFR 820.198(a)); the
# technical head's side handles service complaints, the quality department product ones.
COMPLAINT_RECEIVERS = ALL_STAFF - {R.FINANCE, R.COMMERCE, R.LOGISTICS, R.GENERAL_MANAGER}
COMPLAINT_HANDLERS = frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.QUALITY})
QUALITY_EDITORS = frozenset({R.ADMIN, R.QUALITY})
QUALITY_LEADERS = frozenset({R.ADMIN, R.QUALITY, R.TECH_HEAD, R.SUPERVISOR, R.MARKETING_HEAD, R.GENERAL_MANAGER})
SHIPPERS = frozenset({R.ADMIN, R.COMMERCE, R.LOGISTICS, R.QUALITY})
CASE_WRITERS = frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.CUSTOMER_MANAGER, R.ENGINEER, R.QUALITY})

ACCESS: dict[str, dict[str, frozenset]] = {
    "region": {
        "view": INTERNAL_STAFF,
        "add": frozenset({R.ADMIN}),
        "change": frozenset({R.ADMIN}),
        "deactivate": frozenset({R.ADMIN}),
        "import": frozenset(),
    },
    "customer": {
        "view": ALL_STAFF,
        "add": CUSTOMER_EDITORS,
        "change": CUSTOMER_EDITORS,
        "deactivate": MANAGERS,
        "import": MANAGERS,
    },
    "contact": {
        "view": ALL_STAFF,
        "add": CUSTOMER_EDITORS | {R.ENGINEER},
        "change": CUSTOMER_EDITORS | {R.ENGINEER},
        "deactivate": CUSTOMER_EDITORS,
        "import": frozenset(),
    },
    "department": {
        "view": ALL_STAFF,
        "add": CUSTOMER_EDITORS | {R.ENGINEER},
        "change": CUSTOMER_EDITORS | {R.ENGINEER},
        "deactivate": CUSTOMER_EDITORS,
        "import": frozenset(),
    },
    "dealer": {
        "view": ALL_STAFF,
        "add": frozenset({R.ADMIN, R.COMMERCE, R.MARKETING_HEAD}),
        "change": frozenset({R.ADMIN, R.COMMERCE, R.MARKETING_HEAD}),
        "deactivate": frozenset({R.ADMIN, R.MARKETING_HEAD}),
        "import": frozenset(),
    },
    "catalog": {
        "view": ALL_STAFF,
        "add": CATALOG_EDITORS,
        "change": CATALOG_EDITORS,
        "deactivate": CATALOG_EDITORS,
        "import": CATALOG_EDITORS,
    },
    "instrument": {
        "view": ALL_STAFF,
        "add": INSTRUMENT_EDITORS,
        "change": INSTRUMENT_EDITORS,
        "deactivate": MANAGERS,
        "import": MANAGERS,
    },
    "staff": {
        "view": STAFF_VIEWERS,
        "add": frozenset({R.ADMIN}),
        "change": frozenset({R.ADMIN}),
        "deactivate": frozenset({R.ADMIN}),
        "import": frozenset(),
    },
    "qualification": {
        "view": STAFF_VIEWERS,
        "add": MANAGERS,
        "change": MANAGERS,
        "deactivate": MANAGERS,
        "import": frozenset(),
    },
    # SPEC §2: every staff role sees work orders (rows scoped by apps.workorders.selectors);
    # registering a request is open to the hotline, heads, engineers, sales and dealers (WO-1).
    # The moves themselves are governed by apps.workorders.choices.TRANSITIONS.
    "workorder": {
        "view": ALL_STAFF,
        "add": frozenset(
            {R.ADMIN, R.CLERK, R.TECH_HEAD, R.SUPERVISOR, R.CUSTOMER_MANAGER, R.ENGINEER, R.SALES, R.DEALER}
        ),
        "change": frozenset(
            {R.ADMIN, R.CLERK, R.TECH_HEAD, R.SUPERVISOR, R.CUSTOMER_MANAGER, R.ENGINEER, R.SALES, R.DEALER}
        ),
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    # SPEC WO-6: the dispatch board (today's open jobs, each engineer's load, every SLA clock).
    "dispatch_board": {
        "view": frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.CUSTOMER_MANAGER, R.CLERK}),
        "add": frozenset(),
        "change": frozenset(),
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    # SPEC SLA-5: the business calendar (holidays, make-up working days, business hours).
    "calendar": {
        "view": INTERNAL_STAFF,
        "add": MANAGERS,
        "change": MANAGERS,
        "deactivate": MANAGERS,
        "import": frozenset(),
    },
    # SPEC §3: the time limits (SLA policies). New ones come with the code that starts their
    # clocks (a migration), so nobody adds them here; managers tune and switch them off.
    "sla_policy": {
        "view": INTERNAL_STAFF,
        "add": frozenset(),
        "change": MANAGERS,
        "deactivate": MANAGERS,
        "import": frozenset(),
    },
    # SPEC FU-5: the VIP programme. Tiers are data the technical head and admins edit; commerce
    # enters the purchase volumes they are based on (sales read their customers'). Members and
    # visits: rows scoped by apps.vip.selectors (engineers: their regions and the VIPs they are
    # the fixed engineer of; customer managers their regions; sales their customers); "add" on
    # vip_member is re-tiering; an engineer announces and cancels only his own visits (the row
    # rule of apps.vip.selectors.visit_refusal).
    "vip_tier": {
        "view": frozenset(
            {
                R.ADMIN,
                R.TECH_HEAD,
                R.SUPERVISOR,
                R.CLERK,
                R.CUSTOMER_MANAGER,
                R.ENGINEER,
                R.SALES,
                R.MARKETING_HEAD,
                R.GENERAL_MANAGER,
                R.COMMERCE,
            }
        ),
        "add": MANAGERS,
        "change": MANAGERS,
        "deactivate": MANAGERS,
        "import": frozenset(),
    },
    "purchase_volume": {
        "view": frozenset({R.ADMIN, R.COMMERCE, R.TECH_HEAD, R.MARKETING_HEAD, R.GENERAL_MANAGER, R.FINANCE, R.SALES}),
        "add": frozenset({R.ADMIN, R.COMMERCE}),
        "change": frozenset({R.ADMIN, R.COMMERCE}),
        "deactivate": frozenset({R.ADMIN, R.COMMERCE}),
        "import": frozenset({R.ADMIN, R.COMMERCE}),
    },
    "vip_member": {
        "view": frozenset(
            {
                R.ADMIN,
                R.TECH_HEAD,
                R.SUPERVISOR,
                R.CLERK,
                R.CUSTOMER_MANAGER,
                R.ENGINEER,
                R.SALES,
                R.MARKETING_HEAD,
                R.GENERAL_MANAGER,
            }
        ),
        "add": MANAGERS,
        "change": MANAGERS,
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    "vip_visit": {
        "view": frozenset(
            {
                R.ADMIN,
                R.TECH_HEAD,
                R.SUPERVISOR,
                R.CLERK,
                R.CUSTOMER_MANAGER,
                R.ENGINEER,
                R.SALES,
                R.MARKETING_HEAD,
                R.GENERAL_MANAGER,
            }
        ),
        "add": frozenset(),
        "change": frozenset({R.ADMIN, R.TECH_HEAD, R.ENGINEER}),
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    # Everyone reads his own in-app notifications; the outbox (every message and its
    # delivery state) is for the people who run the system.
    "notification": {
        "view": ALL_STAFF,
        "add": frozenset(),
        "change": ALL_STAFF,
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    "outbox": {
        "view": MANAGERS | {R.SUPERVISOR},
        "add": frozenset(),
        "change": MANAGERS,
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    # SPEC FU-6: new-project survival. Engineers and customer managers see their regions', sales
    # their customers' projects (rows: apps.survival.selectors); heads and the marketing centre all.
    # Checks are recorded by the technical side; sales read them, with the reasons.
    "new_project": {
        "view": frozenset(
            {
                R.ADMIN,
                R.TECH_HEAD,
                R.SUPERVISOR,
                R.CUSTOMER_MANAGER,
                R.MARKETING_HEAD,
                R.GENERAL_MANAGER,
                R.ENGINEER,
                R.SALES,
            }
        ),
        "add": frozenset({R.ADMIN, R.TECH_HEAD, R.ENGINEER, R.SALES}),
        "change": frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.ENGINEER, R.SALES}),
        "record": frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.CUSTOMER_MANAGER, R.ENGINEER}),
        "stop": frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.ENGINEER}),
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    # SPEC SQ-1 … SQ-3: satisfaction surveys (rows scoped like their work orders by
    # apps.surveys.selectors; not for dealers) and the cases their low scores open. Who fills a
    # survey in, and who works a case, is the table of apps.surveys.choices on top of this.
    "survey": {
        "view": INTERNAL_STAFF,
        "add": frozenset(),
        "change": frozenset({R.ADMIN, R.CLERK, R.TECH_HEAD, R.SUPERVISOR, R.ENGINEER}),
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    "survey_case": {
        "view": INTERNAL_STAFF,
        "add": frozenset(),
        "change": frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.QUALITY, R.ENGINEER}),
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    # SPEC SQ-4: raters score engineers (the technical head's phone survey, the marketing-centre
    # leaders, sales); the monthly record is read by the heads and by each engineer (his own).
    "engineer_rating": {
        "view": frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.MARKETING_HEAD, R.GENERAL_MANAGER, R.SALES}),
        "add": frozenset({R.ADMIN, R.TECH_HEAD, R.MARKETING_HEAD, R.GENERAL_MANAGER, R.SALES}),
        "change": frozenset({R.ADMIN, R.TECH_HEAD, R.MARKETING_HEAD, R.GENERAL_MANAGER, R.SALES}),
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    "engineer_quality": {
        "view": frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.MARKETING_HEAD, R.GENERAL_MANAGER, R.ENGINEER}),
        "add": frozenset(),
        "change": frozenset(),
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    # SPEC §4 follow-ups: every internal role reads them (rows: apps.followups.selectors); the
    # callers and their leaders record; the leaders' queue (FU-3) and the phone load (FU-7) are
    # for the heads. apps.followups.services decides who may record a particular follow-up.
    "followup": {
        "view": INTERNAL_STAFF,
        "add": FOLLOWUP_WORKERS,
        "change": FOLLOWUP_WORKERS,
        "lead": frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR}),
        "load": frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.CUSTOMER_MANAGER}),
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    # SPEC FU-1: the rules table is read by everyone, changed by the department's managers.
    "followup_rule": {
        "view": INTERNAL_STAFF,
        "add": MANAGERS,
        "change": MANAGERS,
        "deactivate": MANAGERS,
        "import": frozenset(),
    },
    # SPEC FU-4: the follow-up sheet (跟踪回访单) of the callers, reviewed and signed by their heads.
    "followup_sheet": {
        "view": FOLLOWUP_SHEET_ROLES,
        "add": FOLLOWUP_SHEET_ROLES,
        "change": FOLLOWUP_SHEET_ROLES,
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    # Issue 5 / SPEC §6: complaints (rows scoped by apps.complaints.selectors; the moves by
    # apps.complaints.choices.TRANSITIONS), the regulatory rules and reports, CAPAs.
    "complaint": {
        "view": ALL_STAFF,
        "add": COMPLAINT_RECEIVERS,
        "change": COMPLAINT_HANDLERS | {R.CLERK},
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    "complaint_board": {
        "view": QUALITY_LEADERS,
        "add": frozenset(),
        "change": frozenset(),
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    "reporting_rule": {
        "view": INTERNAL_STAFF,
        "add": QUALITY_EDITORS,
        "change": QUALITY_EDITORS,
        "deactivate": QUALITY_EDITORS,
        "import": frozenset(),
    },
    "capa": {
        "view": INTERNAL_STAFF,
        "add": COMPLAINT_HANDLERS,
        "change": COMPLAINT_HANDLERS,
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    "reassignment_review": {
        "view": frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.MARKETING_HEAD, R.GENERAL_MANAGER}),
        "add": frozenset(),
        "change": MANAGERS,
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    # Lot / serial trace and field safety notices (issue 5).
    "trace": {
        "view": INTERNAL_STAFF,
        "add": frozenset(),
        "change": frozenset(),
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    "delivery": {
        "view": INTERNAL_STAFF,
        "add": SHIPPERS,
        "change": SHIPPERS,
        "deactivate": SHIPPERS,
        "import": SHIPPERS,
    },
    "field_notice": {
        "view": INTERNAL_STAFF,
        "add": QUALITY_EDITORS,
        "change": QUALITY_EDITORS | {R.CLERK, R.SALES, R.ENGINEER, R.CUSTOMER_MANAGER},
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    # CP-5 suggestions, CP-6 returns, CP-7 trending, KB-1 case library.
    "suggestion": {
        "view": INTERNAL_STAFF,
        "add": INTERNAL_STAFF,
        "change": frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.MARKETING_HEAD, R.QUALITY}),
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    "return_request": {
        "view": ALL_STAFF,
        "add": frozenset(
            {R.ADMIN, R.CLERK, R.SALES, R.DEALER, R.TECH_HEAD, R.SUPERVISOR, R.CUSTOMER_MANAGER, R.QUALITY, R.COMMERCE}
        ),
        "change": frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.QUALITY, R.COMMERCE, R.FINANCE, R.MARKETING_HEAD}),
        "deactivate": frozenset(),
        "import": frozenset(),
    },
    "trend": {
        "view": QUALITY_LEADERS,
        "add": QUALITY_EDITORS,
        "change": QUALITY_EDITORS,
        "deactivate": QUALITY_EDITORS,
        "import": frozenset(),
    },
    "case": {
        "view": INTERNAL_STAFF,
        "add": CASE_WRITERS,
        "change": CASE_WRITERS,
        "deactivate": frozenset({R.ADMIN, R.TECH_HEAD, R.QUALITY}),
        "import": frozenset(),
    },
    "webhook": {
        "view": frozenset({R.ADMIN}),
        "add": frozenset({R.ADMIN}),
        "change": frozenset({R.ADMIN}),
        "deactivate": frozenset({R.ADMIN}),
        "import": frozenset(),
    },
}


def can(user, resource: str, action: str) -> bool:
    """True when the user's role may perform `action` on `resource` at all."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return getattr(user, "role", None) in ACCESS[resource].get(action, frozenset())


def sees_all(user) -> bool:
    return user.is_superuser or user.role in SEES_ALL


def sees_personal_data(user) -> bool:
    return user is not None and (user.is_superuser or user.role in SEES_PERSONAL_DATA)


def sees_internal_notes(user) -> bool:
    """Arrears amounts and similar company-internal notes are not for dealers' eyes."""
    return user is not None and (user.is_superuser or user.role in INTERNAL_STAFF)


def mask_email(value: str) -> str:
    """z***@hospital.cn — the domain says where, not who."""
    if not value or "@" not in value:
        return mask_phone(value)
    local, domain = value.split("@", 1)
    return f"{local[:1]}***@{domain}"


def personal_data_for(user, *, phone: str = "", email: str = "") -> tuple[str, str]:
    """A contact's phone and e-mail as this user may see them (SPEC MD-5): plain or masked.
    The one place every page, table, export and API answer goes through."""
    if sees_personal_data(user):
        return phone, email
    return mask_phone(phone), mask_email(email)


def mask_phone(value: str) -> str:
    """138****5678 — enough to recognise a caller, not enough to call."""
    if not value:
        return value
    digits = value.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"
