"""基层表 workbooks written cell by cell the way the real forms are laid out (issue 14), with
invented schools: the conventions of the one real 2020/21 基础基 workbook in the public lexcel
repository and the cells its importers read (domain.md §7), never its content.

Conventions every form here follows (each one a thing the reader must cope with):

- row 1 holds the column letters (A1 = "A" …) and column A the row numbers (A2 = 1 …);
- a title row merged across, a 学年初 line on the cards, the form code and the unit in one cell
  (``基础基512      单位：平方米``);
- labels with inner spaces (``总     计``) and ordinal prefixes (``一、`` ``（一）`` ``其中：`` ``#``);
- a vertical 其中 (or a stage name) merged down column B with the sub-labels in column C;
- the 甲/乙 index row in the 基础基 grids, none in the 教基 grids and in the item lists;
- numbers stored as text; ``*`` in cells that must stay empty;
- cards (111 / 1001): values under header cells, 名称 / 代码 rows, 续 rows between blocks.

Independent of the reader: the tests work every expected figure out by hand from the numbers
they pass in. A school is a dict::

    {"name", "code" (学校标识码), "type" (办学类型), "type_code", "address", "address_code" (12 位),
     "counted" ("是"/"否", optional), "stages": {stage: {"students", "girls", "backbone",
     "levels": {doctor, master, bachelor, associate, high, below}, "courses": {课程: n}}},
     "aux", "indoor", "field", "equipment_wan", "multimedia"}

with stage "primary", "junior" or "senior" (a 完全中学's 高中: students and teachers only).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from forms_by_hand import merged_header

LEVELS = ("doctor", "master", "bachelor", "associate", "high", "below")
OTHER = {"primary": ("道德与法治", "语文", "数学", "外语", "科学"), "junior": ("道德与法治", "语文", "数学", "外语", "物理"),
         "senior": ("思想政治", "语文", "数学", "外语", "物理")}
GRADES = {"primary": ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级"),
          "junior": ("七年级", "八年级", "九年级"), "senior": ("高一", "高二", "高三")}
STAGE_WORD = {"primary": "小学", "junior": "初中", "senior": "高中"}


def lv(doctor, master, bachelor, associate, high, below) -> dict[str, int]:  # noqa: ANN001
    """A school stage's 专任教师 by 学历 (博士, 硕士, 本科, 专科, 高中, 高中以下), as the fixtures give them."""
    return {"doctor": doctor, "master": master, "bachelor": bachelor, "associate": associate, "high": high,
            "below": below}


def t(n) -> str | None:  # noqa: ANN001 - a number, or None for a blank cell
    """A number stored as text, as the real forms store them; 0 and None stay blank."""
    if n is None or n == 0:
        return None
    return f"{n:g}" if isinstance(n, float) else str(n)


class Form:
    """One sheet: cells, merges, the letters row and the row numbers."""

    def __init__(self, wb, name: str):
        self.ws = wb.create_sheet(name)
        self.last_col = 2
        self.last_row = 2

    def put(self, row: int, col: int, value) -> None:  # noqa: ANN001
        if value is not None:
            self.ws.cell(row, col, value)
        self.last_col = max(self.last_col, col)
        self.last_row = max(self.last_row, row)

    def merge(self, r0: int, c0: int, r1: int, c1: int, value=None) -> None:  # noqa: ANN001
        self.put(r0, c0, value)
        self.put(r1, c1, None)
        if (r0, c0) != (r1, c1):
            self.ws.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)

    def finish(self) -> None:
        for c in range(1, self.last_col + 1):
            self.ws.cell(1, c, get_column_letter(c))
        for r in range(2, self.last_row + 1):
            self.ws.cell(r, 1, r - 1)


def _preamble(f: Form, title: str, code_line: str, width: int, year_line: str | None = None) -> int:
    """Title, optional 学年初 and 制定机关 lines (the cards), form code + unit; returns the
    first header row."""
    f.merge(2, 2, 2, width, title)
    r = 3
    if year_line:
        f.merge(r, 2, r, width, year_line)
        f.merge(r + 1, 2, r + 1, width, "制定机关：教    育    部\n批准机关：国  家  统  计  局")
        r += 2
    f.merge(r, 2, r, width, code_line)
    return r + 1


