"""Customers in Excel (issue #2 "Import and export"): Chinese headers, natural keys, no phones."""

from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import RegionLevel, Role
from apps.accounts.models import Region, User
from apps.core.imports import BooleanWidget, ChoiceWidget, DecimalWidget, LookupWidget, RecordResource, column
from apps.customers.choices import CustomerKind, CustomerTier, HospitalGrade, ProductLineUsage
from apps.customers.models import Customer, Dealer

GRADE_ZH = {
    HospitalGrade.GRADE_3A: "三级甲等",
    HospitalGrade.GRADE_3B: "三级乙等",
    HospitalGrade.GRADE_3: "三级",
    HospitalGrade.GRADE_2A: "二级甲等",
    HospitalGrade.GRADE_2B: "二级乙等",
    HospitalGrade.GRADE_2: "二级",
    HospitalGrade.GRADE_1: "一级",
    HospitalGrade.UNGRADED: "未定级",
}
KIND_ZH = {
    CustomerKind.HOSPITAL: "医院",
    CustomerKind.LAB: "独立实验室",
    CustomerKind.CLINIC: "诊所/卫生院",
    CustomerKind.OTHER: "其他",
}
TIER_ZH = {CustomerTier.VIP: "VIP", CustomerTier.NORMAL: "普通"}
USAGE_ZH = {
    ProductLineUsage.FULL: "全线使用",
    ProductLineUsage.PARTIAL: "部分使用",
    ProductLineUsage.PROSPECT: "潜在客户",
}

PROVINCE = "省份"
province_widget = LookupWidget(
    Region,
    "name",
    limit={"level": RegionLevel.PROVINCE, "is_active": True},
    limit_reason=_("is not an active province"),
    allow_prefix=True,
)


def _default(name):
    return Customer._meta.get_field(name).default


class CustomerResource(RecordResource):
    """One row per customer, matched by 客户编码. Same choices of people and dealers as the form."""

    code = column("code", "客户编码")
    name = column("name", "客户名称")
    kind = column("kind", "客户类型", ChoiceWidget(CustomerKind, KIND_ZH), default=_default("kind"))
    grade = column("grade", "等级", ChoiceWidget(HospitalGrade, GRADE_ZH), default=_default("grade"))
    province = column("province", PROVINCE, province_widget)
    city = column(
        "city",
        "城市",
        LookupWidget(
            Region,
            "name",
            limit={"level": RegionLevel.CITY, "is_active": True},
            limit_reason=_("is not an active city"),
            parent_column=PROVINCE,
            parent_widget=province_widget,
            parent_field="parent",
            allow_prefix=True,
        ),
    )
    district = column("district", "区县")
    address = column("address", "地址")
    latitude = column("latitude", "纬度", DecimalWidget(places=6))
    longitude = column("longitude", "经度", DecimalWidget(places=6))
    responsible_sales = column(
        "responsible_sales",
        "负责销售(用户名)",
        LookupWidget(
            User,
            "username",
            limit={"role": Role.SALES, "is_active": True},
            limit_reason=_("is not an active sales user"),
        ),
    )
    responsible_engineer = column(
        "responsible_engineer",
        "负责工程师(用户名)",
        LookupWidget(
            User,
            "username",
            limit={"role__in": [Role.ENGINEER, Role.CUSTOMER_MANAGER], "is_active": True},
            limit_reason=_("is not an active engineer or customer manager"),
        ),
    )
    dealer = column(
        "dealer",
        "经销商编码",
        LookupWidget(Dealer, "code", limit={"is_active": True}, limit_reason=_("is deactivated")),
    )
    tier = column("tier", "客户分级", ChoiceWidget(CustomerTier, TIER_ZH), default=_default("tier"))
    product_line_usage = column(
        "product_line_usage",
        "产品线使用",
        ChoiceWidget(ProductLineUsage, USAGE_ZH),
        default=_default("product_line_usage"),
    )
    in_arrears = column("in_arrears", "欠款", BooleanWidget(), default=False)
    arrears_note = column("arrears_note", "欠款说明")
    notes = column("notes", "备注")

    required_fields = ("code", "name", "province", "city")
    sheet_title = "客户"

    class Meta:
        model = Customer
        import_id_fields = ("code",)
        fields = (
            "code", "name", "kind", "grade", "province", "city", "district", "address", "latitude", "longitude",
            "responsible_sales", "responsible_engineer", "dealer", "tier", "product_line_usage", "in_arrears",
            "arrears_note", "notes",
        )
        export_order = fields
        import_order = fields
