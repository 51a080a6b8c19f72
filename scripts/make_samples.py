"""Write sample_inputs/ (two fictional counties in two layouts, then the 基层表 samples of
make_jiceng_samples.py) and templates/ (committed output).

Run with ``make samples``. Deterministic: fixed seeds, fixed school lists; the only
randomness is drawn from ``random.Random(SEED)``. Prints the expected evaluation (computed
independently of the tool) so README.md and the tests can be checked by hand.

    .venv/bin/python scripts/make_samples.py [--out sample_inputs] [--no-xls]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import samplegen as g  # noqa: E402

SEED = 20250930
ROOT = Path(__file__).resolve().parent.parent

DAXIANG_FILE = "大祥区义务教育学校办学条件统计表.xlsx"
SHIFAN_STEM = "示范县2025年学校基础数据"


def daxiang(rng: random.Random) -> tuple[list[g.School], list[g.School], dict[str, float]]:
    """邵阳市大祥区 (fictional figures): crowded rich town schools, poor village schools.

    Planted: 小学 equipment value spread over the CV limit; 敏州小学 passes by the 85 % rule
    (teaching area 88 %); 白竹村小学 short of backbone teachers and equipment; 火车站乡中学
    short of sports ground; a 教学点 of 38 pupils and a 特殊教育学校, both excluded.
    """
    mk = g.make_school
    code = iter(range(2143050101, 2143059999))
    P, J = "primary", "junior"
    schools = [
        mk(rng, "大祥区第一实验小学", "小学", "urban", {P: 1856}, str(next(code)),
           {"equipment": 3.4, "sports": 0.86}),
        mk(rng, "大祥区翠园小学", "小学", "urban", {P: 1624}, str(next(code)), {"equipment": 3.1, "sports": 1.02}),
        mk(rng, "大祥区城南小学", "小学", "urban", {P: 1388}, str(next(code)), {"equipment": 3.0}),
        mk(rng, "大祥区敏州小学", "小学", "urban", {P: 1240}, str(next(code)),
           {"teaching": 0.88, "sports": 1.05, "equipment": 2.2}),
        mk(rng, "大祥区学院路小学", "小学", "urban", {P: 1105}, str(next(code)), {"sports": 1.03}),
        mk(rng, "大祥区雨溪小学", "小学", "town", {P: 862}, str(next(code)), {"equipment": 0.62}),
        mk(rng, "板桥乡中心小学", "小学", "town", {P: 641}, str(next(code)), {"equipment": 0.72}),
        mk(rng, "罗市镇中心小学", "小学", "town", {P: 723}, str(next(code)), {"equipment": 0.55}),
        mk(rng, "蔡锷乡中心小学", "小学", "town", {P: 534}, str(next(code)), {"equipment": 0.6}),
        mk(rng, "檀江街道中心小学", "小学", "town", {P: 578}, str(next(code)), {"equipment": 0.66}),
        mk(rng, "火车站乡中心小学", "小学", "town", {P: 466}, str(next(code)), {"equipment": 0.5}),
        mk(rng, "罗市镇枫林村小学", "小学", "rural", {P: 183}, str(next(code)), {"equipment": 0.45}),
        mk(rng, "蔡锷乡长乐村小学", "小学", "rural", {P: 124}, str(next(code)), {"multimedia": 0.9}),
        mk(rng, "板桥乡白竹村小学", "小学", "rural", {P: 108}, str(next(code)),
           {"backbone": 0.0, "equipment": 0.4}),
        mk(rng, "罗市镇桐梓村教学点", "教学点", "rural", {P: 38}, str(next(code))),
        mk(rng, "大祥区特殊教育学校", "特殊教育学校", "town", {P: 96}, str(next(code))),
        mk(rng, "大祥区第一中学", "初级中学", "urban", {J: 1962}, str(next(code)), {"sports": 0.82, "backbone": 3.8}),
        mk(rng, "大祥区第二中学", "初级中学", "urban", {J: 1547}, str(next(code)), {"sports": 0.95}),
        mk(rng, "大祥区翠园中学", "初级中学", "urban", {J: 1283}, str(next(code))),
        mk(rng, "板桥乡中学", "初级中学", "town", {J: 622}, str(next(code))),
        mk(rng, "罗市镇中学", "初级中学", "town", {J: 884}, str(next(code)), {"qualified": 0.93}),
        mk(rng, "蔡锷乡中学", "初级中学", "town", {J: 541}, str(next(code))),
        mk(rng, "檀江中学", "初级中学", "town", {J: 763}, str(next(code)), {"backbone": 0.8}),
        mk(rng, "火车站乡中学", "初级中学", "rural", {J: 412}, str(next(code)), {"sports": 0.7}),
        mk(rng, "大祥区百春园学校", "九年一贯制学校", "urban", {P: 624, J: 386}, str(next(code))),
        mk(rng, "罗市镇渡头桥学校", "九年一贯制学校", "rural", {P: 266, J: 190}, str(next(code))),
    ]
    schools[0].as_text = {"students", "field_area"}  # "1,856", "10,535": thousands separators
    schools[17].as_text = {"teaching_area"}
    # last year's table, hidden: if a reader counted it, 小学 would have twice the schools
    old_rng = random.Random(SEED - 1)
    old = [mk(old_rng, s.name, s.school_type, s.kind, {"primary": int(s.sections[0].students * 0.96)}, s.code)
           for s in schools[:6]]
    figures = {
        "rotation_rate": 0.126,
        "rotation_backbone_share": 0.183,  # under 20 %: a county-level shortfall
        "nearby_enrolment_primary": 1.0,
        "nearby_enrolment_junior": 0.968,
        "quota_allocation_rate": 0.52,
        "migrant_public_rate": 0.912,
        "junior_retention_rate": 0.963,
        "disabled_enrolment_rate": 0.935,  # under 95 %
        "monitoring_school_gap": 0.118,
        "social_recognition": 0.884,
    }
    return schools, old, figures


def shifan(rng: random.Random) -> list[g.School]:
    """示范县 (fictional): better balanced; one 初中 CV close to its limit; issue-3 gaps."""
    mk = g.make_school
    code = iter(range(2143260001, 2143269999))
    P, J, S = "primary", "junior", "senior"
    schools = [
        mk(rng, "示范县城关第一小学", "小学", "urban", {P: 1930}, str(next(code)), {"sports": 1.0, "equipment": 1.6}),
        mk(rng, "示范县城关第二小学", "小学", "urban", {P: 1710}, str(next(code)), {"equipment": 1.5}),
        mk(rng, "示范县实验小学", "小学", "urban", {P: 2080}, str(next(code)), {"sports": 0.9, "equipment": 1.5}),
        mk(rng, "河口镇中心小学", "小学", "town", {P: 812}, str(next(code))),
        mk(rng, "石桥镇中心小学", "小学", "town", {P: 655}, str(next(code))),
        mk(rng, "龙潭乡中心小学", "小学", "town", {P: 498}, str(next(code)), {"multimedia": 0.88}),
        mk(rng, "白沙镇中心小学", "小学", "town", {P: 590}, str(next(code))),
        mk(rng, "金塘乡中心小学", "小学", "town", {P: 433}, str(next(code)), {"qualified": 0.8}),
        mk(rng, "青山乡光明村小学", "小学", "rural", {P: 156}, str(next(code))),
        mk(rng, "石桥镇胜利村小学", "小学", "rural", {P: 112}, str(next(code)), {"pe_art": 0.0}),
        mk(rng, "示范县育才实验学校", "小学", "town", {P: 920}, str(next(code)), ownership="民办"),
        mk(rng, "龙潭乡和平村教学点", "教学点", "rural", {P: 62}, str(next(code))),
        mk(rng, "白沙镇向阳村教学点", "教学点", "rural", {P: 27}, str(next(code))),
        mk(rng, "示范县城关中学", "初级中学", "urban", {J: 2460}, str(next(code)), {"sports": 0.9}),
        mk(rng, "示范县第二中学", "初级中学", "urban", {J: 1320}, str(next(code))),
        mk(rng, "河口镇中学", "初级中学", "town", {J: 736}, str(next(code))),
        mk(rng, "石桥镇中学", "初级中学", "town", {J: 648}, str(next(code)), {"equipment": 0.8}),
        mk(rng, "金塘乡中学", "初级中学", "rural", {J: 388}, str(next(code))),
        mk(rng, "龙潭乡九年一贯制学校", "九年一贯制学校", "town", {P: 540, J: 330}, str(next(code))),
        mk(rng, "青山乡学校", "九年一贯制学校", "rural", {P: 230, J: 168}, str(next(code)), {"teaching": 0.9}),
        mk(rng, "示范县第一中学", "完全中学", "urban", {J: 1480, S: 2350}, str(next(code)),
           {"sports": 0.93, "equipment": 1.8}),
    ]
    # issue-3 gaps: big classes in the crowded town schools, a school without an art room,
    # untrained and uncertified teachers, training funds under the share
    for s in schools:
        if s.name in ("示范县城关中学", "示范县实验小学"):
            sec = s.sections[0]
            sec.max_class_size, sec.classes_56_plus, sec.classes_66_plus = 62, 4, 0
        if s.name == "示范县城关第二小学":
            s.sections[0].max_class_size = 48
        if s.name == "金塘乡中学":
            s.facilities["art_rooms"], s.facilities["art_room_area"] = 0, 0
        if s.name == "河口镇中心小学":
            s.facilities["music_room_area"] = 84 * s.facilities["music_rooms"]
        if s.name == "石桥镇中学":
            s.sections[0].trained -= 5
            s.sections[0].certified -= 2
        if s.name == "示范县城关第二小学":
            s.as_text = {"students", "equipment_value"}
        if s.name == "白沙镇中心小学":
            s.facilities["training_funds"] = round(s.facilities["public_funds"] * 0.04, -2)
    return schools


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "sample_inputs")
    ap.add_argument("--no-xls", action="store_true", help="write 示范县 as .xlsx instead of converting to .xls")
    args = ap.parse_args()
    g.check_headers()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    rng = random.Random(SEED)
    dx, old, figures = daxiang(rng)
    g.write_layout_a(out / DAXIANG_FILE, "邵阳市大祥区", dx, figures, rng, hidden_old=old)

    rng_b = random.Random(SEED + 1)
    sf = shifan(rng_b)
    for stale in (out / f"{SHIFAN_STEM}.xlsx",) + ((out / f"{SHIFAN_STEM}.xls",) if args.no_xls else ()):
        stale.unlink(missing_ok=True)
    if args.no_xls:
        g.write_layout_b(out / f"{SHIFAN_STEM}.xlsx", "示范县", sf, rng_b, text_share=0.04)
        written = out / f"{SHIFAN_STEM}.xlsx"
    else:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / f"{SHIFAN_STEM}.xlsx"
            g.write_layout_b(src, "示范县", sf, rng_b, text_share=0.04)
            written = g.convert_to_xls(src, out)
            if written is None:
                print("LibreOffice 不可用，示范县改存为 .xlsx", file=sys.stderr)
                written = out / src.name
                shutil.copy(src, written)

    # the blank collection template is committed next to the samples; same regeneration step
    from equity_xlsx.template import write_template

    write_template(ROOT / "templates" / "县域义务教育优质均衡数据采集模板.xlsx")

    readme = README.format(daxiang=DAXIANG_FILE, shifan=written.name, xls_note=(
        "由脚本先生成 .xlsx，再用 LibreOffice（soffice --headless --convert-to xls）另存为 .xls，模拟旧版 Excel/WPS 保存的文件"
        if written.suffix == ".xls" else "本机没有 LibreOffice，保存为 .xlsx"),
        daxiang_expected=g.describe(dx), shifan_expected=g.describe(sf))
    (out / "README.md").write_text(readme, encoding="utf-8")
    print(readme)

    # the 基层表 samples (per-school form workbooks, city export) and their README section
    import make_jiceng_samples

    print(make_jiceng_samples.generate(out, xls=not args.no_xls))


README = """# 示例输入（sample_inputs）

