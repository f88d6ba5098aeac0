"""Deterministic demo data (issue #2 'Demo data'), shared by `manage.py seed_demo` and bench/.

`generate(seed=42, scale=1)` writes realistic Chinese master data: regions, staff of every
role, dealers, customers with departments and contacts, the product catalogue with lots and
lot matches, and the installed base. Everything derives from `random.Random(seed)` and the
fixed ANCHOR date (not today), so two runs with the same seed write identical data.

`scale` multiplies customers, departments, contacts and instruments (scale 100 ≈ 8,400
customers / 52,000 instruments). Those big tables are written with
`bulk_create_with_history`, so every row still gets its "created" history entry; fields
that `save()` would compute (pinyin keys, warranty end) are filled in here first.

Work orders come last (apps.demo.workorders): a fixed mix of requests in every state, written
through the work-order services (timeline, approvals, SLA clocks, notifications, signed
reports) at fixed offsets from `now` (default: the current minute), so the dispatch board and
its clocks look alive. Then what follows completed jobs (apps.demo.aftercare): follow-ups on the
call lists, surveys and their cases, engineers' ratings, the VIP programme, new-project checks.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import sys
import time
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from apps.accounts.choices import CityTier, RegionLevel, Role
from apps.accounts.models import Qualification, Region, SkillGroup, User
from apps.catalog.choices import ItemKind, ProductFamily
from apps.catalog.models import CatalogItem, InstrumentModel, Lot, LotMatch
from apps.core.dates import add_months
from apps.core.text import pinyin_keys
from apps.customers.choices import ContactRole, CustomerKind, CustomerTier, HospitalGrade, ProductLineUsage
from apps.customers.models import Contact, Customer, Dealer, Department
from apps.demo import data
from apps.demo.aftercare import create_aftercare
from apps.demo.quality import create_quality
from apps.demo.workorders import create_work_orders
from apps.instruments.choices import InstrumentStatus, Ownership
from apps.instruments.models import Instrument
from apps.workorders.models import WorkOrder

ANCHOR = dt.date(2026, 11, 1)
INSTALL_FROM = dt.date(2019, 1, 1)
DEMO_PASSWORD = "demo1234"
MARKER_CUSTOMER_CODE = "KH000001"
CUSTOMERS_PER_SCALE = 84
INSTRUMENTS_PER_SCALE = 520
BATCH = 1000
REASON = gettext_noop("demo data")  # stored as the key; shown translated


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, password, role label) of every demo login, in a readable order."""
    return [(username, DEMO_PASSWORD, str(Role(role).label)) for username, role, *_ in data.STAFF]


def demo_present() -> bool:
    return Customer.objects.filter(code=MARKER_CUSTOMER_CODE).exists() or User.objects.filter(username="admin").exists()


def current_counts() -> dict[str, int]:
    return {
        "provinces": Region.objects.filter(level=RegionLevel.PROVINCE).count(),
        "cities": Region.objects.filter(level=RegionLevel.CITY).count(),
        "staff": User.objects.count(),
        "qualifications": Qualification.objects.count(),
        "dealers": Dealer.objects.count(),
        "customers": Customer.objects.count(),
        "departments": Department.objects.count(),
        "contacts": Contact.objects.count(),
        "instrument_models": InstrumentModel.objects.count(),
        "catalog_items": CatalogItem.objects.count(),
        "lots": Lot.objects.count(),
        "lot_matches": LotMatch.objects.count(),
        "instruments": Instrument.objects.count(),
        "work_orders": WorkOrder.objects.count(),
        **_aftercare_counts(),
    }


def _aftercare_counts() -> dict[str, int]:
    """Rows of issue 4's apps (follow-ups, surveys, VIP, survival), those installed."""
    from django.apps import apps

    wanted = (
        ("followups", "followups", "FollowUp"),
        ("surveys", "surveys", "Survey"),
        ("survey_cases", "surveys", "SurveyCase"),
        ("engineer_ratings", "surveys", "EngineerRating"),
        ("vip_members", "vip", "VipMembership"),
        ("vip_visits", "vip", "VipVisit"),
        ("new_projects", "survival", "NewProject"),
    )
    return {
        name: apps.get_model(app, model).objects.count()
        for name, app, model in wanted
        if apps.is_installed(f"apps.{app}")
    }