# ----------------------------------------------------------------------------- cards

def card(wb, sheet: str, school: dict, year_line: str, counted_header: bool) -> None:
    """111 / 1001: header cells with their values below, 续 rows, 名称 / 代码 rows."""
    f = Form(wb, sheet)
    title = "基础教育学校（机构）统计调查表" if "111" in sheet else "学校（机构）基本情况"
    r = _preamble(f, title, sheet, 11, year_line)
    f.merge(r, 2, r, 3, "学校标识码")
    f.merge(r, 4, r, 7, "学校（机构）名称（章）")
    f.merge(r, 8, r, 10, "是否计校数" if counted_header else "学校（机构）英文名称")
    f.merge(r + 1, 2, r + 1, 3, school["code"])
    f.merge(r + 1, 4, r + 1, 7, school["name"])
    f.merge(r + 1, 8, r + 1, 10, school.get("counted", "是") if counted_header else "—")
    f.put(r + 1, 12, "10")
    r += 2
    f.put(r, 2, "续")
    f.merge(r + 1, 4, r + 1, 6, "学校（机构）地址")
    f.put(r + 1, 7, "学校（机构）所在地城乡类型")
    f.merge(r + 1, 8, r + 1, 11, "学校（机构）属地管理教育行政部门")
    f.merge(r + 2, 2, r + 2, 3, "名称")
    f.merge(r + 2, 4, r + 2, 6, school["address"])
    f.put(r + 2, 7, "城区")
    f.merge(r + 2, 8, r + 2, 11, school["address"][:9] + "教育局")
    f.merge(r + 3, 2, r + 3, 3, "代码")
    f.merge(r + 3, 4, r + 3, 6, school["address_code"])
    f.put(r + 3, 7, "111")
    f.merge(r + 3, 8, r + 3, 11, school["address_code"][:6] + "000000")
    r += 4
    f.put(r, 2, "续")
    f.put(r + 1, 4, "学校（机构）办学类型")
    f.merge(r + 1, 5, r + 1, 6, "学校（机构）举办者")
    f.put(r + 1, 7, "学校（机构）性质类别")
    f.merge(r + 2, 2, r + 2, 3, "名称")
    f.put(r + 2, 4, school["type"])
    f.merge(r + 2, 5, r + 2, 6, "地方教育部门")
    f.put(r + 2, 7, "*")
    f.merge(r + 3, 2, r + 3, 3, "代码")
    f.put(r + 3, 4, school["type_code"])
    f.merge(r + 3, 5, r + 3, 6, "811")
    f.put(r + 3, 7, "*")
    f.finish()


# ----------------------------------------------------------------------------- item lists

def _list_form(wb, sheet: str, title: str, unit_line: str, heads: tuple[str, ...], items: list[tuple]) -> None:
    """An item list: one header row (项目 | 编号 | …), no index row, one item per row."""
    f = Form(wb, sheet)
    r = _preamble(f, title, sheet + unit_line, len(heads) + 1)
    for c, head in enumerate(heads, start=2):
        f.put(r, c, head)
    for i, item in enumerate(items, start=1):
        for c, v in enumerate(item, start=2):
            f.put(r + i, c, v)
    f.finish()


def _backbone(school: dict, stage: str) -> str | None:
    return t(school["stages"].get(stage, {}).get("backbone"))


