from django.db import models
from django.utils.translation import gettext_lazy as _


class HospitalGrade(models.TextChoices):
    GRADE_3A = "3A", _("Grade III-A (三级甲等)")
    GRADE_3B = "3B", _("Grade III-B (三级乙等)")
    GRADE_3 = "3", _("Grade III, unrated")
    GRADE_2A = "2A", _("Grade II-A (二级甲等)")
    GRADE_2B = "2B", _("Grade II-B (二级乙等)")
    GRADE_2 = "2", _("Grade II, unrated")
    GRADE_1 = "1", _("Grade I (一级)")
    UNGRADED = "none", _("Not graded")


class CustomerKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    LAB = "lab", _("Independent laboratory")
    CLINIC = "clinic", _("Clinic / health centre")
    OTHER = "other", _("Other")


class CustomerTier(models.TextChoices):
    """By purchase volume (SPEC MD-1, FU-5)."""

    VIP = "vip", _("VIP")
    NORMAL = "normal", _("Normal")


class ProductLineUsage(models.TextChoices):
    """Decides free-service eligibility (SPEC WO-9)."""

    FULL = "full", _("Full line user")
    PARTIAL = "partial", _("Partial user")
    PROSPECT = "prospect", _("Prospect")


class ContactRole(models.TextChoices):
    LAB_DIRECTOR = "lab_director", _("Laboratory director (检验科主任)")
    GROUP_LEAD = "group_lead", _("Biochemistry group lead (生化组长)")
    OPERATOR = "operator", _("Instrument operator (仪器操作人)")
    PURCHASING = "purchasing", _("Purchasing / equipment dept.")
    OTHER = "other", _("Other")