两个**虚构**县（区）的学校统计表，数据全部由 `scripts/make_samples.py` 随机生成（固定随机种子，
重复运行结果相同），学校名称借用常见地名，数字与真实学校无关。用于 `make run` 演示和测试。
重新生成：`make samples`（或 `.venv/bin/python scripts/make_samples.py`）。

## {daxiang}

仿邵阳市大祥区常见的统计表样式：

- 工作表 `小学`、`初中`、`九年一贯制学校`，每张表上方有标题行（“邵阳市大祥区2025年义务教育学校办学条件统计表（小学）”）
  和“填报单位（盖章）/填报日期”行；
- 两行合并表头：`专任教师` 下分 合计 / 高于规定学历教师数 / 县级及以上骨干教师数 / 体育 / 音乐 / 美术，
  `体育运动场馆面积(m²)` 下分 体育馆 / 运动场地；表头内有换行，单位写在括号里，全角半角混用
  （`（㎡）`、`(m²)`、`（万元）`、`（人）`、`（间）`）；教学仪器设备值以**万元**填报；
- 每表末尾有“合计”行（SUM 公式，带缓存值），表下有“注：……”说明和“填表人/审核人/联系电话”行；
- 部分数字以文本存储（如 `1,234`、带尾随空格的 `11 `）；
- 九年一贯制学校分“小学部 / 初中部”两行填报，学校名称和校舍、场地、设备、多媒体教室在两行间**合并单元格**
  （按全校填报，需按 小学:初中 = 1:1.1 的加权学生数拆分）；
