"""Write the 基层表 samples into sample_inputs/: per-school form workbooks of two fictional counties
(青石县 2025, 教基 forms; 柳溪县 2021, 基础基 forms) and a two-county city export per stage.

Deterministic: fixed seeds and school lists. Prints the expected evaluation, computed from the
generator's own school specs (``jicenggen.evaluate``), never by reading the files back; the same
text goes into sample_inputs/README.md between the 基层表 marker and the end of the file.
``make samples`` runs this after ``make_samples.py``.

    .venv/bin/python scripts/make_jiceng_samples.py [--out sample_inputs] [--no-xls]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import jicenggen as j  # noqa: E402
import samplegen as sg  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = 20251008

QINGSHI = j.County("青石县", "480521", "云州市")
LIUXI = j.County("柳溪县", "480624", "桐江市")
DONGSHAN = j.County("东山县", "480721", "江岭市")
XILIN = j.County("西林区", "480702", "江岭市")

QINGSHI_DIR = "青石县2025年基层表"
LIUXI_DIR = "柳溪县2021年基层表"
EXPORT_DIR = "市级导出2025"
EXPORT_FILE = {"primary": "2025年小学基层表导出.xlsx", "junior": "2025年初中基层表导出.xlsx"}
LIUXI_AS_XLS = ("柳溪县河西学校", "柳溪县杨柳镇茶园村教学点")  # saved as .xls, as old Excel/WPS would
README_MARK = "<!-- 以下由 scripts/make_jiceng_samples.py 生成 -->"

P, J = "primary", "junior"


def qingshi(rng: random.Random) -> list[j.SchoolSpec]:
    """青石县 2025 (教基 forms). Planted: 城关第二小学 passes only by the 85 % rule (sports
    ground 90 % of the standard); 石门镇中心小学 fails (equipment about half the standard);
    a 36-pupil 教学点 with 是否计校数 = 否 (excluded); a 九年一贯制 school with whole-school
    facilities; sheet suffixes on three schools; figures stored as text on two."""
    mk = j.make_school
    return [
        mk(rng, QINGSHI, "青石县实验小学", "小学", "urban", {P: 1452}, 1,
           {"sports": 1.02, "teaching": 1.05}, sheet_suffix="_小学", footer=True),
        mk(rng, QINGSHI, "青石县城关第二小学", "小学", "urban", {P: 986}, 2,
           {"sports": 0.9, "teaching": 1.1, "equipment": 1.8}, as_text={"students_{stage}", "equipment"}),
        mk(rng, QINGSHI, "青石县石门镇中心小学", "小学", "town", {P: 618}, 3, {"equipment": 0.52}, footer=True),
        mk(rng, QINGSHI, "青石县龙潭乡中心小学", "小学", "rural", {P: 243}, 4, {"equipment": 1.05}),
        mk(rng, QINGSHI, "青石县桃坪村教学点", "小学教学点", "rural", {P: 36}, 5),
        mk(rng, QINGSHI, "青石县第一中学", "初级中学", "urban", {J: 1318}, 6,
           {"sports": 1.01, "teaching": 1.02}, sheet_suffix="_初级中学", as_text={"teaching_area"}),
        mk(rng, QINGSHI, "青石县石门镇中学", "初级中学", "town", {J: 562}, 7, footer=True),
        mk(rng, QINGSHI, "青石县白沙学校", "九年一贯制学校", "town", {P: 538, J: 357}, 8,
           sheet_suffix="_九年一贯制学校"),
    ]


def liuxi(rng: random.Random) -> list[j.SchoolSpec]:
    """柳溪县 2021 (基础基 forms). Planted: 城关小学 reports 网络多媒体教室 on 基础基522 and has
    no 基础基531; 杨柳镇中心小学 is short of backbone teachers; a 62-pupil 教学点 with 是否计校数
    = 否 that stays in (50 or more pupils); 实验中学 uses a shared sports ground it does not own."""
    mk = j.make_school
    schools = [
        mk(rng, LIUXI, "柳溪县城关小学", "小学", "urban", {P: 1264}, 1, {"sports": 1.05},
           multimedia_on_land_form=True, footer=True),
        mk(rng, LIUXI, "柳溪县杨柳镇中心小学", "小学", "town", {P: 527}, 2, {"backbone": 0.7}),
        mk(rng, LIUXI, "柳溪县杨柳镇茶园村教学点", "小学教学点", "rural", {P: 62}, 3, {"equipment": 1.0}),
        mk(rng, LIUXI, "柳溪县实验中学", "初级中学", "urban", {J: 976}, 4, {"sports": 1.08},
           as_text={"bachelor_{stage}"}, footer=True),
        mk(rng, LIUXI, "柳溪县河西学校", "九年一贯制学校", "rural", {P: 284, J: 191}, 5),
    ]
    fac = schools[3].facilities
    fac.shared_field = round(fac.field_area * 0.3)  # part of the ground belongs to the town stadium
    return schools


def city(rng: random.Random) -> list[j.SchoolSpec]:
    """江岭市 export: 东山县 and 西林区, each with a 九年一贯制 school present in both stage files.
    Planted: 西林区 小学 equipment spread over the CV limit (rich town schools, poor villages);
    a 41-pupil 教学点 (excluded); 东山县 河口镇中学 short of sports ground."""
    mk = j.make_school
    return [
        mk(rng, DONGSHAN, "东山县实验小学", "小学", "urban", {P: 1680}, 1, {"sports": 1.0}),
        mk(rng, DONGSHAN, "东山县城关第二小学", "小学", "urban", {P: 1135}, 2, {"sports": 1.04}),
        mk(rng, DONGSHAN, "东山县河口镇中心小学", "小学", "town", {P: 702}, 3),
        mk(rng, DONGSHAN, "东山县黄土岭乡中心小学", "小学", "rural", {P: 318}, 4, {"equipment": 1.0}),
        mk(rng, DONGSHAN, "东山县第一中学", "初级中学", "urban", {J: 1420}, 5, {"sports": 1.02}),
        mk(rng, DONGSHAN, "东山县河口镇中学", "初级中学", "town", {J: 604}, 6, {"sports": 0.78}),
        mk(rng, DONGSHAN, "东山县梅溪学校", "九年一贯制学校", "town", {P: 462, J: 295}, 7),
        mk(rng, XILIN, "西林区实验小学", "小学", "urban", {P: 1930}, 1, {"equipment": 3.8, "sports": 1.0}),
        mk(rng, XILIN, "西林区站前小学", "小学", "urban", {P: 1564}, 2, {"equipment": 3.4, "sports": 1.01}),
        mk(rng, XILIN, "西林区双江镇中心小学", "小学", "town", {P: 655}, 3, {"equipment": 0.62}),
        mk(rng, XILIN, "西林区松坡乡中心小学", "小学", "town", {P: 402}, 4, {"equipment": 0.7}),
        mk(rng, XILIN, "西林区双江镇竹溪村小学", "小学", "rural", {P: 188}, 5, {"equipment": 0.55}),
        mk(rng, XILIN, "西林区松坡乡石门村小学", "小学", "rural", {P: 226}, 6, {"equipment": 0.6}),
        mk(rng, XILIN, "西林区双江镇竹溪村教学点", "小学教学点", "rural", {P: 41}, 7),
        mk(rng, XILIN, "西林区第二中学", "初级中学", "urban", {J: 1266}, 8, {"sports": 1.03}),
        mk(rng, XILIN, "西林区双江镇中学", "初级中学", "town", {J: 587}, 9),
        mk(rng, XILIN, "西林区枫林学校", "九年一贯制学校", "rural", {P: 336, J: 214}, 10),
    ]


# number cells written as text with thousands separators in the export ("1,930", "12,345.6")
EXPORT_TEXT = {"西林区实验小学": {"students", "field_area"}, "东山县第一中学": {"teaching_area"}}


def build() -> dict[str, list[j.SchoolSpec]]:
    """The school specs of every sample, keyed by what they become (a folder or the export)."""
    rng = random.Random(SEED)
    return {QINGSHI_DIR: qingshi(rng), LIUXI_DIR: liuxi(rng), EXPORT_DIR: city(rng)}


def _clear(folder: Path, keep: tuple[str, ...] = ()) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for stale in list(folder.glob("*.xlsx")) + list(folder.glob("*.xls")):
        if stale.name not in keep:
            stale.unlink()


def write_all(out: Path, xls: bool = True) -> dict[str, list[j.SchoolSpec]]:
    """Write every 基层表 sample under ``out``; with ``xls`` convert two 柳溪县 workbooks to .xls
    (LibreOffice; they stay .xlsx when it is missing)."""
    specs = build()
    folder = out / QINGSHI_DIR
    _clear(folder)
    for school in specs[QINGSHI_DIR]:
        j.write_school_workbook(folder / f"{school.name}.xlsx", school, "jiaoji-2021")
    folder = out / LIUXI_DIR
    _clear(folder, keep=tuple(f"{name}.xls" for name in LIUXI_AS_XLS) if xls else ())  # compared, not rewritten
    with tempfile.TemporaryDirectory() as tmp:
        for school in specs[LIUXI_DIR]:
            target = folder / f"{school.name}.xlsx"
            if xls and school.name in LIUXI_AS_XLS:
                src = Path(tmp) / target.name
                j.write_school_workbook(src, school, "jichu-2018")
                if sg.convert_to_xls(src, folder) is None:
                    print(f"LibreOffice 不可用，{school.name} 保存为 .xlsx", file=sys.stderr)
                    shutil.copy(src, target)
            else:
                j.write_school_workbook(target, school, "jichu-2018")
    folder = out / EXPORT_DIR
    _clear(folder)
    for stage, name in EXPORT_FILE.items():
        title = f"{DONGSHAN.city}2025年教育事业统计基层表数据导出（{sg.STAGE_CN[stage]}）"
        j.write_stage_export(folder / name, title, specs[EXPORT_DIR], stage, EXPORT_TEXT)
    return specs


def _locations(generation: str) -> str:
    lines = ["| 数据 | 工作表 | 行（编号） | 列（表头路径） |", "|---|---|---|---|"]
    lines += [f"| {fig} | `{sheet}` | `{row}` | `{col}` |" for fig, sheet, row, col in j.figure_locations(generation)]
    return "\n".join(lines)


def readme(out: Path, specs: dict[str, list[j.SchoolSpec]]) -> str:
    """The README section for the 基层表 samples, with the expected results."""
    liuxi_files = [next((out / LIUXI_DIR).glob(f"{s.name}.xls*")).name for s in specs[LIUXI_DIR]]
    converted = sum(name.endswith(".xls") for name in liuxi_files)
    by_county: dict[str, list[j.SchoolSpec]] = {}
    for s in specs[EXPORT_DIR]:
        by_county.setdefault(s.county.name, []).append(s)
    return README.format(
        qingshi_dir=QINGSHI_DIR, liuxi_dir=LIUXI_DIR, export_dir=EXPORT_DIR,
        qingshi_files="、".join(f"`{s.name}.xlsx`" for s in specs[QINGSHI_DIR]),
        liuxi_files="、".join(f"`{n}`" for n in liuxi_files),
        xls_note=f"其中 {converted} 个由 LibreOffice 另存为 .xls，模拟旧版 Excel/WPS 保存的文件" if converted
        else "本机没有 LibreOffice 时全部为 .xlsx",
        loc_2023=_locations("jiaoji-2021"), loc_2018=_locations("jichu-2018"),
        qingshi_expected=j.describe("青石县", specs[QINGSHI_DIR]),
        liuxi_expected=j.describe("柳溪县", specs[LIUXI_DIR]),
        export_expected="\n\n".join(j.describe(c, s) for c, s in by_county.items()),
        export_primary=EXPORT_FILE["primary"], export_junior=EXPORT_FILE["junior"],
    )


def update_readme(out: Path, text: str) -> None:
    """Replace (or append) the 基层表 part of ``out``/README.md: everything after README_MARK."""
    path = out / "README.md"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    head = old.split(README_MARK)[0].rstrip("\n")
    path.write_text((head + "\n\n" if head else "") + README_MARK + "\n\n" + text, encoding="utf-8")


def generate(out: Path, xls: bool = True) -> str:
    """Write the samples and their README section under ``out``; return that section."""
    specs = write_all(out, xls)
    text = readme(out, specs)
    update_readme(out, text)
    return text


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "sample_inputs")
    ap.add_argument("--no-xls", action="store_true", help="write every 柳溪县 workbook as .xlsx")
    args = ap.parse_args(argv)
    print(generate(args.out, xls=not args.no_xls))


README = """## 基层表样例（教育事业统计 基层报表）

