"""Excel export and import (issue #2 "Import and export"): Chinese headers, a preview, per-row
errors with Excel row numbers, all-or-nothing, audited, and only for the roles allowed."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.tests.factories import CityFactory, ProvinceFactory, UserFactory
from apps.catalog.choices import ItemKind, ProductFamily
from apps.catalog.models import CatalogItem, InstrumentModel
from apps.catalog.resources import CatalogItemResource
from apps.core.imports import read_sheet, run_import, write_workbook
from apps.customers.choices import HospitalGrade
from apps.customers.models import Customer
from apps.customers.resources import CustomerResource
from apps.customers.tests.factories import ContactFactory, CustomerFactory, DealerFactory, DepartmentFactory
from apps.instruments.models import Instrument
from apps.instruments.resources import InstrumentResource

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CUSTOMER_HEADERS = CustomerResource.column_headers()


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def guangdong():
    province = ProvinceFactory(name="广东省")
    return {
        "province": province,
        "shenzhen": CityFactory(name="深圳市", parent=province),
        "guangzhou": CityFactory(name="广州市", parent=province),
    }


@pytest.fixture
def admin():
    return UserFactory(role=Role.ADMIN, username="admin1", name="王管理")


@pytest.fixture
def sales():
    return UserFactory(role=Role.SALES, username="sales_li", name="李销售")


@pytest.fixture
def engineer():
    return UserFactory(role=Role.ENGINEER, username="eng_zhao", name="赵工")


def workbook_bytes(headers, rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers] if isinstance(row, dict) else list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(rows, headers=CUSTOMER_HEADERS, name="customers.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, workbook_bytes(headers, rows), content_type=XLSX)


def customer_row(n, **overrides) -> dict:
    row = {
        "客户编码": f"KH{n:04d}",
        "客户名称": f"深圳市第{n}人民医院",
        "客户类型": "医院",
        "等级": "三级甲等",
        "省份": "广东省",
        "城市": "深圳市",
        "区县": "南山区",
        "地址": f"科技路{n}号",
        "纬度": 22.543096,
        "经度": 114.057865,
        "负责销售(用户名)": "sales_li",
        "负责工程师(用户名)": "eng_zhao",
        "经销商编码": None,
        "客户分级": "VIP",
        "产品线使用": "全线使用",
        "欠款": "否",
        "欠款说明": None,
        "备注": None,
    }
    row.update(overrides)
    return row


def read_download(response):
    content = b"".join(response.streaming_content)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]


def upload_and_preview(client, url, file):
    """Page 1 → page 2: returns the preview response and the upload token."""
    response = client.post(url, {"file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    token = response["Location"].split("token=")[1]
    return client.get(response["Location"]), token


# --- export ----------------------------------------------------------------------------------


def test_a_sales_person_exports_only_his_own_customers_with_chinese_headers(client, guangdong, sales):
    mine = CustomerFactory(
        code="KH-MINE", city=guangdong["shenzhen"], responsible_sales=sales, grade=HospitalGrade.GRADE_3A
    )
    ContactFactory(customer=mine, mobile="13800001111")
    CustomerFactory(code="KH-OTHER", city=guangdong["guangzhou"], responsible_sales=UserFactory(role=Role.SALES))
    client.force_login(sales)

    response = client.get(reverse("customers:customer_export"))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert f"customers-{timezone.localdate():%Y%m%d}.xlsx" in response["Content-Disposition"]
    rows = read_download(response)
    # The UI is in English here (LANGUAGE_CODE=en): headers and choice labels stay Chinese.
    assert rows[0] == CUSTOMER_HEADERS
    assert rows[0][:2] == ["客户编码", "客户名称"]
    assert [r[0] for r in rows[1:]] == ["KH-MINE"]
    exported = dict(zip(rows[0], rows[1], strict=True))
    assert exported["等级"] == "三级甲等"
    assert exported["省份"] == "广东省"
    assert exported["城市"] == "深圳市"
    assert exported["负责销售(用户名)"] == "sales_li"
    assert "13800001111" not in str(rows)  # phones are not part of the export


def test_the_export_applies_the_filters_of_the_list_page(client, guangdong, admin):
    CustomerFactory(code="KH-A", city=guangdong["shenzhen"], grade=HospitalGrade.GRADE_3A)
    CustomerFactory(code="KH-B", city=guangdong["shenzhen"], grade=HospitalGrade.GRADE_2A)
    CustomerFactory(code="KH-C", city=guangdong["shenzhen"], grade=HospitalGrade.GRADE_3A, is_active=False)
    client.force_login(admin)

    rows = read_download(client.get(reverse("customers:customer_export"), {"grade": "3A"}))

    assert [r[0] for r in rows[1:]] == ["KH-A"]


def test_the_export_runs_a_fixed_number_of_queries(client, guangdong, admin, sales, engineer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def export_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("customers:customer_export"))
            b"".join(response.streaming_content)
        return len(ctx.captured_queries)

    dealer = DealerFactory()
    make = dict(city=guangdong["shenzhen"], responsible_sales=sales, responsible_engineer=engineer, dealer=dealer)
    CustomerFactory.create_batch(2, **make)
    client.force_login(admin)
    few = export_queries()
    CustomerFactory.create_batch(20, **make)

    assert export_queries() == few


def test_the_list_page_offers_export_and_import_to_an_admin_only(client, guangdong, admin):
    client.force_login(admin)
    page = client.get(reverse("customers:customer_list")).content.decode()
    assert reverse("customers:customer_export") in page
    assert reverse("customers:customer_import") in page

    client.force_login(UserFactory(role=Role.CLERK))
    page = client.get(reverse("customers:customer_list")).content.decode()
    assert reverse("customers:customer_export") in page
    assert reverse("customers:customer_import") not in page


# --- import: errors --------------------------------------------------------------------------


def test_a_file_with_one_bad_row_imports_nothing_and_names_row_57(client, guangdong, admin, sales, engineer):
    # The header is Excel row 1, so the 56th data row is row 57.
    rows = [customer_row(n) for n in range(1, 56)] + [customer_row(56, 城市="深川")]
    rows += [customer_row(n) for n in range(57, 60)]
    client.force_login(admin)
    url = reverse("customers:customer_import")

    preview, token = upload_and_preview(client, url, upload(rows))

    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Row 57: 城市 &quot;深川&quot; does not exist in 广东省" in page
    assert "Row 56" not in page.split('id="errors"')[1].split("</section>")[0]
    assert "Row 58" not in page.split('id="errors"')[1].split("</section>")[0]
    assert 'name="confirm"' not in page
    assert "nothing was imported" in page
    assert preview.context["report"].new == 58
    assert preview.context["report"].failed == 1
    assert Customer.objects.count() == 0  # the dry run was rolled back

    # Forcing the confirmation anyway changes nothing either: all or nothing.
    response = client.post(url, {"token": token, "confirm": "1"})
    assert response.status_code == 200
    assert "Row 57" in response.content.decode()
    assert Customer.objects.count() == 0


def test_every_bad_row_is_listed_with_its_reason(client, guangdong, admin, sales, engineer):
    rows = [
        customer_row(1, 等级="特级"),
        customer_row(2, **{"负责销售(用户名)": "eng_zhao"}),
        customer_row(3, 经度=None),
        customer_row(4, 纬度="北纬22度"),
        customer_row(1),
        customer_row(6, 客户名称=""),
        customer_row(7, 省份="火星"),
    ]
    client.force_login(admin)

    preview, _ = upload_and_preview(client, reverse("customers:customer_import"), upload(rows))

    errors = preview.context["report"].errors
    grades = "三级甲等、三级乙等、三级、二级甲等、二级乙等、二级、一级、未定级"
    assert f'Row 2: 等级 "特级" is not one of: {grades}' in errors
    assert 'Row 3: 负责销售(用户名) "eng_zhao" is not an active sales user' in errors
    assert "Row 4: 经度: Give both latitude and longitude, or neither." in errors
    assert 'Row 5: 纬度 "北纬22度" is not a number' in errors
    assert 'Row 6: 客户编码 "KH0001" also appears in row 2' in errors
    assert "Row 7: 客户名称: This field cannot be blank." in errors
    assert 'Row 8: 省份 "火星" does not exist' in errors
    assert 'Row 8: 城市 "深圳市" cannot be checked without a valid 省份' in errors
    assert Customer.objects.count() == 0


def test_a_file_without_the_required_columns_is_refused_with_their_names(client, guangdong, admin):
    headers = ["客户编码", "客户名称", "等级"]
    client.force_login(admin)

    response = client.post(
        reverse("customers:customer_import"), {"file": upload([["KH1", "某医院", "一级"]], headers=headers)}
    )

    assert response.status_code == 200
    assert "lacks these columns: 省份, 城市" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("customers.csv", "客户编码,客户名称\nKH1,某医院\n".encode()),
        ("customers.xls", b"\xd0\xcf\x11\xe0 old binary excel"),
        ("customers.xlsx", b"PK\x03\x04 but not really a workbook"),
        ("customers.xlsx", b"just text pretending"),
    ],
)
def test_a_file_that_is_not_an_xlsx_workbook_is_refused_clearly(client, admin, name, content):
    client.force_login(admin)

    response = client.post(reverse("customers:customer_import"), {"file": SimpleUploadedFile(name, content)})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Only Excel workbooks (.xlsx) can be imported" in page or "is not an Excel workbook (.xlsx)" in page
    assert not list(_imports_dir().glob("*"))


def _imports_dir():
    from apps.core.imports import imports_dir

    return imports_dir()


def test_an_empty_file_is_refused(client, admin):
    client.force_login(admin)
    response = client.post(reverse("customers:customer_import"), {"file": upload([])})
    assert "no data rows" in response.content.decode()


# --- import: the happy path and the audit trail ------------------------------------------------


def test_a_good_file_creates_the_customers_and_their_history_names_the_importer(
    client, guangdong, admin, sales, engineer
):
    dealer = DealerFactory(code="D-SZ")
    rows = [
        customer_row(1),
        customer_row(2, 等级="2A", 经销商编码="D-SZ", 欠款="是", 欠款说明="2024 年货款", 客户分级="普通"),
        customer_row(3, 城市="广州", 纬度=None, 经度=None, **{"负责工程师(用户名)": None}),
    ]
    client.force_login(admin)
    url = reverse("customers:customer_import")

    preview, token = upload_and_preview(client, url, upload(rows))
    report = preview.context["report"]
    assert (report.new, report.updated, report.unchanged, report.failed) == (3, 0, 0, 0)
    assert 'name="confirm"' in preview.content.decode()
    assert Customer.objects.count() == 0

    response = client.post(url, {"token": token, "confirm": "1"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("customers:customer_list")
    assert "Imported 3 new, updated 0" in response.content.decode()
    second = Customer.objects.get(code="KH0002")
    assert second.grade == HospitalGrade.GRADE_2A
    assert second.dealer == dealer
    assert second.in_arrears is True and second.arrears_note == "2024 年货款"
    assert second.tier == "normal"
    assert second.responsible_sales == sales and second.responsible_engineer == engineer
    assert second.latitude == Decimal("22.543096")
    third = Customer.objects.get(code="KH0003")
    assert third.city == guangdong["guangzhou"]  # "广州" is the unique prefix of 广州市
    assert third.responsible_engineer is None and third.latitude is None
    record = second.history.get()
    assert record.history_user == admin
    assert record.history_change_reason == "Excel import"
    detail = client.get(second.get_absolute_url()).content.decode()
    assert "王管理" in detail and "Excel import" in detail
    assert not list(_imports_dir().glob("*"))  # the upload is deleted after confirming


def test_reimporting_the_same_file_changes_nothing(client, guangdong, admin, sales, engineer):
    rows = [customer_row(n) for n in range(1, 4)]
    client.force_login(admin)
    url = reverse("customers:customer_import")
    _, token = upload_and_preview(client, url, upload(rows))
    client.post(url, {"token": token, "confirm": "1"})
    assert Customer.objects.count() == 3

    preview, token = upload_and_preview(client, url, upload(rows))
    report = preview.context["report"]
    assert (report.new, report.updated, report.unchanged, report.failed) == (0, 0, 3, 0)
    response = client.post(url, {"token": token, "confirm": "1"}, follow=True)

    assert "Imported 0 new, updated 0 (3 unchanged)" in response.content.decode()
    assert set(Customer.objects.values_list("version", flat=True)) == {1}
    assert Customer.history.count() == 3


def test_an_exported_file_imports_back_unchanged(client, guangdong, admin, sales, engineer):
    dealer = DealerFactory(code="D1")
    CustomerFactory(
        code="KH-X", city=guangdong["shenzhen"], responsible_sales=sales, responsible_engineer=engineer,
        dealer=dealer, latitude=Decimal("22.1"), longitude=Decimal("113.123457"), in_arrears=True,
    )
    CustomerFactory(code="KH-Y", city=guangdong["guangzhou"])
    client.force_login(admin)
    exported = b"".join(client.get(reverse("customers:customer_export")).streaming_content)

    preview, _ = upload_and_preview(
        client, reverse("customers:customer_import"), SimpleUploadedFile("customers.xlsx", exported)
    )

    report = preview.context["report"]
    assert report.errors == []
    assert (report.new, report.updated, report.unchanged) == (0, 0, 2)


def test_an_import_updates_a_customer_by_its_code_and_bumps_its_version(client, guangdong, admin, sales, engineer):
    customer = CustomerFactory(code="KH0001", name="旧名称医院", city=guangdong["shenzhen"])
    client.force_login(admin)
    url = reverse("customers:customer_import")

    _, token = upload_and_preview(client, url, upload([customer_row(1, 客户名称="新名称医院")]))
    response = client.post(url, {"token": token, "confirm": "1"}, follow=True)

    assert "Imported 0 new, updated 1" in response.content.decode()
    customer.refresh_from_db()
    assert customer.name == "新名称医院"
    assert customer.version == 2  # a form opened before the import now sees a conflict
    latest = customer.history.first()
    assert latest.history_user == admin and latest.history_change_reason == "Excel import"


def test_a_file_with_columns_left_out_keeps_those_values(client, guangdong, admin):
    customer = CustomerFactory(code="KH0001", name="某医院", city=guangdong["shenzhen"], address="老地址 1 号")
    headers = ["客户编码", "客户名称", "省份", "城市", "等级", "无关列"]
    client.force_login(admin)

    preview, token = upload_and_preview(
        client,
        reverse("customers:customer_import"),
        upload([["KH0001", "某医院", "广东省", "深圳市", "一级", "x"]], headers=headers),
    )
    assert preview.context["report"].ignored_headers == ["无关列"]
    client.post(reverse("customers:customer_import"), {"token": token, "confirm": "1"})

    customer.refresh_from_db()
    assert customer.grade == HospitalGrade.GRADE_1
    assert customer.address == "老地址 1 号"


# --- import: who may ---------------------------------------------------------------------------


def test_a_clerk_may_not_import(client, guangdong):
    client.force_login(UserFactory(role=Role.CLERK))
    url = reverse("customers:customer_import")

    assert client.get(url).status_code == 403
    assert client.post(url, {"file": upload([customer_row(1)])}).status_code == 403
    assert Customer.objects.count() == 0


def test_nobody_else_can_confirm_an_upload(client, guangdong, admin, sales, engineer):
    url = reverse("customers:customer_import")
    client.force_login(admin)
    _, token = upload_and_preview(client, url, upload([customer_row(1)]))

    other = UserFactory(role=Role.TECH_HEAD)
    client.force_login(other)
    refused = client.post(url, {"token": token, "confirm": "1"}, follow=True)
    peek = client.get(url, {"token": token}, follow=True)

    assert "expired or was made by someone else" in refused.content.decode()
    assert "expired or was made by someone else" in peek.content.decode()
    assert Customer.objects.count() == 0

    client.force_login(admin)  # a new session: the upload is gone for good
    assert client.post(url, {"token": token, "confirm": "1"}).status_code == 302
    assert Customer.objects.count() == 0


def test_an_upload_is_confirmed_once(client, guangdong, admin, sales, engineer):
    url = reverse("customers:customer_import")
    client.force_login(admin)
    _, token = upload_and_preview(client, url, upload([customer_row(1)]))

    client.post(url, {"token": token, "confirm": "1"})
    again = client.post(url, {"token": token, "confirm": "1"}, follow=True)

    assert "expired or was made by someone else" in again.content.decode()
    assert Customer.objects.count() == 1
    assert Customer.history.count() == 1


def test_cancelling_deletes_the_upload(client, guangdong, admin):
    url = reverse("customers:customer_import")
    client.force_login(admin)
    _, token = upload_and_preview(client, url, upload([customer_row(1)]))

    client.post(url, {"token": token, "cancel": "1"})

    assert not list(_imports_dir().glob("*"))
    assert Customer.objects.count() == 0


# --- instruments and catalogue items (the resources; the views are the same generic ones) ------


def sheet_of(resource_class, headers, rows):
    return read_sheet(
        io.BytesIO(workbook_bytes(headers, rows)), resource_class=resource_class, filename="file.xlsx"
    )


def test_instruments_import_by_serial_with_natural_keys_and_chinese_labels(guangdong, admin):
    model = InstrumentModel.objects.create(code="YH-30", name="糖化分析仪", family=ProductFamily.HBA1C)
    customer = CustomerFactory(code="KH1", city=guangdong["shenzhen"])
    DepartmentFactory(customer=customer, name="检验科")
    dealer = DealerFactory(code="D9")
    headers = InstrumentResource.column_headers()
    rows = [
        {"序列号": "SN001", "型号编码": "YH-30", "客户编码": "KH1", "科室": "检验科", "归属": "经销商投放",
         "投放经销商编码": "D9", "装机日期": dt.date(2024, 3, 1), "验收日期": "2024/3/5", "保修月数": 24,
         "状态": "在用"},
        {"序列号": "SN002", "型号编码": "YH-30", "客户编码": "KH1", "科室": "急诊科", "归属": "customer"},
        {"序列号": "SN003", "型号编码": "YH-99", "客户编码": "KH1", "状态": "坏了"},
        {"序列号": "SN004", "型号编码": "YH-30", "客户编码": "KH1", "归属": "经销商投放"},
    ]
    sheet = sheet_of(InstrumentResource, headers, rows)

    report = run_import(resource_class=InstrumentResource, sheet=sheet, actor=admin, dry_run=False)

    assert 'Row 3: 科室 "急诊科" does not exist in ' + str(customer) in report.errors
    assert 'Row 4: 型号编码 "YH-99" does not exist' in report.errors
    assert any(e.startswith('Row 4: 状态 "坏了" is not one of: 装机中、在用') for e in report.errors)
    assert "Row 5: 投放经销商编码: A dealer-placed instrument must name its dealer." in report.errors
    assert Instrument.objects.count() == 0  # all or nothing

    sheet = sheet_of(InstrumentResource, headers, rows[:1])
    report = run_import(resource_class=InstrumentResource, sheet=sheet, actor=admin, dry_run=False)
    assert report.ok and report.new == 1
    instrument = Instrument.objects.get(serial_no="SN001")
    assert (instrument.model, instrument.dealer, instrument.ownership) == (model, dealer, "dealer")
    assert instrument.acceptance_date == dt.date(2024, 3, 5)
    assert instrument.warranty_end == dt.date(2026, 3, 4)
    assert instrument.history.get().history_user == admin

    exported = write_workbook(resource=InstrumentResource(), queryset=Instrument.objects.all())
    rows_out = list(openpyxl.load_workbook(exported).worksheets[0].iter_rows(values_only=True))
    assert rows_out[0] == tuple(headers)
    out = dict(zip(rows_out[0], rows_out[1], strict=True))
    assert (out["归属"], out["状态"], out["保修截止"].date()) == ("经销商投放", "在用", dt.date(2026, 3, 4))
    exported.seek(0)
    again = read_sheet(exported, resource_class=InstrumentResource, filename="x.xlsx")
    report = run_import(resource_class=InstrumentResource, sheet=again, actor=admin, dry_run=True)
    assert report.ok and report.unchanged == 1


def test_catalogue_items_import_compatible_models_by_code(admin):
    InstrumentModel.objects.create(code="BC-200", name="生化仪", family=ProductFamily.BIOCHEMISTRY)
    InstrumentModel.objects.create(code="BC-400", name="生化仪", family=ProductFamily.BIOCHEMISTRY)
    headers = CatalogItemResource.column_headers()
    rows = [
        {"货号": "R-GLU", "名称": "葡萄糖测定试剂盒", "类别": "试剂", "每毫升测试数": 2.5, "效期(月)": 18,
         "适用机型编码": "BC-200，BC-400"},
        {"货号": "P-LAMP", "名称": "光源灯", "类别": "spare_part", "序列号管理": "是", "每毫升测试数": 1},
        {"货号": "Q-1", "名称": "质控品", "类别": "质控品", "效期(月)": "十二", "适用机型编码": "BC-900"},
    ]

    report = run_import(
        resource_class=CatalogItemResource, sheet=sheet_of(CatalogItemResource, headers, rows), actor=admin,
        dry_run=True,
    )

    assert "Row 3: 每毫升测试数: A spare part has no tests per mL." in report.errors
    assert 'Row 4: 效期(月) "十二" is not a whole number' in report.errors
    assert 'Row 4: 适用机型编码 "BC-900" does not exist' in report.errors

    report = run_import(
        resource_class=CatalogItemResource, sheet=sheet_of(CatalogItemResource, headers, rows[:1]), actor=admin,
        dry_run=False,
    )
    assert report.ok and report.new == 1
    item = CatalogItem.objects.get(code="R-GLU")
    assert item.kind == ItemKind.REAGENT and item.tests_per_ml == Decimal("2.50")
    assert sorted(item.compatible_models.values_list("code", flat=True)) == ["BC-200", "BC-400"]

    exported = write_workbook(resource=CatalogItemResource(), queryset=CatalogItem.objects.all())
    again = read_sheet(exported, resource_class=CatalogItemResource, filename="x.xlsx")
    out = dict(zip(again.headers, again.rows[0], strict=True))
    assert (out["类别"], out["适用机型编码"], out["序列号管理"]) == ("试剂", "BC-200,BC-400", "否")
    report = run_import(resource_class=CatalogItemResource, sheet=again, actor=admin, dry_run=True)
    assert report.ok and report.unchanged == 1


# --- the instrument and catalogue pages use the same generic views -----------------------------


def test_an_engineer_exports_only_the_instruments_of_his_regions(client, guangdong):
    model = InstrumentModel.objects.create(code="YH-30", name="糖化分析仪", family=ProductFamily.HBA1C)
    hunan = CityFactory(name="长沙市", parent=ProvinceFactory(name="湖南省"))
    near = CustomerFactory(code="KH-NEAR", city=guangdong["shenzhen"])
    far = CustomerFactory(code="KH-FAR", city=hunan)
    Instrument.objects.create(serial_no="SN-NEAR", model=model, customer=near)
    Instrument.objects.create(serial_no="SN-FAR", model=model, customer=far)
    client.force_login(UserFactory(role=Role.ENGINEER, regions=[guangdong["province"]]))

    list_page = client.get(reverse("instruments:instrument_list")).content.decode()
    response = client.get(reverse("instruments:instrument_export"))

    assert reverse("instruments:instrument_export") in list_page
    assert f"instruments-{timezone.localdate():%Y%m%d}.xlsx" in response["Content-Disposition"]
    rows = read_download(response)
    assert rows[0] == InstrumentResource.column_headers()
    assert [r[:3] for r in rows[1:]] == [["SN-NEAR", "YH-30", "KH-NEAR"]]


def test_instruments_are_imported_by_a_technical_head_but_not_by_an_engineer(client, guangdong):
    InstrumentModel.objects.create(code="YH-30", name="糖化分析仪", family=ProductFamily.HBA1C)
    CustomerFactory(code="KH1", city=guangdong["shenzhen"])
    url = reverse("instruments:instrument_import")
    file = upload([["SN9", "YH-30", "KH1", "在用"]], headers=["序列号", "型号编码", "客户编码", "状态"])
    client.force_login(UserFactory(role=Role.ENGINEER))
    assert client.get(url).status_code == 403

    head = UserFactory(role=Role.TECH_HEAD)
    client.force_login(head)
    _, token = upload_and_preview(client, url, file)
    response = client.post(url, {"token": token, "confirm": "1"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("instruments:instrument_list")
    assert Instrument.objects.get(serial_no="SN9").history.get().history_user == head


def test_catalogue_items_are_exported_and_imported_by_catalogue_editors(client):
    CatalogItem.objects.create(code="R-1", name="试剂一", kind=ItemKind.REAGENT)
    client.force_login(UserFactory(role=Role.COMMERCE))

    rows = read_download(client.get(reverse("catalog:item_export")))
    assert rows[0] == CatalogItemResource.column_headers()
    assert rows[1][:3] == ["R-1", "试剂一", "试剂"]
    assert reverse("catalog:item_import") in client.get(reverse("catalog:item_list")).content.decode()

    url = reverse("catalog:item_import")
    _, token = upload_and_preview(client, url, upload([["R-2", "试剂二", "reagent"]], headers=["货号", "名称", "类别"]))
    client.post(url, {"token": token, "confirm": "1"})
    assert CatalogItem.objects.filter(code="R-2", kind=ItemKind.REAGENT).exists()

    client.force_login(UserFactory(role=Role.ENGINEER))
    assert client.get(url).status_code == 403


def test_an_exported_file_of_municipalities_and_spaced_model_codes_imports_back_unchanged(client, db):
    """北京市 is both a province and a city; 'Beckman AU5800' is one model code."""
    import io

    from apps.accounts.choices import CityTier, RegionLevel
    from apps.accounts.models import Region
    from apps.catalog.tests.factories import CatalogItemFactory, InstrumentModelFactory
    from apps.customers.tests.factories import CustomerFactory

    beijing = Region.objects.create(name="北京市", level=RegionLevel.PROVINCE, code="110000")
    city = Region.objects.create(name="北京市", level=RegionLevel.CITY, parent=beijing, tier=CityTier.TIER1)
    CustomerFactory(name="北京协和医院", province=beijing, city=city)
    CatalogItemFactory(compatible_models=[InstrumentModelFactory(code="Beckman AU5800")])
    admin = UserFactory(role=Role.ADMIN)
    client.force_login(admin)
    for prefix in ("customers:customer", "catalog:item"):
        exported = client.get(reverse(f"{prefix}_export"))
        upload = io.BytesIO(b"".join(exported.streaming_content) if exported.streaming else exported.content)
        upload.name = "roundtrip.xlsx"
        preview = client.post(reverse(f"{prefix}_import"), {"file": upload}, follow=True)
        page = preview.content.decode()
        assert preview.status_code == 200
        assert "does not exist" not in page and "Row " not in page, page
        assert "nothing was imported" not in page


def test_a_customer_whose_sales_person_left_reimports_unchanged(client, db):
    import io

    from apps.customers.tests.factories import CustomerFactory

    sales = UserFactory(role=Role.SALES, username="leaver")
    customer = CustomerFactory(name="老客户医院", responsible_sales=sales)
    admin = UserFactory(role=Role.ADMIN)
    client.force_login(admin)
    exported = client.get(reverse("customers:customer_export"))
    content = b"".join(exported.streaming_content) if exported.streaming else exported.content
    sales.is_active = False
    sales.save()
    upload = io.BytesIO(content)
    upload.name = "again.xlsx"
    page = client.post(reverse("customers:customer_import"), {"file": upload}, follow=True).content.decode()
    assert "Row " not in page and "nothing was imported" not in page, page
    customer.refresh_from_db()
    assert customer.responsible_sales == sales