def list_112(wb, school: dict) -> None:
    """基础基112: 项目 | 编号 | 内容 | 单位 | 备注; 骨干 on items 26 and 27."""
    _list_form(wb, "基础基112", "学校（机构）基本情况", " " * 60 + "单位:", ("项目", "编号", "内容", "单位", "备注"), [
        ("乡镇中心小学", "1", "否", None, "小学"), ("附属学校（园）", "3", "否", None, "幼儿园、中、小学"),
        ("体育运动场（馆）面积是否达标", "5", "是", None, "中、小学"), ("接入互联网出口带宽", "14", "100", "（Mbps）", "中、小学"),
        ("上学年体检学生数", "20", None, "人", "中、小学"),
        ("县级及以上骨干教师（小学）", "26", _backbone(school, "primary"), "人", "小学"),
        ("县级及以上骨干教师（初中）", "27", _backbone(school, "junior"), "人", "初中"),
        ("县级及以上骨干教师（高中）", "28", None, "人", "高中"), ("安全保卫人员", "29", "2", "人", "幼儿园、中、小学、特教"),
        ("其中：专职", "31", None, "人", "中、小学")])


def list_1102(wb, school: dict) -> None:
    """教基1102续: 项目 | 编号 | 数值 | 计量单位; the value in column D."""
    _list_form(wb, "教基1102续", "学校（机构）其他情况", "", ("项目", "编号", "数值", "计量单位"), [
        ("心理健康教育教师", "10", None, "人"), ("县级及以上骨干教师（小学）", "12", _backbone(school, "primary"), "人"),
        ("县级及以上骨干教师（初中）", "13", _backbone(school, "junior"), "人"), ("县级及以上骨干教师（高中）", "14", None, "人")])