三组样例，仿各校每年秋季填报的教育事业统计基层报表及县、市导出的数据，全部虚构，由
`scripts/make_jiceng_samples.py`（库：`scripts/jicenggen.py`）按固定种子生成；生成器不依赖本工具，
预期结果由生成器按自己的学校数据独立计算，并非读回文件。

### 每校一个工作簿的版式

- 每个表一个工作表，按表号命名；部分学校的工作表名带后缀（`教基3112_小学`、`教基1001_九年一贯制学校`、
  `教基4156_初级中学`）。学校只有所办学段的学生表和教师表（小学 312/423 或 3112/4155，初中 313/424 或
  3115/4156，九年一贯制两者都有）。
- 第 1 行是表格列字母（B1 = `A`、C1 = `B` …，对应表的第 1、2、3 … 列），A 列是表格行号（A2 = 1、A3 = 2 …，
  从标题行起逐行编号），即表格本身从 B2 开始。
- 表内依次为：标题行（如“小学学生数”）、表号行（`表号：基础基312` 或 `教基3112`，右端“单位：人”等）、
  2–3 行合并表头（如 `在校学生数` 合并在 `合计 | 其中：女 | 其中：少数民族` 之上，`按授课课程分` 合并在各课程之上，
  教基教师表再在最上一行加 `专任教师`）、栏目行（甲 乙 丙 1 2 3 …）、带“编号”（01、02 …）的数据行；
  部分表末有“单位负责人/填表人/联系电话/报出日期”一行。