- 一个 38 人的教学点（应排除）、一所特殊教育学校（应排除）；
- 一张空工作表 `Sheet1`，一张**隐藏**工作表 `2024年数据（旧）`（上一年的小学数据，不应计入）；
- `县级指标` 工作表（指标 | 数值 | 说明）：交流轮岗教师比例 12.6%，其中骨干教师 18.3%（低于 20%），
  残疾儿童少年入学率 93.5%（低于 95%），其余达标。

按国家 2017 标准、独立于本工具计算的预期结果：

```
{daxiang_expected}
```

## {shifan}

另一种常见样式，{xls_note}：

- 只有一张工作表 `学校基础数据`，一行标题、一行表头，所有学校在同一张表里，用 `学校类型` 和 `学段` 列区分；
- 表头用词不同：学校、在校学生数、高于规定学历教师、县级以上骨干教师、体育专任教师、艺术（计）、
  教学及辅助用房面积(平方米)、体育运动场馆面积（平方米）、教学仪器设备值（元）、网络多媒体教室（间）；
- 九年一贯制学校两所、完全中学一所（初中部 + 高中部，按 初中:高中 = 1:1.2 拆分），校舍、场地、设备、经费
  **只填在该校第一行**，其余学段行留空；
- 一所民办学校（默认计入）、一个 62 人的教学点（计入）和一个 27 人的教学点（排除）；
- 政府保障程度相关列：班级数、最大班额、56人以上班级数、教职工数、持证教师数、完成5年360学时培训教师数、
  音乐/美术专用教室间数和面积、年度公用经费、教师培训经费。预设的问题：
  - 示范县实验小学 2080 人、示范县城关中学 2460 人，超过 2000 人校额；两校最大班额 62 人、各有 4 个 56 人以上班级；
  - 示范县城关第二小学最大班额 48 人（小学超过 45 人）；
  - 金塘乡中学没有美术专用教室；河口镇中心小学音乐专用教室每间仅 84 ㎡（标准 96 ㎡）；
  - 石桥镇中学 5 名教师未完成 5 年 360 学时培训、2 名教师未持证；
  - 白沙镇中心小学教师培训经费只占公用经费 4%（国家 5%，大祥区口径 8%）；
- 部分数字以文本存储（如 `610,800`）。

预期结果（同上算法）：

```
{shifan_expected}
```
"""


if __name__ == "__main__":
    main()