def list_5176(wb, school: dict) -> None:
    """教基5176: a vertical list, the value in column D and the unit in column E."""
    _list_form(wb, "教基5176", "学校占地面积、图书及资产情况", "", ("项目", "编号", "数值", "计量单位"), [
        ("占地面积", "1", t(school["field"] * 3), "平方米"), ("其中：绿化用地面积", "2", t(school["field"] // 4), "平方米"),
        ("运动场地面积", "3", t(school["field"]), "平方米"), ("图书", "4", "25000", "册"),
        ("网络多媒体教室", "5", t(school["multimedia"]), "间"), ("固定资产总值", "6", t(school["equipment_wan"] * 4), "万元"),
        ("#教学仪器设备资产值", "7", t(school["equipment_wan"]), "万元")])


# ----------------------------------------------------------------------------- grids

def students(wb, sheet: str, stage: dict, grades: tuple[str, ...], index_row: bool) -> None:
    """312 / 313 / 314 / 3112 / 3115 / 3118: 在校生数 with #女 beside it, not under it."""
    f = Form(wb, sheet)
    width = 8 + len(grades) - 1
    r = _preamble(f, "学生数", sheet + " " * 50 + "单位：人", width)
    f.merge(r, 2, r + 1, 2, None)
    f.merge(r, 3, r + 1, 3, "编号")
    f.merge(r, 4, r + 1, 4, "毕业生数")
    f.merge(r, 5, r + 1, 5, "招生数")
    f.merge(r, 6, r + 1, 6, "在校生数")
    f.merge(r, 7, r + 1, 7, "#女")
    f.merge(r, 8, r, 8 + len(grades) - 1, "在校生中")
    for j, g in enumerate(grades):
        f.put(r + 1, 8 + j, g)
    r += 2
    if index_row:
        f.put(r, 2, "甲")
        f.put(r, 3, "乙")
        for j in range(4, width + 1):
            f.put(r, j, str(j - 3))
        r += 1
    per = stage["students"] // len(grades)
    row = [stage["students"] // 6, per, stage["students"], stage["girls"]] + [per] * (len(grades) - 1) + [
        stage["students"] - per * (len(grades) - 1)]
    f.put(r, 2, "总     计")
    f.put(r, 3, "1")
    for j, v in enumerate(row, start=4):
        f.put(r, j, t(v))
    f.put(r + 1, 2, "其中：女")
    f.put(r + 1, 3, "2")
    f.put(r + 1, 6, t(stage["girls"]))
    f.put(r + 1, 7, "*")
    f.put(r + 2, 2, "少数民族")
    f.put(r + 2, 3, "3")
    f.finish()


def _course_heads(stage: str, arts_group: bool) -> list[tuple[str, ...]]:
    """Course header paths under 按授课课程分: 艺术 as a group (计 | 音乐 | 美术) or 音乐 and
    美术 as leaves with no 艺术 column."""
    heads = [(c,) for c in OTHER[stage]]
    heads.append(("体育（与健康）",) if not arts_group else ("体育与健康",))
    heads += [("艺术", "计"), ("艺术", "音乐"), ("艺术", "美术")] if arts_group else [("音乐",), ("美术",)]
    heads.append(("其他",))
    return heads


def _course_values(st: dict, heads: list[tuple[str, ...]]) -> list:
    courses = st["courses"]
    out = []
    for h in heads:
        if h == ("艺术", "计"):
            out.append(courses.get("音乐", 0) + courses.get("美术", 0))
        else:
            name = h[-1]
            key = "体育" if name.startswith("体育") else name
            out.append(courses.get(key, 0))
    return out


def teachers_jichu(wb, sheet: str, parts: dict[str, dict], sections: bool) -> None:
    """423 / 424: rows 合计, 女, 研究生毕业 …; columns 合计 and the courses (音乐, 美术 as leaves,
    no 艺术 column). With ``sections`` (424): a 总计 row, then an 初中 row opening the 初中 part
    and an 高中 row opening the 高中 part, each followed by its own rows."""
    f = Form(wb, sheet)
    stage0 = next(iter(parts))
    heads = _course_heads(stage0, arts_group=False)
    width = 4 + len(heads)
    r = _preamble(f, "专任教师分课程、分学历", sheet + " " * 50 + "单位：人", width)
    f.merge(r, 2, r + 1, 2, None)
    f.merge(r, 3, r + 1, 3, "编号")
    f.merge(r, 4, r + 1, 4, "合计")
    f.merge(r, 5, r, width, "按课程分")
    for j, h in enumerate(heads):
        f.put(r + 1, 5 + j, h[-1])
    r += 2
    f.put(r, 2, "甲")
    f.put(r, 3, "乙")
    for j in range(4, width + 1):
        f.put(r, j, str(j - 3))
    r += 1
    n = 1

    def line(label: str, total, courses=None) -> None:  # noqa: ANN001
        nonlocal r, n
        f.put(r, 2, label)
        f.put(r, 3, str(n))
        f.put(r, 4, t(total))
        for j, v in enumerate(courses or []):
            f.put(r, 5 + j, t(v))
        r, n = r + 1, n + 1

    def block(st: dict) -> None:
        lv = st["levels"]
        line("其中：女", st["girls_teachers"])
        line("研究生毕业", lv["doctor"] + lv["master"])
        line("本科毕业", lv["bachelor"])
        line("专科毕业", lv["associate"])
        line("高中阶段毕业", lv["high"])
        line("高中阶段毕业以下", lv["below"])

    total = sum(sum(p["levels"].values()) for p in parts.values())
    if sections:
        values = [sum(v) for v in zip(*(_course_values(p, heads) for p in parts.values()))]
        line("总     计", total, values)
        for stage, st in parts.items():
            line(STAGE_WORD[stage], sum(st["levels"].values()), _course_values(st, heads))
            block(st)
    else:
        st = parts[stage0]
        line("合     计", sum(st["levels"].values()), _course_values(st, heads))
        block(st)
    f.finish()


def teachers_jiaoji(wb, sheet: str, parts: dict[str, dict]) -> None:
    """4155 / 4156: no index row; 专任教师 › 合计 | 按授课课程分 › … › 艺术 › 计 | 音乐 | 美术; each
    stage's part a label merged down column B (小学, 初中 …) with its rows in column C: 合计,
    其中：女, 博士研究生, 硕士研究生, 本科, 专科, 高中阶段, 高中阶段以下."""
    f = Form(wb, sheet)
    stage0 = next(iter(parts))
    heads = _course_heads(stage0, arts_group=True)
    width = 5 + len(heads)
    r = _preamble(f, "专任教师学历、课程情况", sheet + " " * 50 + "计量单位：人", width)
    f.merge(r, 2, r + 3, 3, "项目")
    f.merge(r, 4, r + 3, 4, "编号")
    f.merge(r, 5, r, width, "专任教师")
    f.merge(r + 1, 5, r + 3, 5, "合计")
    f.merge(r + 1, 6, r + 1, width, "按授课课程分")
    c = 6
    for h in heads:
        if h[0] == "艺术":
            if h[1] == "计":
                f.merge(r + 2, c, r + 2, c + 2, "艺术")
            f.put(r + 3, c, h[1])
        else:
            f.merge(r + 2, c, r + 3, c, h[0])
        c += 1
    r += 4
    n = 1
    labels = ("合计", "其中：女", "博士研究生", "硕士研究生", "本科", "专科", "高中阶段", "高中阶段以下")
    for stage, st in parts.items():
        lv = st["levels"]
        totals = [sum(lv.values()), st["girls_teachers"], lv["doctor"], lv["master"], lv["bachelor"], lv["associate"],
                  lv["high"], lv["below"]]
        f.merge(r, 2, r + len(labels) - 1, 2, STAGE_WORD[stage])
        for i, (label, total) in enumerate(zip(labels, totals)):
            f.put(r + i, 3, label)
            f.put(r + i, 4, str(n))
            f.put(r + i, 5, t(total))
            if i == 0:
                for j, v in enumerate(_course_values(st, heads)):
                    f.put(r, 6 + j, t(v))
            n += 1
        r += len(labels)
    f.finish()


def buildings_512(wb, school: dict) -> None:
    """基础基512: 一、教学及辅助用房 and, in the 其中 merged down column B, 体育馆 in column C;
    校舍建筑面积 › 合计; * in the 租借 columns of the 危房 rows."""
    f = Form(wb, "基础基512")
    r = _preamble(f, "中小学校舍情况", "基础基512" + " " * 60 + "单位：平方米", 11)
    f.merge(r, 2, r + 1, 3, None)
    f.merge(r, 4, r + 1, 4, "编号")
    f.merge(r, 5, r, 9, "校舍建筑面积")
    for j, h in enumerate(("合计", "框架结构", "砖混结构", "砖木结构", "土木结构")):
        f.put(r + 1, 5 + j, h)
    f.merge(r, 10, r, 11, "校舍建筑面积中：租借面积")
    f.put(r + 1, 10, "计")
    f.put(r + 1, 11, "租借公办学校的校舍建筑面积")
    r += 2
    f.merge(r, 2, r, 3, "甲")
    f.put(r, 4, "乙")
    for j in range(5, 12):
        f.put(r, j, str(j - 4))
    r += 1
    aux, indoor = school["aux"], school["indoor"]
    admin, living, other = 500, 300, 200
    total = aux + admin + living + other
    rows = [("总     计", None, total), ("其中", "危房", 0), (None, "当年新增校舍", 0),
            ("一、教学及辅助用房", None, aux), ("其中", "教室", aux - indoor - 100), (None, "图书室", 100),
            (None, "体育馆", indoor), ("二、行政办公用房", None, admin), ("三、生活用房", None, living),
            ("四、其他用房", None, other)]
    n = 1
    for i, (b, c, v) in enumerate(rows):
        row = r + i
        if b is not None and c is None:
            f.merge(row, 2, row, 3, b)
        if c is not None:
            f.put(row, 3, c)
        f.put(row, 4, str(n))
        f.put(row, 5, t(v))
        f.put(row, 6, t(v))
        if c == "危房" or c == "当年新增校舍":
            f.put(row, 10, "*")
            f.put(row, 11, "*")
        n += 1
    # the vertical 其中 groups, merged down column B
    f.merge(r + 1, 2, r + 2, 2, "其中")
    f.merge(r + 4, 2, r + 6, 2, "其中")
    f.finish()


def buildings_5170(wb, school: dict) -> None:
    """教基5170: no index row; 一、教学及辅助用房 with （一）… （三）室内体育用房 under it;
    校舍建筑面积 › 合计 | #危房 …; the unit on the form-code line."""
    f = Form(wb, "教基5170")
    r = _preamble(f, "校舍情况", "教基5170" + " " * 60 + "计量单位：平方米", 8)
    f.merge(r, 2, r + 1, 2, "项目")
    f.merge(r, 3, r + 1, 3, "编号")
    f.merge(r, 4, r, 7, "校舍建筑面积")
    for j, h in enumerate(("合计", "#危房", "当年新增", "被外单位借用")):
        f.put(r + 1, 4 + j, h)
    r += 2
    aux, indoor = school["aux"], school["indoor"]
    rows = [("总     计", aux + 900), ("一、教学及辅助用房", aux), ("（一）教室", aux - indoor - 150),
            ("（二）图书室", 150), ("（三）室内体育用房", indoor), ("二、行政办公用房", 600), ("三、生活用房", 300)]
    for i, (label, v) in enumerate(rows):
        f.put(r + i, 2, label)
        f.put(r + i, 3, str(i + 1))
        f.put(r + i, 4, t(v))
    f.finish()


def land_522(wb, school: dict) -> None:
    """基础基522: 占地面积（平方米）› 计 | 其中 › 绿化用地面积 | 运动场地面积; 教室（间）› 计 |
    网络多媒体教室; 固定资产总值（万元）› 计 | 教学、实验仪器设备资产值 (no 531: rooms here)."""
    f = Form(wb, "基础基522")
    r = _preamble(f, "中小学占地面积及其他办学条件", "基础基522" + " " * 60 + "单位:", 12)
    f.merge(r, 2, r + 2, 2, None)
    f.merge(r, 3, r + 2, 3, "编号")
    f.merge(r, 4, r, 6, "占地面积（平方米）")
    f.merge(r + 1, 4, r + 2, 4, "计")
    f.merge(r + 1, 5, r + 1, 6, "其中")
    f.put(r + 2, 5, "绿化用地面积")
    f.put(r + 2, 6, "运动场地面积")
    f.merge(r, 7, r + 2, 7, "图书（册）")
    f.merge(r, 8, r, 9, "教室（间）")
    f.merge(r + 1, 8, r + 2, 8, "计")
    f.merge(r + 1, 9, r + 2, 9, "网络多媒体教室")
    f.merge(r, 10, r, 11, "固定资产总值（万元）")
    f.merge(r + 1, 10, r + 2, 10, "计")
    f.merge(r + 1, 11, r + 2, 11, "教学、实验仪器设备资产值")
    r += 3
    f.put(r, 2, "甲")
    f.put(r, 3, "乙")
    for j in range(4, 12):
        f.put(r, j, str(j - 3))
    r += 1
    values = [school["field"] * 3, school["field"] // 4, school["field"], 25000, school["multimedia"] + 10,
              school["multimedia"], school["equipment_wan"] * 4, school["equipment_wan"]]
    f.put(r, 2, "总     计")
    f.put(r, 3, "1")
    for j, v in enumerate(values, start=4):
        f.put(r, j, t(v))
    f.put(r + 1, 2, "其中：非学校产权")
    f.put(r + 1, 3, "2")
    f.put(r + 1, 7, "*")
    f.finish()


# ----------------------------------------------------------------------------- workbooks

def jichu_school(path: Path, school: dict) -> Path:
    """A school's 2020/21 基础基 workbook: 111 card, 112 list, 312/313/314, 423/424 (424 with
    初中 and 高中 parts), 512, 522 (rooms on 522; no 531)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    stages = school["stages"]
    card(wb, "基础基111", school, "（2020 /2021 学年初）", counted_header=False)
    list_112(wb, school)
    for stage, code in (("primary", "312"), ("junior", "313"), ("senior", "314")):
        if stage in stages:
            students(wb, f"基础基{code}", stages[stage], GRADES[stage], index_row=True)
    if "primary" in stages:
        teachers_jichu(wb, "基础基423", {"primary": stages["primary"]}, sections=False)
    middle = {s: stages[s] for s in ("junior", "senior") if s in stages}
    if middle:
        teachers_jichu(wb, "基础基424", middle, sections=True)
    buildings_512(wb, school)
    land_522(wb, school)
    wb.save(path)
    return path


def jiaoji_school(path: Path, school: dict) -> Path:
    """A school's 2021/22 教基 workbook: 1001 card (with 是否计校数), 1102续 list, 3112/3115/3118
    without index rows, 4155 with 小学 and 初中 parts (a 小学's 初中 part left blank), 4156 with
    初中 and 高中 parts for a 完全中学, 5170, 5176 as a vertical list (no 5180)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    stages = school["stages"]
    card(wb, "教基1001", school, "（2021/2022 学年初）", counted_header=True)
    list_1102(wb, school)
    for stage, code in (("primary", "3112"), ("junior", "3115"), ("senior", "3118")):
        if stage in stages:
            students(wb, f"教基{code}", stages[stage], GRADES[stage], index_row=False)
    blank = {"levels": dict.fromkeys(LEVELS, 0), "girls_teachers": 0, "courses": {}}
    if "primary" in stages:
        teachers_jiaoji(wb, "教基4155", {"primary": stages["primary"], "junior": stages.get("junior", blank)})
    if "senior" in stages:
        teachers_jiaoji(wb, "教基4156", {"junior": stages["junior"], "senior": stages["senior"]})
    elif "junior" in stages and "primary" not in stages:
        teachers_jiaoji(wb, "教基4156", {"junior": stages["junior"], "senior": blank})
    buildings_5170(wb, school)
    list_5176(wb, school)
    wb.save(path)
    return path


EXPORT_HEADS = [
    # (levels top → bottom, unit row text or None, key into the row dict)
    (("学校标识码",), None, "code"), (("学校名称",), None, "name"), (("统计二级",), None, "city"),
    (("统计三级",), None, "county"), (("办学类型",), None, "type"), (("是否计校数",), None, "counted"),
    (("在校生数", "合计"), None, "students"), (("在校生数", "#女"), None, "girls"),
    (("专任教师", "合计"), None, "teachers"),
    (("专任教师", "#按学历分", "研究生毕业"), None, "postgraduate"), (("专任教师", "#按学历分", "本科毕业"), None, "bachelor"),
    (("专任教师", "#按学历分", "专科毕业"), None, "associate"), (("专任教师", "#按学历分", "高中阶段毕业"), None, "high"),
    (("专任教师", "#按授课课程分", "体育（与健康）"), None, "pe"), (("专任教师", "#按授课课程分", "音乐"), None, "music"),
    (("专任教师", "#按授课课程分", "美术"), None, "art"),
    (("教基1102", "县级以上骨干教师(小学)"), None, "backbone_primary"),
    (("教基1102", "县级以上骨干教师(初中)"), None, "backbone_junior"),
    (("本学年校舍建筑面积", "教学及辅助用房", "计"), "(平方米)", "aux"),
    (("本学年校舍建筑面积", "教学及辅助用房", "#室内体育用房"), "(平方米)", "indoor"),
    (("运动场地面积",), "(平方米)", "field"),
    (("固定资产总值", "教学仪器设备资产值(万元)"), None, "equipment_wan"),
    (("网络多媒体教室(间)",), None, "multimedia"),
]


def export(path: Path, title: str, rows: list[dict], sheet: str = "Sheet1", drop: tuple[str, ...] = ()) -> Path:
    """A stage export: a title row, three header levels (merged groups), a row of units alone
    under the area columns, one school per row; 是否计校数 as 1/0. ``drop`` leaves columns out
    by key ("county": an export of one county without 统计三级)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    heads = [h for h in EXPORT_HEADS if h[2] not in drop]
    width = len(heads)
    ws.cell(1, 1, title)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    top, depth = 2, 3
    merged_header(ws, top, 1, [levels for levels, _, _ in heads], depth)
    for j, (_, unit, _) in enumerate(heads):
        if unit:
            ws.cell(top + depth, 1 + j, unit)
    for i, row in enumerate(rows):
        for j, (_, _, key) in enumerate(heads):
            v = row.get(key)
            if v is not None:
                ws.cell(top + depth + 1 + i, 1 + j, v if isinstance(v, str) else t(v) if key != "counted" else v)
    wb.save(path)
    return path
