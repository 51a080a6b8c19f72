"""Load and validate the rule files in ``rules/`` into typed, frozen objects.

A standards profile is a TOML file of sections, each a frozen dataclass below with its
defaults declared once (``field(metadata={"help": …})`` says what a setting means, for the
``standards`` command). ``extends = "other"`` merges a profile over another: tables merge
key by key, ``[[indicator]]`` entries merge by ``id`` (an override names only what it
changes), other arrays replace. Unknown keys are errors that name the file and the key: a
misspelt setting must never be silently ignored.

The alias table (``rules/aliases.toml``) is loaded here too. Cross-checks between the
standard, the aliases and the task list live in ``rulebook``.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from .vocabulary import CountySheet, LedgerStatus

RULES_DIR = Path(__file__).parent / "rules"
STANDARDS_DIR = RULES_DIR / "standards"
DEFAULT_STANDARD = "national-2017"
STAGE_KEYS = ("primary", "junior", "senior")
MiB = 1 << 20
GiB = 1 << 30


class RuleError(ValueError):
    """A rule file is missing or malformed; the message is Chinese, for the user."""


def setting(default: Any = dataclasses.MISSING, help: str = "", percent: bool = False, **kw: Any) -> Any:  # noqa: A002
    """A dataclass field with its help text (shown by ``equity-xlsx standards``); ``percent``:
    a share (0.08) shown to people as 8%."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("mutable defaults: use a tuple or a default_factory")
    return field(default=default, metadata={"help": help, "percent": percent}, **kw)


def by_stage(default: dict[str, float], help: str) -> Any:  # noqa: A002
    """A per-stage setting ({"primary": …, "junior": …}) with its default and help text."""
    return field(default_factory=lambda: dict(default), metadata={"help": help})


# ------------------------------------------------------------------------ sections

@dataclass(frozen=True)
class Shortfall:
    what: str = setting(help="整改台账中缺什么，如“教师”")
    unit: str = setting(help="需补足的单位：人、m²、元、间")
    whole: bool = setting(help="是否只能按整数补足（人、间）")


@dataclass(frozen=True)
class Indicator:
    """One 资源配置 indicator: value = numerator × scale / students."""

    id: int = setting(help="指标编号 1–7")
    name: str = setting(help="指标全称")
    numerator: str = setting(help="分子字段（aliases.toml 中的规范字段名）")
    standard: dict[str, float] = setting(help="各学段标准值，如 { primary = 4.2, junior = 5.3 }")
    shortfall: Shortfall = setting(help="缺口的说法和单位")
    short: str = setting("", help="简称（表头用），默认同全称")
    scale: float = setting(1.0, help="乘数：每百名学生为 100")
    unit: str = setting("", help="指标单位，如 人/百生、m²、元")

    def __post_init__(self) -> None:
        if not self.short:
            object.__setattr__(self, "short", self.name)


@dataclass(frozen=True)
class PassRule:
    """办法 第六条: at least ``min_met`` meet the standard, the rest at least ``floor_ratio`` of it."""

    min_met: int = setting(6, help="学校达标至少需要达到标准的指标项数")
    floor_ratio: float = setting(0.85, percent=True, help="其余各项不得低于标准值的比例")


@dataclass(frozen=True)
class CVRule:
    limit: dict[str, float] = setting(help="差异系数限值（≤），按学段")
    critical_margin: float = setting(0.01, help="与限值相差不超过此值时标为“临界”")
    display_decimals: int = setting(3, help="差异系数显示的小数位数（判定用未舍入值）")


@dataclass(frozen=True)
class Scope:
    """口径: which schools enter 资源配置 and the CVs (domain.md §3). Conventions, not national text."""

    include_private: bool = setting(True, help="民办学校是否纳入计算")
    teaching_point_min_students: int | None = setting(50, help="教学点纳入计算的最少在校生数（少于此数排除）")
    excluded_types: tuple[str, ...] = setting(("特殊教育", "特教", "职业", "中职", "职高"),
                                              help="办学类型或校名含这些词的学校不纳入计算")
    private_words: tuple[str, ...] = setting(("民办",), help="识别民办学校的词")
    teaching_point_words: tuple[str, ...] = setting(("教学点",), help="识别教学点的词")