- 没有的数一律留空（不填 0）；少数数字以文本存储。
- 两代表式行列位置不同：需要的数据只能按“行标签 + 表头路径”查找。

需要的数据所在位置（行标签括号内为编号；表头路径用 ` / ` 分隔各层表头；`_primary` 为小学、`_junior` 为初中）：

2021 年秋季起（教基，`jiaoji-2021`）：

{loc_2023}

2020/21 学年及以前（基础基，`jichu-2018`）：

{loc_2018}

另：柳溪县城关小学没有 `基础基531`，`网络多媒体教室（间）` 在 `基础基522` 的 `总计` 行、`教学、实验仪器设备资产值（万元）`
之后一列（“531 或 522”）。

### {qingshi_dir}/

教基表式（2025 年），8 所学校各一个工作簿：{qingshi_files}。

- 青石县白沙学校为九年一贯制学校：3112/3115、4155/4156 各一张，骨干教师（小学）（初中）两行都有数；
  校舍、场地、设备、多媒体教室按全校填报，按 小学:初中 = 1:1.1 的加权学生数拆分；
- 青石县桃坪村教学点：办学类型 `小学教学点`、是否计校数 `否`、36 人，只有一至三年级（应排除）；
- 青石县城关第二小学：体育运动场馆约为标准的 90%，其余六项达标（按 85% 规则达标）；在校学生数和设备资产值以文本存储；
- 青石县石门镇中心小学：教学仪器设备值约为标准的一半（未达标）；
- 工作表名带后缀：实验小学 `_小学`、第一中学 `_初级中学`、白沙学校 `_九年一贯制学校`；
- 另有 `教基1102`（教职工情况）与 `教基1102续`（骨干教师所在表）两张表，名称相近；
- 教基教师表课程写作 `体育与健康`，`音乐`、`美术` 排在它前面；学历行排在职称行之后，另有 `其中：博士研究生毕业` 行。