def generate(*, seed: int = 42, scale: int = 1, stdout=None, now: dt.datetime | None = None) -> dict[str, int]:
    """Write the demo data set unless it is already there; return the row counts. `now` is the
    moment the work orders are placed around (default: the current minute)."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    out = stdout or sys.stdout
    if demo_present():
        out.write("demo data already present\n")
        return current_counts()
    started = time.perf_counter()
    with transaction.atomic():
        _Generator(seed=seed, scale=scale, out=out, now=now).run()
    counts = current_counts()
    out.write(f"demo data written in {time.perf_counter() - started:.1f} s\n")
    return counts


class _Generator:
    def __init__(self, *, seed: int, scale: int, out, now: dt.datetime | None = None):
        self.rng = random.Random(seed)
        # Work orders draw from their own stream, so they never shift the master data.
        self.wo_rng = random.Random(f"wo-{seed}")
        self.now = (now or timezone.now()).replace(second=0, microsecond=0)
        # A separate stream for QR tokens, so they never shift the rest of the data.
        self.token_rng = random.Random(f"qr-{seed}")
        self.scale = scale
        self.out = out
        self.admin: User | None = None

    # --- helpers ----------------------------------------------------------------------
    def say(self, message: str) -> None:
        self.out.write(message + "\n")

    def save(self, obj):
        """A normal save (small tables): history row written by simple-history, by the admin."""
        obj._history_user = self.admin
        obj._change_reason = REASON
        obj.save()
        return obj

    def bulk(self, model, objs):
        return bulk_create_with_history(
            objs, model, batch_size=BATCH, default_user=self.admin, default_change_reason=REASON
        )

    def person_name(self) -> str:
        return self.rng.choice(data.SURNAMES) + self.rng.choice(data.GIVEN_NAMES)

    def mobile(self) -> str:
        prefix = self.rng.choice(
            [
                "130",
                "131",
                "132",
                "133",
                "135",
                "136",
                "137",
                "138",
                "139",
                "150",
                "151",
                "152",
                "153",
                "155",
                "156",
                "157",
                "158",
                "159",
                "180",
                "181",
                "182",
                "185",
                "186",
                "187",
                "188",
                "189",
            ]
        )
        return f"{prefix}{self.rng.randrange(10**8):08d}"

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def qr_token(self) -> str:
        raw = self.token_rng.getrandbits(128).to_bytes(16, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    # --- the run --------------------------------------------------------------------------
    def run(self) -> None:
        self.create_admin()
        self.create_staff()
        self.create_regions()
        self.create_dealers()
        self.link_staff()
        self.create_catalogue()
        self.create_qualifications()
        self.create_customers()
        self.create_departments_and_contacts()
        self.create_instruments()
        create_work_orders(self)
        create_aftercare(self)
        create_quality(self)

    def create_admin(self) -> None:
        admin = User(username="admin", name="系统管理员", role=Role.ADMIN, is_staff=True, is_superuser=True)
        admin.email = "admin@example.com"
        # Hash once: the default PBKDF2 costs ~0.3 s per call, and every demo login shares it.
        self.password_hash = make_password(DEMO_PASSWORD)
        admin.password = self.password_hash
        self.admin = admin
        self.save(admin)

    def create_staff(self) -> None:
        self.users: dict[str, User] = {"admin": self.admin}
        for username, role, name, _regions, _skills in data.STAFF:
            if username == "admin" or role == Role.DEALER:
                continue  # dealer logins are created after their dealers exist
            user = User(
                username=username,
                name=name,
                role=role,
                phone=self.mobile(),
                email=f"{username}@example.com",
                password=self.password_hash,
            )
            self.users[username] = self.save(user)
        self.say(f"staff: {len(self.users)}")

    def create_regions(self) -> None:
        managers = {}
        for username, role, _name, regions, _skills in data.STAFF:
            if role == Role.CUSTOMER_MANAGER:
                for region in regions:
                    managers[region] = self.users[username]
        self.provinces: dict[str, Region] = {}
        self.cities: list[tuple[Region, tuple]] = []  # (city, its row in data.REGIONS)
        self.city_by_name: dict[str, Region] = {}
        for province_name, code, cities in data.REGIONS:
            manager = managers.get(province_name)
            province = Region.objects.filter(level=RegionLevel.PROVINCE, name=province_name).first()
            if province is None:
                province = self.save(
                    Region(name=province_name, level=RegionLevel.PROVINCE, code=code, customer_manager=manager)
                )
            self.provinces[province_name] = province
            for row in cities:
                city_name, city_code, tier = row[:3]
                city = Region.objects.filter(parent=province, name=city_name).first()
                if city is None:
                    city = self.save(
                        Region(
                            name=city_name,
                            level=RegionLevel.CITY,
                            parent=province,
                            code=city_code,
                            tier=tier,
                            customer_manager=manager,
                        )
                    )
                self.cities.append((city, row))
                self.city_by_name[city_name] = city
        self.say(f"regions: {len(self.provinces)} provinces, {len(self.cities)} cities")

    def region(self, name: str) -> Region:
        return self.provinces.get(name) or self.city_by_name[name]

    def create_dealers(self) -> None:
        self.dealers: dict[str, Dealer] = {}
        self.dealers_by_province: dict[str, list[Dealer]] = {}
        for code, name, contact, provinces in data.DEALERS:
            city = name[:2]
            dealer = Dealer.objects.filter(code=code).first() or self.save(
                Dealer(
                    code=code,
                    name=name,
                    contact_person=contact,
                    phone=self.mobile(),
                    address=f"{city}市{self.rng.choice(data.ROADS)}{self.rng.randint(1, 399)}号",
                )
            )
            dealer.regions.set([self.provinces[p] for p in provinces])
            self.dealers[code] = dealer
            for province in provinces:
                self.dealers_by_province.setdefault(province, []).append(dealer)
        for username, dealer_code in data.DEALER_LOGINS.items():
            _u, role, name, _r, _s = next(row for row in data.STAFF if row[0] == username)
            user = User(
                username=username,
                name=name,
                role=role,
                phone=self.mobile(),
                email=f"{username}@example.com",
                dealer=self.dealers[dealer_code],
                password=self.password_hash,
            )
            self.users[username] = self.save(user)
        self.say(f"dealers: {len(self.dealers)}")

    def link_staff(self) -> None:
        skill_groups = {g.code: g for g in SkillGroup.objects.all()}
        self.engineers_by_region: dict[int, list[User]] = {}
        self.sales_by_province: dict[str, User] = {}
        for username, role, _name, regions, skills in data.STAFF:
            user = self.users[username]
            if regions:
                user.regions.set([self.region(r) for r in regions])
            if skills:
                user.skill_groups.set([skill_groups[s] for s in skills if s in skill_groups])
            if role == Role.ENGINEER:
                for r in regions:
                    self.engineers_by_region.setdefault(self.region(r).pk, []).append(user)
            if role == Role.SALES:
                for r in regions:
                    self.sales_by_province.setdefault(r, user)

    # --- catalogue ------------------------------------------------------------------------
    def create_catalogue(self) -> None:
        self.models: dict[str, InstrumentModel] = {}
        for code, name, family, manufacturer, third_party, reg_no in data.INSTRUMENT_MODELS:
            self.models[code] = InstrumentModel.objects.filter(code=code).first() or self.save(
                InstrumentModel(
                    code=code,
                    name=name,
                    family=family,
                    manufacturer=manufacturer,
                    is_third_party=third_party,
                    registration_no=reg_no,
                )
            )
        by_family: dict[str, list[InstrumentModel]] = {}
        for m in self.models.values():
            by_family.setdefault(m.family, []).append(m)
        self.models_by_family = by_family

        items: list[tuple[CatalogItem, list[InstrumentModel]]] = []
        self.reagents: list[tuple[CatalogItem, str, str]] = []  # (item, calibrator group, qc group)
        rng = self.rng
        for i, (abbrev, analyte, method, cal_group, qc_group) in enumerate(data.BIOCHEM_REAGENTS, start=1):
            pack, per_ml = rng.choice(data.BIOCHEM_PACKS)
            item = CatalogItem(
                code=f"RG{1000 + i}",
                name=f"{analyte}({abbrev})测定试剂盒（{method}）",
                kind=ItemKind.REAGENT,
                specification=pack,
                unit="盒",
                pack_size=pack,
                tests_per_ml=Decimal(per_ml),
                storage="2–8 °C，避光保存，勿冷冻",
                shelf_life_months=rng.choice([12, 12, 18, 24]),
                onboard_stability_days=rng.choice([14, 28, 28, 30, 60]),
                opened_stability_days=rng.choice([28, 30, 60]),
                registration_no=f"粤械注准2020240{rng.randrange(1000):03d}{i:02d}",
            )
            items.append((item, by_family[ProductFamily.BIOCHEMISTRY]))
            self.reagents.append((item, cal_group, qc_group))
        hba1c_kit = CatalogItem(
            code="RG1100",
            name="糖化血红蛋白(HbA1c)测定试剂盒（高效液相色谱法）",
            kind=ItemKind.REAGENT,
            specification="洗脱液A 2×1000 mL + 洗脱液B 1×500 mL + 溶血剂 1×1000 mL",
            unit="盒",
            pack_size="洗脱液A 2×1000 mL + 洗脱液B 1×500 mL + 溶血剂 1×1000 mL",
            storage="10–30 °C，避免阳光直射",
            shelf_life_months=12,
            onboard_stability_days=30,
            opened_stability_days=30,
            registration_no="粤械注准20192400512",
        )
        items.append((hba1c_kit, by_family[ProductFamily.HBA1C]))
        self.reagents.append((hba1c_kit, "hba1c", "hba1c"))
        for i, (_abbrev, name) in enumerate(data.POCT_REAGENTS, start=1):
            item = CatalogItem(
                code=f"RG{1200 + i}",
                name=name,
                kind=ItemKind.REAGENT,
                specification="25人份/盒（含ID卡、样本稀释液）",
                unit="盒",
                pack_size="25 人份",
                storage="4–30 °C，密封干燥",
                shelf_life_months=18,
                onboard_stability_days=None,
                opened_stability_days=1,
                registration_no=f"粤械注准2021240{700 + i:04d}",
            )
            items.append((item, by_family[ProductFamily.POCT]))
            self.reagents.append((item, "", "poct"))
        self.calibrators: dict[str, CatalogItem] = {}
        for code, name, spec, group, family in data.CALIBRATORS:
            item = CatalogItem(
                code=code,
                name=name,
                kind=ItemKind.CALIBRATOR,
                specification=spec,
                unit="盒",
                pack_size=spec.split("，")[0],
                storage="2–8 °C" if "液体" in spec else "2–8 °C；复溶后 −20 °C 可保存 30 天",
                shelf_life_months=12,
                opened_stability_days=7,
            )
            items.append((item, by_family[family]))
            self.calibrators[group] = item
        self.qc: dict[str, list[CatalogItem]] = {}
        for code, name, spec, group, family in data.QC_MATERIALS:
            item = CatalogItem(
                code=code,
                name=name,
                kind=ItemKind.QC,
                specification=spec,
                unit="盒",
                pack_size=spec.split("，")[0],
                storage="2–8 °C" if "液体" in spec else "−20 °C 以下；复溶后 2–8 °C 保存 7 天",
                shelf_life_months=18,
                opened_stability_days=7,
            )
            items.append((item, by_family[family]))
            self.qc.setdefault(group, []).append(item)
        for code, name, spec, unit, tracked, model_codes in data.SPARE_PARTS:
            item = CatalogItem(
                code=code,
                name=name,
                kind=ItemKind.SPARE_PART,
                specification=spec,
                unit=unit,
                serial_tracked=tracked,
            )
            items.append((item, [self.models[c] for c in model_codes]))

        existing = {i.code: i for i in CatalogItem.objects.filter(code__in=[it.code for it, _m in items])}
        for item, compatible in items:
            if item.code in existing:
                continue
            self.save(item)
            item.compatible_models.set(compatible)
        self.items = [existing.get(item.code, item) for item, _m in items]
        self.create_lots()

    def create_lots(self) -> None:
        rng = self.rng
        self.lots: dict[int, list[Lot]] = {}
        n = 0
        for item in self.items:
            if item.kind == ItemKind.SPARE_PART or item.pk is None or Lot.objects.filter(item=item).exists():
                continue
            shelf = item.shelf_life_months or 12
            # Three lots: an expired one, a current one, a fresh one; every fourth item's current
            # lot expires 5–10 weeks after the anchor date (a "soon to expire" warning).
            n += 1
            expiries = [
                ANCHOR - dt.timedelta(days=rng.randint(10, 120)),
                ANCHOR + dt.timedelta(days=rng.randint(35, 70) if n % 4 == 0 else rng.randint(120, 300)),
                add_months(ANCHOR, shelf) - dt.timedelta(days=rng.randint(20, 90)),
            ]
            lots = []
            for expires in expiries:
                made = add_months(expires, -shelf) + dt.timedelta(days=1)
                lot_no = f"{made:%y%m%d}{rng.randint(1, 9)}"
                lots.append(self.save(Lot(item=item, lot_no=lot_no, manufactured_on=made, expires_on=expires)))
            self.lots[item.pk] = lots
        matches = 0
        for reagent, cal_group, qc_group in self.reagents:
            reagent_lots = self.lots.get(reagent.pk)
            if not reagent_lots:
                continue
            calibrator = self.calibrators.get(cal_group)
            cal_lots = self.lots.get(calibrator.pk) if calibrator else None
            for qc_item in self.qc.get(qc_group, []):
                qc_lots = self.lots.get(qc_item.pk)
                # The current and the fresh reagent lot go with the matching current / fresh lots.
                for idx in (1, 2):
                    self.save(
                        LotMatch(
                            reagent_lot=reagent_lots[idx],
                            calibrator_lot=cal_lots[idx] if cal_lots else None,
                            qc_lot=qc_lots[idx] if qc_lots else None,
                            note="厂家验证配套批号" if idx == 1 else "新批号配套",
                        )
                    )
                    matches += 1
        self.say(f"catalogue: {len(self.models)} models, {len(self.items)} items, {matches} lot matches")

    def create_qualifications(self) -> None:
        """Engineers are qualified for the models of their skill groups; a few expire soon, one has expired."""
        rng = self.rng
        family_for_skill = {
            "hw_hba1c": ["YH-30", "YH-50"],
            "hw_poct": ["YF-100", "YF-200"],
            "hw_biochem_maint": ["YB-240", "YB-480"],
            "hw_biochem_repair": ["YB-240", "YB-480"],
            "app_reagent": ["YB-240", "Hitachi 7180", "Mindray BS-800", "Beckman AU5800"],
            "app_verification": ["YB-480", "Hitachi 7180", "Beckman AU5800"],
            "app_qc": ["YB-240", "Mindray BS-800"],
        }
        count = 0
        soon = {("engineer3", "YH-30"): 40, ("engineer5", "YF-100"): 55, ("engineer9", "YB-240"): 65}
        expired = {("engineer7", "YB-480"): -25}
        for username, role, _name, _regions, skills in data.STAFF:
            if role not in (Role.ENGINEER, Role.SUPERVISOR):
                continue
            codes: list[str] = []
            for skill in skills:
                for code in family_for_skill[skill]:
                    if code not in codes:
                        codes.append(code)
            for code in codes:
                key = (username, code)
                if key in soon or key in expired:
                    until = ANCHOR + dt.timedelta(days=(soon | expired)[key])
                    valid_from = add_months(until, -24) + dt.timedelta(days=1)
                else:
                    valid_from = ANCHOR - dt.timedelta(days=rng.randint(60, 600))
                    until = add_months(valid_from, 36) - dt.timedelta(days=1)
                count += 1
                self.save(
                    Qualification(
                        engineer=self.users[username],
                        instrument_model=self.models[code],
                        certificate_no=f"PX{valid_from:%Y}-{count:04d}",
                        valid_from=valid_from,
                        valid_until=until,
                    )
                )
        self.say(f"qualifications: {count}")

    # --- customers --------------------------------------------------------------------------
    def _customer_name(self, city: Region, row, kind: str, used: set[str]) -> tuple[str, str, str]:
        """(name, grade, district) for a new customer of `kind` in `city`, unique in the city."""
        rng = self.rng
        short = city.name.removesuffix("市")
        province_short = city.parent.name.removesuffix("省").removesuffix("市")
        districts = row[5]
        for _attempt in range(30):
            district = rng.choice(districts)
            if kind == CustomerKind.HOSPITAL:
                roll = rng.random()
                if roll < 0.30:
                    num = rng.choices(range(10), weights=[12, 8, 5, 3, 2, 1, 1, 1, 1, 1])[0]
                    name, grade = f"{short}市第{data.NUMERALS[num]}人民医院", rng.choice(["3A", "3A", "3B", "2A"])
                elif roll < 0.42:
                    name, grade = rng.choice(
                        [
                            (f"{short}市人民医院", "3A"),
                            (f"{short}市中心医院", "3A"),
                            (f"{short}市中医院", "3A"),
                            (f"{short}市妇幼保健院", "3B"),
                            (f"{short}市儿童医院", "3A"),
                            (f"{short}市肿瘤医院", "3B"),
                            (f"{short}市中西医结合医院", "3B"),
                        ]
                    )
                elif roll < 0.50 and city.tier in (CityTier.CAPITAL, CityTier.TIER1):
                    name, grade = rng.choice(
                        [
                            (f"{province_short}省人民医院", "3A"),
                            (f"{province_short}省中医院", "3A"),
                            (f"{province_short}省妇幼保健院", "3A"),
                            (f"{province_short}医科大学第一附属医院", "3A"),
                            (f"{province_short}医科大学第二附属医院", "3A"),
                            (f"{province_short}中医药大学附属医院", "3A"),
                        ]
                    )
                    if city.parent.name.endswith("市"):  # municipalities have no 省 hospitals
                        name = name.replace(f"{province_short}省", f"{province_short}市")
                elif roll < 0.85:
                    suffix, grade = rng.choice(
                        [("人民医院", "2A"), ("人民医院", "2A"), ("中医院", "2A"), ("妇幼保健院", "2B")]
                        + [("第二人民医院", "2B")]
                    )
                    prefix = f"{city.name}{district}" if district.endswith("区") else district
                    name = f"{prefix}{suffix}"
                else:
                    name = f"{short}{rng.choice(data.BRAND_A)}{rng.choice(data.BRAND_B)}医院"
                    grade = rng.choice(["2", "1", "none"])
            elif kind == CustomerKind.LAB:
                name = f"{short}{rng.choice(data.BRAND_A)}{rng.choice(data.BRAND_B)}" + rng.choice(
                    ["医学检验所", "医学检验实验室", "临床检验中心"]
                )
                grade = HospitalGrade.UNGRADED
            elif kind == CustomerKind.CLINIC:
                if district.endswith("县") or district.endswith("镇"):
                    name, grade = f"{district.removesuffix('县')}{rng.choice(data.STREETS)}镇卫生院", "1"
                elif rng.random() < 0.7:
                    prefix = f"{city.name}{district}" if district.endswith("区") else district
                    name, grade = f"{prefix}{rng.choice(data.STREETS)}街道社区卫生服务中心", "1"
                else:
                    name = f"{short}{rng.choice(data.BRAND_A)}{rng.choice(data.BRAND_B)}" + rng.choice(
                        ["门诊部", "综合门诊", "诊所"]
                    )
                    grade = HospitalGrade.UNGRADED
            else:
                name = f"{short}{rng.choice(data.BRAND_A)}{rng.choice(data.BRAND_B)}" + rng.choice(
                    ["健康体检中心", "血液透析中心", "疾病预防控制中心检验所"]
                )
                grade = HospitalGrade.UNGRADED
            if name not in used:
                return name, grade, district
        # A crowded city at a big scale: numbered community health stations never run out.
        n = len(used) + 1
        while f"{district}第{n}社区卫生服务站" in used:
            n += 1
        return f"{district}第{n}社区卫生服务站", "1", district

    def create_customers(self) -> None:
        rng = self.rng
        total = CUSTOMERS_PER_SCALE * self.scale
        tier_weight = {CityTier.TIER1: 5.0, CityTier.CAPITAL: 3.0, CityTier.PREFECTURE: 1.2}
        weights = [tier_weight[city.tier] for city, _row in self.cities]
        used: dict[int, set[str]] = {}
        kinds = [CustomerKind.HOSPITAL, CustomerKind.LAB, CustomerKind.CLINIC, CustomerKind.OTHER]
        customers: list[Customer] = []
        anchors = [(city, row) for city, row in self.cities if city.tier != CityTier.PREFECTURE]
        for i in range(total):
            # Customer KH000001 is the first tier-1 / capital city's big general hospital (the
            # marker of the demo set); every such city starts with one, then random sites.
            if i < len(anchors):
                city, row = anchors[i]
                short = city.name.removesuffix("市")
                name, grade, district = f"{short}市第一人民医院", "3A", row[5][0]
                kind = CustomerKind.HOSPITAL
            else:
                city, row = rng.choices(self.cities, weights=weights)[0]
                kind = rng.choices(kinds, weights=[70, 8, 18, 4])[0]
                name, grade, district = self._customer_name(city, row, kind, used.setdefault(city.pk, set()))
            used.setdefault(city.pk, set()).add(name)
            province_name = city.parent.name
            lat, lng = row[3], row[4]
            dealers = self.dealers_by_province.get(province_name, [])
            through_dealer = {CityTier.TIER1: 0.1, CityTier.CAPITAL: 0.2, CityTier.PREFECTURE: 0.45}[city.tier]
            if grade in ("1", "none", "2", "2B"):
                through_dealer += 0.2
            dealer = rng.choice(dealers) if dealers and rng.random() < through_dealer else None
            big = grade in ("3A", "3B")
            engineers = self.engineers_by_region.get(city.pk) or self.engineers_by_region.get(city.parent_id) or []
            customer = Customer(
                code=f"KH{i + 1:06d}",
                name=name,
                kind=kind,
                grade=grade,
                province=city.parent,
                city=city,
                district=district,
                address=f"{city.parent.name if city.parent.name != city.name else ''}{city.name}{district}"
                f"{rng.choice(data.ROADS)}{rng.randint(1, 899)}号",
                latitude=Decimal(f"{lat + rng.uniform(-0.12, 0.12):.6f}"),
                longitude=Decimal(f"{lng + rng.uniform(-0.12, 0.12):.6f}"),
                responsible_sales=self.sales_by_province.get(province_name),
                responsible_engineer=rng.choice(engineers) if engineers else None,
                dealer=dealer,
                tier=CustomerTier.VIP if big and rng.random() < 0.35 else CustomerTier.NORMAL,
                product_line_usage=rng.choices(
                    [ProductLineUsage.FULL, ProductLineUsage.PARTIAL, ProductLineUsage.PROSPECT],
                    weights=[45, 35, 20] if big else [25, 40, 35],
                )[0],
            )
            if rng.random() < 0.06:
                customer.in_arrears = True
                days, amount = rng.choice([35, 60, 92, 120]), rng.randint(2, 48)
                customer.arrears_note = f"试剂货款逾期 {days} 天，金额约 {amount} 万元"
            customer.name_pinyin, customer.name_initials = pinyin_keys(customer.name)
            customers.append(customer)
        self.customers = self.bulk(Customer, customers)
        self.say(f"customers: {len(self.customers)}")

    def create_departments_and_contacts(self) -> None:
        rng = self.rng
        departments: list[Department] = []
        for customer in self.customers:
            pool = data.DEPARTMENTS[customer.kind]
            if customer.kind == CustomerKind.HOSPITAL:
                names = ["检验科"] + rng.sample(pool[1:], rng.randint(0, 2))
            else:
                names = rng.sample(pool, rng.randint(1, min(2, len(pool))))
            for name in names:
                phone = f"0{rng.randint(10, 999)}-{rng.randint(2000_0000, 8999_9999)}"
                departments.append(Department(customer=customer, name=name, phone=phone))
        departments = self.bulk(Department, departments)
        self.departments: dict[int, list[Department]] = {}
        for d in departments:
            self.departments.setdefault(d.customer_id, []).append(d)

        contacts: list[Contact] = []
        roles = [
            (ContactRole.LAB_DIRECTOR, ["主任", "主任技师", "副主任技师"]),
            (ContactRole.GROUP_LEAD, ["生化组组长", "主管技师"]),
            (ContactRole.OPERATOR, ["技师", "检验师", "主管技师"]),
            (ContactRole.OPERATOR, ["技师", "检验师"]),
            (ContactRole.PURCHASING, ["设备科科员", "采购专员"]),
        ]
        first_department_roles = (ContactRole.LAB_DIRECTOR, ContactRole.PURCHASING)
        for customer in self.customers:
            depts = self.departments[customer.pk]
            count = rng.randint(1, 4)
            for j in range(count):
                role, titles = roles[j] if j < 3 else rng.choice(roles[3:])
                contacts.append(
                    Contact(
                        customer=customer,
                        department=depts[0] if role in first_department_roles else rng.choice(depts),
                        name=self.person_name(),
                        role=role,
                        title=rng.choice(titles),
                        mobile=self.mobile(),
                        email="" if rng.random() < 0.6 else f"{customer.code.lower()}.{j + 1}@example.com",
                        is_primary=j == 0,
                    )
                )
        self.bulk(Contact, contacts)
        self.say(f"departments: {len(departments)}, contacts: {len(contacts)}")

    # --- installed base ---------------------------------------------------------------------
    def create_instruments(self) -> None:
        rng = self.rng
        total = INSTRUMENTS_PER_SCALE * self.scale
        grade_weight = {"3A": 12, "3B": 8, "3": 7, "2A": 5, "2B": 4, "2": 3, "1": 1.5, "none": 2}
        kind_bonus = {CustomerKind.LAB: 4, CustomerKind.OTHER: 1}
        weights = [kind_bonus.get(c.kind, 1) * grade_weight[c.grade] for c in self.customers]
        # Every customer has at least one analyser; the rest go to the bigger sites.
        owners = list(self.customers) + rng.choices(self.customers, weights=weights, k=total - len(self.customers))
        family_mix = {
            CustomerKind.HOSPITAL: [45, 30, 25],
            CustomerKind.LAB: [60, 15, 25],
            CustomerKind.CLINIC: [10, 70, 20],
            CustomerKind.OTHER: [30, 40, 30],
        }
        families = [ProductFamily.BIOCHEMISTRY, ProductFamily.POCT, ProductFamily.HBA1C]
        biochem_models = ["YB-240", "YB-480", "Hitachi 7180", "Mindray BS-800", "Beckman AU5800"]
        serial_seq: dict[str, int] = {}
        contract_seq = 0
        latest_install = ANCHOR - dt.timedelta(days=1)
        instruments: list[Instrument] = []
        for customer in owners:
            family = rng.choices(families, weights=family_mix[customer.kind])[0]
            if family == ProductFamily.BIOCHEMISTRY:
                big = customer.grade in ("3A", "3B")
                code = rng.choices(biochem_models, weights=[25, 20, 20, 20, 15] if big else [35, 10, 20, 30, 5])[0]
            elif family == ProductFamily.POCT:
                code = rng.choices(["YF-100", "YF-200"], weights=[70, 30])[0]
            else:
                code = rng.choices(["YH-30", "YH-50"], weights=[80, 20])[0]
            model = self.models[code]
            if code == "YB-480" or code == "YH-50" or code == "YF-200":
                install = self.date_between(dt.date(2022, 6, 1), latest_install)
            else:
                install = self.date_between(INSTALL_FROM, latest_install)
            if model.is_third_party:
                ownership, dealer = Ownership.CUSTOMER, None
            elif customer.dealer_id and rng.random() < 0.5:
                ownership, dealer = Ownership.DEALER, customer.dealer
            else:
                ownership = rng.choices([Ownership.CUSTOMER, Ownership.COMPANY], weights=[60, 40])[0]
                dealer = None
            seq = serial_seq[code] = serial_seq.get(code, 0) + 1
            serial = f"{data.SERIAL_PREFIX[code]}{install:%y%m}{seq:05d}"
            age_days = (ANCHOR - install).days
            acceptance = install + dt.timedelta(days=rng.randint(1, 10))
            if age_days < 21 and rng.random() < 0.6 or acceptance >= ANCHOR:
                status, acceptance = InstrumentStatus.INSTALLING, None
            else:
                roll = rng.random()
                if age_days > 3 * 365 and roll < 0.03:
                    status = rng.choice([InstrumentStatus.RETURNED, InstrumentStatus.SCRAPPED])
                elif roll < 0.08:
                    status = InstrumentStatus.IDLE
                elif roll < 0.12:
                    status = InstrumentStatus.UNDER_REPAIR
                else:
                    status = InstrumentStatus.IN_USE
            contract_no = ""
            if not model.is_third_party:
                contract_seq += 1
                contract_no = f"HT{install:%Y}-{contract_seq:06d}"
            preferred = data.FAMILY_DEPARTMENTS[family]
            depts = sorted(
                self.departments[customer.pk],
                key=lambda d: preferred.index(d.name) if d.name in preferred else len(preferred),
            )
            instrument = Instrument(
                serial_no=serial,
                model=model,
                customer=customer,
                department=depts[0],
                ownership=ownership,
                dealer=dealer,
                install_date=install,
                acceptance_date=acceptance,
                contract_no=contract_no,
                warranty_months=12 if model.is_third_party else rng.choices([12, 24, 36], weights=[5, 3, 2])[0],
                status=status,
                qr_token=self.qr_token(),
            )
            instrument.warranty_end = instrument.compute_warranty_end()
            instruments.append(instrument)
        self.bulk(Instrument, instruments)
        self.say(f"instruments: {len(instruments)}")