@dataclass(frozen=True)
class SplitRule:
    """Whole-school facility amounts divided by weighted students (domain.md §3)."""

    fields: tuple[str, ...] = setting((), help="按全校填报时按加权学生数拆分的字段")
    nine_year: dict[str, float] = by_stage({"primary": 1.0, "junior": 1.1}, "九年一贯制 小学:初中 权重")
    complete_middle: dict[str, float] = by_stage({"junior": 1.0, "senior": 1.2}, "完全中学 初中:高中 权重")
    twelve_year: dict[str, float] = by_stage({"primary": 1.0, "junior": 1.1, "senior": 1.32},
                                             "十二年一贯制 小学:初中:高中 权重")

    @property
    def weights(self) -> dict[str, dict[str, float]]:
        """Weights by school kind (``nine_year``, ``complete_middle``, ``twelve_year``)."""
        return {"nine_year": self.nine_year, "complete_middle": self.complete_middle,
                "twelve_year": self.twelve_year}


@dataclass(frozen=True)
class UnitSettings:
    equipment_value_default: str = setting("元", help="教学仪器设备值表头没有写单位时视为的单位（元或万元）")
    equipment_per_student_plausible: tuple[float, float] | None = setting(
        (20.0, 200000.0), help="生均教学仪器设备值（元）的合理范围；超出视为单位错误")

    def default_unit(self, field_name: str) -> str | None:
        """The unit assumed for ``field_name`` when its header names none (None: no setting)."""
        return getattr(self, f"{field_name}_default", None)


@dataclass(frozen=True)
class SchoolChecks:
    """Thresholds of the A类 checks computed from school data (政府保障程度)."""

    special_room_per_classes: int = setting(12, help="第11项：每多少个班配 1 间音乐、美术专用教室")
    music_room_min_area: float = setting(96.0, help="第11项：每间音乐专用教室最小面积（m²）")
    art_room_min_area: float = setting(90.0, help="第11项：每间美术专用教室最小面积（m²）")
    school_size_max: int = setting(2000, help="第12项：小学、初中校额上限（人）")
    school_size_max_through: int = setting(2500, help="第12项：九年/十二年一贯制学校义务教育阶段校额上限（人）")
    class_size_max: dict[str, float] = by_stage({"primary": 45, "junior": 50}, "第13项：班额上限（人），按学段")
    large_class: int = setting(56, help="大班额起点（人）")
    super_large_class: int = setting(66, help="超大班额起点（人）")
    student_staff_ratio: dict[str, float] = by_stage({"primary": 19.0, "junior": 13.5},
                                                     "第10项：生师比（在校生/教职工）上限")
    training_completion: float = setting(1.0, percent=True, help="第17项：5年360学时培训完成率下限")
    certified_rate: float = setting(1.0, percent=True, help="第20项：持证上岗率下限")
    training_funds_share: float = setting(0.05, percent=True, help="第28项：教师培训经费占公用经费比例下限")
    public_funds_per_student: dict[str, float] = by_stage({"primary": 600, "junior": 800},
                                                          "第10项：生均公用经费基准定额（元）")


@dataclass(frozen=True)
class CountyBound:
    """One county figure against its bound: ``min`` (≥) or ``max`` (strictly <, as item 31 asks)."""

    field: str = setting(help="县级指标字段（aliases.toml [county_fields]）")
    min: float | None = setting(None, help="下限（比例，≥）")
    max: float | None = setting(None, help="上限（比例，须小于）")
    extra: CountyBound | None = setting(None, help="同一项的第二个条件")

    def __post_init__(self) -> None:
        if (self.min is None) == (self.max is None):
            raise RuleError(f"县级指标 {self.field} 须且只须设定 min 或 max 之一")

    @property
    def parts(self) -> tuple[CountyBound, ...]:
        return (self,) + (self.extra.parts if self.extra else ())


@dataclass(frozen=True)
class Grade:
    min: float = setting(help="该等级的最低总分")
    label: str = setting(help="等级名称")


