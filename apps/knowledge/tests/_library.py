"""The case library's test world: the complaint world (one login per role, a customer in 广州,
work orders, the glucose reagent with lot 20260301) plus a small labelled library of realistic
cases, written and published by the technical head through the real service.

`library.cases["temp"]` … name the cases of LABELLED; test_search_quality.py asks questions of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from apps.catalog.choices import ProductFamily
from apps.catalog.models import InstrumentModel
from apps.catalog.tests.factories import InstrumentModelFactory
from apps.complaints.tests._world import world_fixture  # noqa: F401  (the `world` fixture)
from apps.knowledge import services

# key: (model, title, symptom, cause, fix, tags)
LABELLED = {
    "temp": (
        "chem",
        "反应盘温控异常",
        "开机预热约30分钟后仍提示反应盘温度报警，温度在35.2~38.6℃之间波动，所有项目结果不稳定。",
        "反应盘加热膜老化，温度传感器接触不良。",
        "更换反应盘加热膜并重新固定温度传感器；开机预热后温度稳定在37.0±0.1℃。",
        "温控, 反应盘",
    ),
    "column": (
        "hba1c",
        "糖化血红蛋白色谱柱压力过高",
        "开机后柱压持续升高到18MPa，报警E021，无法进样，峰形变宽。",
        "样本未离心，红细胞碎片堵塞预柱滤芯。",
        "更换预柱滤芯，反冲色谱柱；提醒科室样本离心后再上机。",
        "色谱柱, 柱压",
    ),
    "lot": (
        "chem",
        "葡萄糖试剂新批号质控偏高",
        "更换批号20260301的葡萄糖试剂后，两个水平的质控均偏高约15%，病人结果整体偏高。",
        "新批号未重新定标，沿用了旧批号的定标曲线。",
        "用配套校准品对新批号重新定标，质控回到靶值范围。更换试剂批号必须重新定标。",
        "定标, 批号",
    ),
    "barcode": (
        "chem",
        "样本条码无法识别",
        "样本架上的试管条码扫不出来，屏幕提示读码失败，只能手工输入样本号。",
        "条码阅读器窗口有灰尘，医院新换的条码纸打印浓度太低。",
        "清洁条码阅读器窗口，把条码打印机浓度调到12，读码率恢复正常。",
        "条码, 读码",
    ),
    "probe": (
        "chem",
        "样本针堵塞导致吸样不足",
        "加样时频繁提示样本量不足，同一样本重复检测结果差异大，重复性差。",
        "血清样本中的纤维蛋白凝块堵塞了样本针。",
        "用清洗液浸泡并用通针疏通样本针；建议样本充分离心，开启凝块检测。",
        "样本针, 堵针, 凝块",
    ),
    "lamp": (
        "chem",
        "光源灯能量低",
        "自检提示光源灯能量低，340nm空白吸光度偏高，多个项目定标失败。",
        "卤素灯使用超过2000小时，能量衰减。",
        "更换光源灯，预热30分钟后做光度计校准，再重新定标。",
        "光源灯",
    ),
    "poct": (
        "poct",
        "POCT试纸卡读取错误",
        "插入测试卡后提示读卡失败E05，换一张卡也一样。",
        "ID卡与试剂批号不匹配，读卡器光学窗口有污渍。",
        "插入与批号对应的ID卡，清洁读卡器窗口后恢复正常。",
        "试纸卡, 读卡器",
    ),
    "carryover": (
        "chem",
        "高值样本后携带污染",
        "高浓度样本后面紧接着的样本结果偏高，怀疑有交叉污染。",
        "清洗站清洗液流量不足，样本针外壁清洗不彻底。",
        "疏通清洗站管路，更换清洗液过滤器，设置高值样本后加做一次清洗。",
        "携带污染",
    ),
    "electrode": (
        "electrolyte",
        "电解质钠电极漂移",
        "钠的结果逐渐升高，定标斜率不合格，质控失控。",
        "钠电极老化，参比电极内充液不足。",
        "更换钠电极并补充参比电极内充液，重新定标后质控在控。",
        "电极",
    ),
    "cuvette": (
        "chem",
        "比色杯污染导致结果偏低",
        "多个项目结果偏低，比色杯空白吸光度检查有几个杯位超出范围。",
        "比色杯内壁有蛋白沉积，清洗液浓度配错。",
        "按比例重新配制清洗液，执行比色杯清洗维护，更换超限的比色杯。",
        "比色杯",
    ),
    "lis": (
        "chem",
        "LIS通讯中断，结果无法上传",
        "检测完成后结果传不到医院LIS系统，双向通讯时断时续。",
        "串口线松动，医院更换交换机后IP地址冲突。",
        "重新插紧串口线，修改仪器IP地址，双向通讯恢复。",
        "通讯",
    ),
    "hba1c_low": (
        "hba1c",
        "糖化结果整体偏低",
        "结果比外院低0.5%左右，两个水平的质控也偏低。",
        "洗脱液放置过久挥发，保留时间漂移。",
        "更换新鲜洗脱液，重新校准后结果与外院一致。",
        "洗脱液",
    ),
    "fridge": (
        "chem",
        "试剂仓制冷失效",
        "试剂仓温度显示15℃，上机试剂稳定性变差，ALT等项目质控偏高。",
        "试剂仓制冷片损坏，散热风扇不转。",
        "更换制冷片和散热风扇，试剂仓温度恢复到2~8℃。",
        "制冷",
    ),
    "luminescence": (
        "cl",
        "化学发光本底高",
        "发光值本底高，低值样本结果假性升高。",
        "底物被污染，清洗液管路有细菌生长。",
        "更换底物，用消毒液冲洗水路和清洗液管路。",
        "本底, 底物",
    ),
    "selftest": (
        "chem",
        "开机自检不通过",
        "开机后卡在自检界面，提示机械臂复位失败，进不了主界面。",
        "样本针垂直运动的光耦被灰尘遮挡。",
        "清洁光耦，重新开机后自检通过。",
        "自检",
    ),
}

MODELS = {
    "chem": ("BS-800", "全自动生化分析仪", ProductFamily.BIOCHEMISTRY),
    "hba1c": ("YH-30", "糖化血红蛋白分析仪", ProductFamily.HBA1C),
    "poct": ("FIA-8", "免疫荧光分析仪", ProductFamily.POCT),
    "electrolyte": ("EA-5", "电解质分析仪", ProductFamily.BIOCHEMISTRY),
    "cl": ("CL-1000i", "化学发光免疫分析仪", ProductFamily.BIOCHEMISTRY),
}


@dataclass
class Library:
    models: dict = field(default_factory=dict)
    cases: dict = field(default_factory=dict)


def write(world, *, actor=None, published=True, **data):
    """A case through the real service (the technical head's, published, unless told otherwise)."""
    values = {"title": "案例", "symptom": "现象", "fix": "处理", "published": published}
    values.update(data)
    return services.case_create(actor=actor or world.tech_head, data=values)


def build_library(world) -> Library:
    library = Library()
    for key, (code, name, family) in MODELS.items():
        existing = InstrumentModel.objects.filter(code=code).first()  # the world's YH-30
        library.models[key] = existing or InstrumentModelFactory(code=code, name=name, family=family)
    for key, (model, title, symptom, cause, fix, tags) in LABELLED.items():
        extra = {"item": world.reagent, "lot": world.lot} if key == "lot" else {}
        library.cases[key] = write(
            world,
            title=title,
            symptom=symptom,
            cause=cause,
            fix=fix,
            tags=tags,
            instrument_model=library.models[model],
            **extra,
        )
    return library


@pytest.fixture(name="library")
def library_fixture(world) -> Library:
    return build_library(world)
