from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Staff roles of SPEC §0. Customer contacts have no staff login (portal only)."""

    CLERK = "clerk", _("Hotline / service clerk")
    TECH_HEAD = "tech_head", _("Technical head")
    SUPERVISOR = "supervisor", _("Technical supervisor")
    CUSTOMER_MANAGER = "customer_manager", _("Regional customer manager")
    ENGINEER = "engineer", _("Field engineer")
    SALES = "sales", _("Regional sales")
    DEALER = "dealer", _("Dealer")
    MARKETING_HEAD = "marketing_head", _("Marketing-centre head")
    GENERAL_MANAGER = "general_manager", _("General manager")
    FINANCE = "finance", _("Finance")
    COMMERCE = "commerce", _("Commerce department")
    LOGISTICS = "logistics", _("Logistics")
    QUALITY = "quality", _("Quality department")
    ADMIN = "admin", _("Administrator")


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")


class CityTier(models.TextChoices):
    """City tier decides the hotel cap of a trip (SPEC EX-3)."""

    TIER1 = "tier1", _("Tier-1 city (Beijing, Shanghai, Guangzhou, Shenzhen)")
    CAPITAL = "capital", _("Provincial capital")
    PREFECTURE = "prefecture", _("Prefecture-level city and below")


class SkillGroup(models.TextChoices):
    """Skill groups of the technical department (SPEC §0, org chart of [S0])."""

    REAGENT_COMMISSIONING = "app_reagent", _("Application: reagent commissioning & new projects")
    PERFORMANCE_VERIFICATION = "app_verification", _("Application: performance verification")
    QC_ANALYSIS = "app_qc", _("Application: QC analysis")
    POCT = "hw_poct", _("Hardware: POCT support")
    HBA1C = "hw_hba1c", _("Hardware: HbA1c analyser")
    BIOCHEM_MAINTENANCE = "hw_biochem_maint", _("Hardware: biochemistry analyser maintenance")
    BIOCHEM_REPAIR = "hw_biochem_repair", _("Hardware: biochemistry analyser repair")