@dataclass(frozen=True)
class BScoring:
    item_min_ratio: float = setting(0.8, percent=True, help="B类每项得分不得低于该项分值的比例")
    total_min: float = setting(80, help="B类总分下限")
    grades: tuple[Grade, ...] = setting((Grade(91, "优秀"), Grade(86, "良好"), Grade(80, "合格")),
                                        help="B类等级（总分达到该分数即为该等级）")
    social_recognition_min: float = setting(0.85, percent=True, help="第36项：社会认可度下限")

    def grade(self, total: float, items_ok: bool) -> str:
        """The grade label for ``total`` (不合格 when an item is short or the total too low)."""
        if not items_ok or total < self.total_min:
            return "不合格"
        for g in sorted(self.grades, key=lambda g: -g.min):
            if total >= g.min:
                return g.label
        return "不合格"


@dataclass(frozen=True)
class LedgerSettings:
    grey_days: int = setting(30, help=f"{LedgerStatus.CLOSED}条目在{CountySheet.LEDGER}中灰显的天数，"
                                      f"之后移到“{CountySheet.ARCHIVE}”工作表")
    backups_kept: int = setting(10, help="每个结果文件在“备份”文件夹中保留的不同版本数")
    # The built-in statuses, as plain text like a county's own list (a county may offer more:
    # its words are kept like 整改中); plain, too, so the rules digest of a run is unchanged.
    status_choices: tuple[str, ...] = setting(tuple(s.value for s in LedgerStatus), help="整改台账“状态”下拉选项")