预期结果（国家 2017 标准；△ 为达到标准 85%–100%，✗ 为不足 85%）：

```
{qingshi_expected}
```

### {liuxi_dir}/

基础基表式（2021 学年），5 所学校：{liuxi_files}（{xls_note}）。

- 柳溪县城关小学：网络多媒体教室填在 `基础基522`，没有 `基础基531`；
- 柳溪县杨柳镇茶园村教学点：`小学教学点`、是否计校数 `否`，但有 62 人，**计入**（只排除不足 50 人的教学点）；
- 柳溪县实验中学：运动场地部分为非学校产权（`基础基522` 的 `非学校产权` 行），应取 `总计` 行；本科毕业人数以文本存储；
- 柳溪县河西学校：九年一贯制，312/313、423/424 各一张，设施按全校填报；
- 所在地行政区划代码以数字存储（教基表为文本）；教职工、骨干教师在 `基础基112` 的第 26、27 行。

预期结果：

```
{liuxi_expected}
```

### {export_dir}/

江岭市按学段导出的基层表数据：`{export_primary}`、`{export_junior}`，每个文件一张工作表，含东山县、西林区两个县（区）。

- 第 1 行标题，第 2 行“单位：人、平方米、万元、间”，第 3–5 行三层合并表头，表头路径如 `在校生数 / 合计`、
  `专任教师 / #按学历分 / 本科毕业`、`专任教师 / #按授课课程分 / 体育（与健康）`、`县级及以上骨干教师`、
  `校舍建筑面积 / 教学及辅助用房`、`校舍建筑面积 / #室内体育用房`、`运动场地面积`、`教学、实验仪器设备资产值（万元）`、
  `网络多媒体教室（间）`；另有 `学校标识码`、`学校名称`、`统计一级`（南岭省）、`统计二级`（江岭市）、`统计三级`（县区）、
  `行政区划代码`、`办学类型`、`是否计校数` 等列；第 6 行起每校一行；
- 九年一贯制学校（东山县梅溪学校、西林区枫林学校）在两个文件中各有一行：学生、教师为本学段，校舍、场地、设备、
  多媒体教室为全校数（两行相同），需按 1:1.1 拆分；
- 西林区双江镇竹溪村教学点 41 人（应排除）；
- 部分数字以带千分位的文本存储（如 `1,930`）。

预期结果：

```
{export_expected}
```
"""


if __name__ == "__main__":
    main()
