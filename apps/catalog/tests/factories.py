from datetime import timedelta

import factory
from django.utils import timezone

from apps.catalog.choices import ItemKind, ProductFamily
from apps.catalog.models import CatalogItem, InstrumentModel, Lot, LotMatch

CODE_PREFIX = {ItemKind.REAGENT: "R", ItemKind.CALIBRATOR: "C", ItemKind.QC: "Q", ItemKind.SPARE_PART: "P"}


class InstrumentModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstrumentModel

    code = factory.Sequence(lambda n: f"YH-{30 + n}")
    name = factory.Sequence(lambda n: f"糖化血红蛋白分析仪 {n}")
    family = ProductFamily.HBA1C
    manufacturer = "本公司"


class CatalogItemFactory(factory.django.DjangoModelFactory):
    """A reagent by default; `CatalogItemFactory(kind=ItemKind.QC)` or the traits for the others.

    `CatalogItemFactory(compatible_models=[model, …])` links instrument models.
    """

    class Meta:
        model = CatalogItem
        skip_postgeneration_save = True

    code = factory.LazyAttributeSequence(lambda o, n: f"{CODE_PREFIX.get(o.kind, 'X')}{n:05d}")
    name = factory.Sequence(lambda n: f"葡萄糖测定试剂盒 {n}")
    kind = ItemKind.REAGENT
    unit = "盒"
    pack_size = "R1 2×60 mL + R2 1×20 mL"
    storage = "2–8 °C"
    shelf_life_months = 12

    class Params:
        calibrator = factory.Trait(kind=ItemKind.CALIBRATOR, name=factory.Sequence(lambda n: f"生化复合校准品 {n}"))
        qc = factory.Trait(kind=ItemKind.QC, name=factory.Sequence(lambda n: f"生化质控品 {n}"))
        spare_part = factory.Trait(
            kind=ItemKind.SPARE_PART, name=factory.Sequence(lambda n: f"色谱柱 {n}"), pack_size="", storage="",
            shelf_life_months=None,
        )

    @factory.post_generation
    def compatible_models(self, create, extracted, **kwargs):
        if create and extracted:
            self.compatible_models.set(extracted)


class LotFactory(factory.django.DjangoModelFactory):
    """A reagent lot that expires in a year; `LotFactory(expired=True)` for one past its expiry,
    `LotFactory(item__kind=ItemKind.CALIBRATOR)` (or `item=…`) for other kinds."""

    class Meta:
        model = Lot

    item = factory.SubFactory(CatalogItemFactory)
    lot_no = factory.Sequence(lambda n: f"2025{n:04d}")
    manufactured_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))

    class Params:
        expired = factory.Trait(
            manufactured_on=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=400)),
            expires_on=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1)),
        )


class LotMatchFactory(factory.django.DjangoModelFactory):
    """A reagent lot with a matching calibrator lot and QC lot."""

    class Meta:
        model = LotMatch

    reagent_lot = factory.SubFactory(LotFactory, item__kind=ItemKind.REAGENT)
    calibrator_lot = factory.SubFactory(LotFactory, item__calibrator=True)
    qc_lot = factory.SubFactory(LotFactory, item__qc=True)