@dataclass(frozen=True)
class Limits:
    """What one workbook may cost. The defaults leave a wide margin over real county
    statistics workbooks (a few thousand school rows, a few MB) and still keep one file
    under about a gigabyte of memory and a few seconds of parsing."""

    # Real workbooks are a few MB. For .xls, the only check, 100 MiB bounds the cell records.
    max_file_bytes: int = setting(100 * MiB, help="单个文件的最大字节数（.xls 只检查这一项）")
    # All zip members, as declared: ~10 million cells of sheet XML plus strings and styles.
    max_uncompressed_bytes: int = setting(512 * MiB, help="解压后的最大字节数（防“压缩炸弹”）")
    # Sheet XML compresses 10–40:1 (LibreOffice's content.xml the most); a zip bomb ~1000:1.
    max_compression_ratio: float = setting(200.0, help="压缩包内单个部件的最大压缩比")
    # Smaller members are not ratio-checked: a tiny repetitive part compresses well, harmlessly.
    min_bytes_for_ratio: int = setting(1 * MiB, help="小于此字节数的部件不检查压缩比")
    # A county has a few thousand school rows; 100 000 formatted blank rows are still read.
    max_rows_per_sheet: int = setting(200_000, help="每张工作表的最大行数")
    # Rows × columns over all sheets, what calamine allocates (~70 bytes, ~1 µs per cell).
    max_cells_per_workbook: int = setting(10_000_000, help="整个工作簿已用区域（行×列）的最大单元格数")
    # One sheet per school (the 学校信息表 layout) stays under this for any county.
    max_sheets: int = setting(1000, help="每个工作簿的最大工作表数")
    # A worker process above this is stopped by the system and only its own county fails
    # (POSIX; on Windows the pool's restart of a dead worker is the only guard).
    max_worker_memory_mb: int = setting(4096, help="每个处理进程最多使用的内存（MB），超过时只有该文件失败")

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            whole = isinstance(f.default, int)
            if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)) or value <= 0:
                raise RuleError(f"读取上限设置项 {f.name} 应为{'正整数' if whole else '正数'}，实际为：{value!r}")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Limits:
        """Limits from a settings table (e.g. ``[limits]`` of a rules file); keys left out keep
        their default. Raises RuleError (Chinese) naming an unknown key, or a value that is
        not a positive number (a whole number for every limit but the ratio)."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = [str(k) for k in values if k not in known]
        if unknown:
            raise RuleError(f"读取上限设置中有未知的设置项：{'、'.join(unknown)}（可用的设置项：{'、'.join(known)}）")
        return cls(**values)


@dataclass(frozen=True)
class StatisticsDefinitions:
    """How the indicators are taken from the 教育事业统计 基层表 (domain.md §7); each a convention."""

    qualified_levels: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {"primary": ("postgraduate", "bachelor", "associate"),
                                 "junior": ("postgraduate", "bachelor")},
        metadata={"help": "高于规定学历所含的学历行（专任教师按学历分）"})
    pe_art_courses: tuple[str, ...] = setting(("pe", "music", "art", "arts"),
                                              help="体育、艺术专任教师所含的课程列（专任教师按授课课程分）")
    teaching_area_excludes_indoor_sports: bool = setting(
        True, help="生均教学及辅助用房用 教学及辅助用房 减去 室内体育用房（统计表把室内体育用房计在教学及辅助用房内）")
    sports_area_includes_indoor_sports: bool = setting(True, help="体育运动场馆面积 = 运动场地面积 + 室内体育用房")
    blank_cell_is_zero: bool = setting(True, help="已填报的统计表中，找到的行列交叉处为空白时按 0 计（统计表不填 0）；"
                                                  "缺表、缺行、缺列仍按未提供数据处理")


@dataclass(frozen=True)
class Profile:
    name: str = setting(help="标准名（文件名）")
    title: str = setting("", help="标准全称")
    description: str = setting("", help="说明")


@dataclass(frozen=True)
class Standard:
    """A standards profile, fully typed. ``path`` is the file it was loaded from."""

    profile: Profile
    indicators: tuple[Indicator, ...]
    pass_rule: PassRule
    cv: CVRule
    scope: Scope
    split: SplitRule
    units: UnitSettings
    checks: SchoolChecks
    county_checks: dict[str, CountyBound]
    b_scoring: BScoring
    ledger: LedgerSettings
    path: Path
    limits: Limits = Limits()
    statistics: StatisticsDefinitions = StatisticsDefinitions()

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def title(self) -> str:
        return self.profile.title or self.profile.name

    @property
    def description(self) -> str:
        return self.profile.description

    def indicator(self, ind_id: int) -> Indicator:
        for ind in self.indicators:
            if ind.id == ind_id:
                return ind
        raise KeyError(ind_id)

    def county_check(self, item: str) -> CountyBound | None:
        """The bound of a county item; item 36 (社会认可度) falls back to ``[b_scoring]``."""
        bound = self.county_checks.get(item)
        if bound is None and item == "36":
            bound = CountyBound("social_recognition", min=self.b_scoring.social_recognition_min)
        return bound


def describe(std: Standard) -> list[tuple[str, str, Any, str]]:
    """Every setting of ``std`` as (section, key, value, help), in file order, for people;
    shares (``percent`` settings) as text such as "8%"."""
    out = []
    for key, (attr, _cls) in SECTIONS.items():
        section = getattr(std, attr)
        for f in dataclasses.fields(section):
            if f.init:
                value = getattr(section, f.name)
                if f.metadata.get("percent"):
                    value = f"{value * 100:g}%"
                out.append((key, f.name, value, f.metadata.get("help", "")))
    return out


# The standards file: TOML key -> (Standard attribute, section type).
SECTIONS: dict[str, tuple[str, type]] = {
    "profile": ("profile", Profile),
    "pass_rule": ("pass_rule", PassRule),
    "cv": ("cv", CVRule),
    "scope": ("scope", Scope),
    "split": ("split", SplitRule),
    "units": ("units", UnitSettings),
    "checks": ("checks", SchoolChecks),
    "b_scoring": ("b_scoring", BScoring),
    "ledger": ("ledger", LedgerSettings),
    "limits": ("limits", Limits),
    "statistics": ("statistics", StatisticsDefinitions),
}
REQUIRED_SECTIONS = ("profile", "cv", "indicator")


# ------------------------------------------------------------------------ strict building

def _type_name(tp: Any) -> str:
    return {int: "整数", float: "数字", bool: "true/false", str: "文字"}.get(tp, str(tp))


def build(cls: type, data: Any, where: str) -> Any:
    """Build dataclass ``cls`` from a TOML table, strictly.

    Unknown keys and wrongly typed values raise ``RuleError`` naming ``where`` (file and
    section) and the key; missing keys take the dataclass default, or are errors when the
    field has none.
    """
    if not isinstance(data, Mapping):
        raise RuleError(f"{where} 应为一个表（{{ … }} 或 [节]）")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = [k for k in data if k not in names]
    if unknown:
        raise RuleError(f"{where} 有无法识别的设置项：{'、'.join(unknown)}（可用：{'、'.join(sorted(names))}）")
    kwargs = {}
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        if f.name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:  # type: ignore[misc]
                raise RuleError(f"{where} 缺少设置项 {f.name}")
            continue
        kwargs[f.name] = _convert(hints[f.name], data[f.name], f"{where} {f.name}")
    try:
        return cls(**kwargs)
    except RuleError as exc:
        raise RuleError(f"{where}：{exc}") from None


def _convert(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if value is None:
            return None
        return _convert(options[0], value, where)
    if dataclasses.is_dataclass(tp):
        return build(tp, value, where)
    if origin is tuple:
        if not isinstance(value, list):
            raise RuleError(f"{where} 应为列表 [ … ]")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
        if len(value) != len(args):
            raise RuleError(f"{where} 应有 {len(args)} 个值")
        return tuple(_convert(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, value)))
    if origin is dict:
        if not isinstance(value, Mapping):
            raise RuleError(f"{where} 应为表 {{ … }}")
        key_t, val_t = args
        if val_t is float and set(value) - set(STAGE_KEYS):
            bad = "、".join(k for k in value if k not in STAGE_KEYS)
            raise RuleError(f"{where} 的学段 {bad} 无法识别（应为 primary / junior / senior）")
        return {str(k): _convert(val_t, v, f"{where}.{k}") for k, v in value.items()}
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise RuleError(f"{where} 应为数字，而不是 {value!r}")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise RuleError(f"{where} 应为整数，而不是 {value!r}")
        return value
    if tp in (str, bool):
        if not isinstance(value, tp):
            raise RuleError(f"{where} 应为{_type_name(tp)}，而不是 {value!r}")
        return value
    raise TypeError(f"unsupported rule type {tp!r}")  # a programming error, not a user's


# ------------------------------------------------------------------------ profiles

def read_rules_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The tables of one rules file, as plain dicts and lists, or a RuleError in Chinese.

    Every rules file is read here: a standards profile, ``aliases.toml``, ``counties.toml``, a
    task list, a form layout (``rules/forms/*.toml``) and a county's own ``表式补充.toml``, so a
    person editing any of them meets the same messages. The file must be TOML in UTF-8 (with
    or without a BOM: Notepad adds one). Nothing is checked beyond the syntax: each caller
    validates the keys against its typed sections (``build``), so unknown keys are its errors.

    Raises RuleError, naming the file:
    * 找不到规则文件：… when nothing is at ``path``;
    * 无法读取规则文件：… when it is a folder, locked or not readable;
    * 规则文件不是 UTF-8 编码：… (e.g. saved as ANSI/GBK), with how to save it again;
    * 规则文件格式错误：… 第 N 行第 M 列附近不符合 TOML 格式 … for a syntax error, with the line
      and column where the parser stopped and the usual causes.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RuleError(f"找不到规则文件：{path}") from None
    except OSError as exc:
        raise RuleError(f"无法读取规则文件：{path}（{exc.strerror or exc}）") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RuleError(f"规则文件不是 UTF-8 编码：{path}（可能存成了 ANSI/GBK），请用记事本打开，"
                        f"“另存为”时编码选 UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        at = f"第 {where.group(1)} 行第 {where.group(2)} 列附近" if where else ""
        raise RuleError(f"规则文件格式错误：{path} {at}不符合 TOML 格式（常见原因：引号不成对、缺少“=”、"
                        f"方括号节名写错），请用记事本等打开改正") from None


def _resolve(name_or_path: str) -> Path:
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return path
    return STANDARDS_DIR / f"{name_or_path}.toml"


def _merge_indicators(base: list, over: list, where: str) -> list:
    """``[[indicator]]`` merged by id: an override entry changes only the keys it names."""
    out = [dict(x) for x in base]
    by_id = {x.get("id"): x for x in out}
    for entry in over:
        if not isinstance(entry, Mapping) or "id" not in entry:
            raise RuleError(f"{where} [[indicator]] 的每一项都须有 id")
        if entry["id"] in by_id:
            by_id[entry["id"]].update(_merge(by_id[entry["id"]], entry))
        else:
            out.append(dict(entry))
            by_id[entry["id"]] = out[-1]
    return out


def _merge(base: dict, over: dict, where: str = "") -> dict:
    out = dict(base)
    for key, value in over.items():
        if key == "indicator" and isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = _merge_indicators(out[key], value, where)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, where)
        else:
            out[key] = value
    return out


def _load_raw(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    if path in seen:
        raise RuleError(f"标准文件循环继承：{path}")
    data = read_rules_file(path)
    parent = data.pop("extends", None)
    if parent:
        data = _merge(_load_raw(_resolve(parent), seen + (path,)), data, f"标准文件 {path.name}")
    return data


def parse_standard(data: dict, path: Path) -> Standard:
    """A merged standards document -> Standard; every problem is a RuleError naming the key."""
    where = f"标准文件 {path.name}"
    known = set(SECTIONS) | {"indicator", "county_checks"}
    unknown = [k for k in data if k not in known]
    if unknown:
        raise RuleError(f"{where} 有无法识别的节：{'、'.join(unknown)}（可用：{'、'.join(sorted(known))}）")
    for key in REQUIRED_SECTIONS:
        if key not in data:
            raise RuleError(f"{where} 缺少 [{key}]")
    parts = {attr: build(cls, data.get(key, {}), f"{where} [{key}]") for key, (attr, cls) in SECTIONS.items()}
    raw_inds = data["indicator"]
    if not isinstance(raw_inds, list) or not raw_inds:
        raise RuleError(f"{where} 应有 [[indicator]] 表")
    inds = tuple(sorted((build(Indicator, raw, f"{where} [[indicator]] 第 {i} 项") for i, raw in enumerate(raw_inds, 1)),
                        key=lambda ind: ind.id))
    ids = [ind.id for ind in inds]
    if len(set(ids)) != len(ids):
        raise RuleError(f"{where} 的 [[indicator]] 编号重复：{ids}")
    raw_county = data.get("county_checks", {})
    if not isinstance(raw_county, Mapping):
        raise RuleError(f"{where} [county_checks] 应为表")
    county = {str(k): build(CountyBound, v, f"{where} [county_checks] “{k}”") for k, v in raw_county.items()}
    std = Standard(indicators=inds, county_checks=county, path=path, **parts)
    _validate(std, where)
    return std


def _validate(std: Standard, where: str) -> None:
    """Checks within one standard (cross-checks with aliases and tasks: ``rulebook``)."""
    n = len(std.indicators)
    if not 1 <= std.pass_rule.min_met <= n:
        raise RuleError(f"{where} [pass_rule] min_met = {std.pass_rule.min_met}，应在 1 到指标数 {n} 之间")
    if not 0 < std.pass_rule.floor_ratio <= 1:
        raise RuleError(f"{where} [pass_rule] floor_ratio 应在 0 到 1 之间")
    for stage in ("primary", "junior"):
        if stage not in std.cv.limit:
            raise RuleError(f"{where} [cv] limit 缺少学段 {stage}")
        for ind in std.indicators:
            if stage not in ind.standard:
                raise RuleError(f"{where} 指标 {ind.id} 的 standard 缺少学段 {stage}")
            if ind.standard[stage] <= 0:
                raise RuleError(f"{where} 指标 {ind.id} 的 standard.{stage} 应大于 0")


@lru_cache(maxsize=None)
def load_standard(name_or_path: str = DEFAULT_STANDARD) -> Standard:
    """Load a bundled profile by name (``national-2017``) or a profile file by path."""
    path = _resolve(name_or_path)
    if not path.exists():
        names = "、".join(bundled_standards())
        raise RuleError(f"找不到标准“{name_or_path}”。可用的内置标准：{names}")
    return parse_standard(_load_raw(path), path)


def bundled_standards() -> list[str]:
    return sorted(p.stem for p in STANDARDS_DIR.glob("*.toml"))


# ------------------------------------------------------------------------ aliases

@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str  # "number" | "text"
    unit: str  # unit family; "" for text
    aliases: tuple[str, ...]
    stage: str | None = None


@dataclass(frozen=True)
class _RawField:
    label: str = setting(help="工具自己的表头和采集模板中的名称")
    kind: str = setting("number", help="number 或 text")
    unit: str = setting("", help="单位族：count、rooms、area、money")
    aliases: tuple[str, ...] = setting((), help="表头中可能出现的写法")
    stage: str | None = setting(None, help="该列固定属于某学段")


@dataclass(frozen=True)
class CountyFieldSpec:
    label: str = setting(help="县级指标名称")
    aliases: tuple[str, ...] = setting((), help="县级指标表中可能的写法")


@dataclass(frozen=True)
class _RawRows:
    total_words: tuple[str, ...] = setting((), help="合计行的标志词")
    note_prefixes: tuple[str, ...] = setting((), help="表下注释行的开头")


@dataclass(frozen=True)
class Aliases:
    fields: dict[str, FieldSpec]
    composites: dict[str, tuple[tuple[str, ...], ...]]
    units: dict[str, dict[str, float]]
    total_words: tuple[str, ...]
    note_prefixes: tuple[str, ...]
    stages: dict[str, tuple[str, ...]]
    school_types: dict[str, tuple[str, ...]]
    county_fields: dict[str, CountyFieldSpec]
    path: Path | None = None

    def canonical_unit(self, family: str) -> str:
        return next(iter(self.units[family]))

    def label(self, name: str) -> str:
        """The Chinese label of a canonical field (the name itself when unknown)."""
        spec = self.fields.get(name)
        return spec.label if spec else name


ALIAS_SECTIONS = ("fields", "composites", "units", "rows", "stages", "school_types", "county_fields")


@lru_cache(maxsize=None)
def load_aliases(path: str | None = None) -> Aliases:
    """Load the header alias table (``rules/aliases.toml`` unless a path is given), strictly."""
    file = Path(path) if path else RULES_DIR / "aliases.toml"
    data = read_rules_file(file)
    where = f"别名文件 {file.name}"
    unknown = [k for k in data if k not in ALIAS_SECTIONS]
    if unknown:
        raise RuleError(f"{where} 有无法识别的节：{'、'.join(unknown)}")
    fields: dict[str, FieldSpec] = {}
    for name, raw in data.get("fields", {}).items():
        spec = build(_RawField, raw, f"{where} [fields.{name}]")
        unit = spec.unit or ("" if spec.kind == "text" else "count")
        fields[name] = FieldSpec(name, spec.label, spec.kind, unit, spec.aliases, spec.stage)
    rows = build(_RawRows, data.get("rows", {}), f"{where} [rows]")
    composites = {k: tuple(tuple(p) for p in v) for k, v in data.get("composites", {}).items()}
    for target, options in composites.items():
        for name in (target, *(p for opt in options for p in opt)):
            if name not in fields:
                raise RuleError(f"{where} [composites] {target} 引用了不存在的字段 {name}")
    return Aliases(
        fields=fields,
        composites=composites,
        units={k: {u: float(f) for u, f in v.items()} for k, v in data.get("units", {}).items()},
        total_words=rows.total_words,
        note_prefixes=rows.note_prefixes,
        stages={k: tuple(v) for k, v in data.get("stages", {}).items()},
        school_types={k: tuple(v) for k, v in data.get("school_types", {}).items()},
        county_fields={k: build(CountyFieldSpec, v, f"{where} [county_fields] {k}")
                       for k, v in data.get("county_fields", {}).items()},
        path=file,
    )
