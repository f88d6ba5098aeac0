"""Catalogue items in Excel (issue #2 "Import and export"): Chinese headers, compatible models by code."""

from apps.catalog.choices import ItemKind
from apps.catalog.models import CatalogItem, InstrumentModel
from apps.core.imports import (
    BooleanWidget,
    ChoiceWidget,
    CodeListWidget,
    DecimalWidget,
    IntegerWidget,
    RecordResource,
    column,
)

KIND_ZH = {
    ItemKind.REAGENT: "试剂",
    ItemKind.CALIBRATOR: "校准品",
    ItemKind.QC: "质控品",
    ItemKind.SPARE_PART: "备件",
}


class CatalogItemResource(RecordResource):
    """One row per reagent, calibrator, QC material or spare part, matched by 货号."""

    code = column("code", "货号")
    name = column("name", "名称")
    kind = column("kind", "类别", ChoiceWidget(ItemKind, KIND_ZH))
    specification = column("specification", "规格")
    unit = column("unit", "单位")
    pack_size = column("pack_size", "包装规格")
    tests_per_ml = column("tests_per_ml", "每毫升测试数", DecimalWidget(places=2))
    storage = column("storage", "储存条件")
    shelf_life_months = column("shelf_life_months", "效期(月)", IntegerWidget())
    onboard_stability_days = column("onboard_stability_days", "在机稳定性(天)", IntegerWidget())
    opened_stability_days = column("opened_stability_days", "开瓶稳定性(天)", IntegerWidget())
    registration_no = column("registration_no", "注册证号")
    serial_tracked = column("serial_tracked", "序列号管理", BooleanWidget(), default=False)
    compatible_models = column("compatible_models", "适用机型编码", CodeListWidget(InstrumentModel, "code"))

    required_fields = ("code", "name", "kind")
    sheet_title = "产品目录"

    class Meta:
        model = CatalogItem
        import_id_fields = ("code",)
        fields = (
            "code", "name", "kind", "specification", "unit", "pack_size", "tests_per_ml", "storage",
            "shelf_life_months", "onboard_stability_days", "opened_stability_days", "registration_no",
            "serial_tracked", "compatible_models",
        )
        export_order = fields
        import_order = fields

    def export_queryset(self, queryset):
        return queryset.prefetch_related("compatible_models")
