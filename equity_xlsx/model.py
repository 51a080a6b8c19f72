"""The few dataclasses everything passes around.

Data flows one way: intake builds ``CountyData`` (normalised sections with provenance),
``indicators``/``cv`` turn it into ``Evaluation``, ``report`` and ``batch`` write it out.
Field names are the canonical names of ``rules/aliases.toml`` and summary.json.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from .identity import CountyId
from .problems import Problem
from .vocabulary import LedgerStatus

Stage = Literal["primary", "junior"]
STAGES: tuple[Stage, ...] = ("primary", "junior")
STAGE_LABEL: dict[str, str] = {"primary": "小学", "junior": "初中", "senior": "高中"}


class Verdict(StrEnum):
    """Every verdict word the tool writes, in cells and in the formulas that compute them."""

    MET = "达标"
    UNMET = "未达标"
    NO_DATA = "未提供数据"
    INCOMPLETE = "数据不全"
    NOT_APPLICABLE = "不适用"
    CRITICAL = "临界"
    NOT_CRITICAL = "否"
    TO_SCORE = "待评分"
    NOT_SCORED = "未评分"
    ITEM_OK = "达到"  # a B item scored at least its minimum share
    ITEM_SHORT = "不足"
    FAILED_GRADE = "不合格"

    def quoted(self) -> str:
        """The word as a formula string literal: ``"达标"``."""
        return f'"{self.value}"'


@dataclass(frozen=True)
class Source:
    """Where one value came from: the cell as Excel names it (row 1-based, column letter)."""

    file: str
    sheet: str
    row: int | None = None
    column: str | None = None
    label: str = ""  # what the cell is on a statistics form: "总计 × 在校学生数›合计"; a derivation
    via: str = ""  # the county's own form mapping file that located the cell (云溪县基层表/表式补充.toml)

    @property
    def cell(self) -> str:
        return f"{self.column or ''}{self.row or ''}"

    @property
    def via_note(self) -> str:
        """"（据 云溪县基层表/表式补充.toml）" for a cell located by a county's own mapping file, else ""."""
        return f"（据 {self.via}）" if self.via else ""

    @property
    def what(self) -> str:
        """The label (else the cell), saying the mapping file unless the label already does."""
        text = self.label or self.cell
        return text if not self.via or self.via in text else text + self.via_note

    def describe(self) -> str:
        where = f"{self.file} / {self.sheet}"
        if self.row is not None or self.column:
            where += f" / {self.cell}"
        return where + (f"（{self.label}）" if self.label else "") + (self.via_note if self.via not in self.label else "")


@dataclass
class Section:
    """One school section: a school in one stage, its values in canonical units.

    Units: areas in m², equipment value in 元, teachers/rooms/students/classes as counts.
    ``values`` holds only fields that were found; a missing field is absent, never 0.
    ``sources`` maps each field to where it came from (for a split or summed field, the
    first source; ``notes`` say how it was derived).
    """

    school: str
    stage: Stage
    school_type: str = ""
    code: str = ""
    values: dict[str, float] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    origin: Source | None = None  # the row this section was read from

    @property
    def students(self) -> float:
        return self.values.get("students", 0.0)

    @property
    def key(self) -> tuple[str, str]:
        return (self.code or self.school, self.stage)


@dataclass(frozen=True)
class Exclusion:
    """A school left out of 资源配置 and the CVs, and why (shown on 口径说明)."""

    school: str
    stage: str
    school_type: str
    students: float | None
    reason: str
    source: Source | None = None


@dataclass(frozen=True)
class Split:
    """A whole-school amount divided between sections by weighted students (domain §3)."""

    school: str
    field: str
    total: float
    shares: tuple[tuple[str, float, float], ...]  # (stage, students, amount)
    weights: tuple[tuple[str, float], ...]  # (stage, weight)


def split_amount(total: float, students: Mapping[str, float], weights: Mapping[str, float]) -> dict[str, float]:
    """Divide a whole-school amount by weighted students (domain §3): stage s gets
    total · w_s·P_s / Σ w·P, in ``total``'s unit (m², 元 or rooms). ``students`` and ``weights``
    are keyed by stage. Example: 23226 over 小学 166 / 初中 210 with 1:1.1 -> 9711.6 / 13514.4.
    """
    denom = sum(weights[s] * p for s, p in students.items())
    return {s: total * weights[s] * p / denom for s, p in students.items()}


def weights_text(weights: Mapping[str, float]) -> str:
    """"小学:初中 = 1:1.1" for split weights keyed by stage, in the mapping's order."""
    return ":".join(STAGE_LABEL.get(s, s) for s in weights) + " = " + ":".join(f"{w:g}" for w in weights.values())


@dataclass(frozen=True)
class Conversion:
    """A unit read from a header and applied (e.g. 万元 ×10000)."""

    sheet: str
    column: str
    header: str
    field: str
    unit: str
    factor: float


@dataclass(frozen=True)
class MappedFigure:
    """A figure read through a county's own form mapping file (表式补充*.toml) instead of the
    bundled form rules (issue 14): listed on 口径说明 so the number can be traced."""

    mapping: str  # the file as the user sees it: 云溪县基层表/表式补充.toml
    generation: str  # the form generation it adds to: jichu-2018, jiaoji-2021, export
    sheet: str  # the form (sheet) the figure was read from: 基础基522
    figure: str  # what was read, in Chinese: 运动场地面积, 在校学生数（小学）
    cell: str  # where and what: F8（单元格 F8）
    school: str = ""


@dataclass
class CountyData:
    """One county's data, normalised from all its input parts, with provenance.

    Made only by ``intake.assemble`` from the parts the readers return (``intake.part``).
    """

    file: str
    county: str | None
    sections: list[Section] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)
    splits: list[Split] = field(default_factory=list)
    conversions: list[Conversion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    county_figures: dict[str, float] = field(default_factory=dict)
    county_sources: dict[str, Source] = field(default_factory=dict)
    identity: CountyId | None = None
    generation: str | None = None  # a statistics form generation (jiaoji-2021 …) or "export"
    data_year: int | None = None  # the year the titles or file names state (2025年…)
    # The county's own form mapping files merged into the rules its workbooks were read with
    # (as the user sees them), and each figure one of them gave.
    form_mappings: list[str] = field(default_factory=list)
    mapped_figures: list[MappedFigure] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """Which input shape it was assembled from, for 口径说明: "county" (a collection table,
        no form generation), "export" (stage exports) or "school" (per-school 基层表 workbooks)."""
        if self.generation is None:
            return "county"
        return "export" if self.generation == "export" else "school"

    @property
    def county_id(self) -> CountyId:
        """Who this data belongs to; without an identity, the county name or the file name."""
        if self.identity is not None:
            return self.identity
        return CountyId(self.county or self.file.rsplit("/", 1)[-1].rsplit(".", 1)[0], None,
                        "title" if self.county else "file")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]


@dataclass
class LedgerLine:
    """One 整改台账 line — the one record of a ledger line, in memory, on the sheet and in the store.

    One school section × one unmet item, or one county-level shortfall. ``key`` identifies
    the gap across runs (county, school code or name, stage, item, part); ``id`` (台账编号)
    is derived from it, so the same gap has the same number on every run. ``need`` is what
    must be added in real units (``need_unit``: 人, m², 元, 间, 班, 人 to move), rounded up
    where only whole units make sense; ``need_text`` says it in words.

    Field groups: the gap as tonight's data shows it (``DATA_FIELDS``), its life
    (first_seen … manual_status), what staff typed (``STAFF_FIELDS``). ``sort_key`` is
    display order only and is not stored.
    """

    id: str
    key: str = ""
    school: str = ""  # the county's own word (全区 / 全县) for a county-level line
    stage: str = ""  # "primary" | "junior" | "" (county item without stage)
    item: str = ""  # task-list item id ("1".."36")
    indicator: str = ""  # Chinese indicator name shown on the sheet
    current: float | None = None
    standard: float | None = None
    shortfall: float | None = None  # standard − current, in the indicator's unit
    unit: str = ""  # unit of current/standard/shortfall
    need: float | None = None
    need_unit: str = ""
    need_text: str = ""
    measure: str = ""
    department: str = ""
    office: str = ""
    detail: str = ""  # e.g. the CV-fix schools and amounts
    first_seen: str = ""  # ISO date
    last_seen: str = ""  # ISO date of the last run that found the gap
    status: str = LedgerStatus.OPEN  # effective 状态: OPEN, the manual one, or CLOSED (any text a county allows)
    closed_on: str = ""  # ISO date when 销号
    manual_status: str = ""  # 状态 a person typed (整改中, 暂缓 …), kept while the gap exists
    owner: str = ""
    due: str = ""  # ISO date when typed as a date, else the text typed
    progress: str = ""
    remark: str = ""
    county: str = ""
    staff_edited: str = ""  # the task-list defaults staff replaced: "measure,office" (kept, never reset)
    extra: str = ""  # columns staff inserted: JSON {header: value}, carried to every later workbook
    sort_key: tuple = field(default=(), compare=False, metadata={"stored": False})

    @property
    def extras(self) -> dict[str, str]:
        import json

        return json.loads(self.extra) if self.extra else {}

    def set_extra(self, header: str, value: str) -> None:
        import json

        values = self.extras
        values[header] = value
        self.extra = json.dumps(values, ensure_ascii=False)

    @property
    def edited(self) -> set[str]:
        return set(filter(None, self.staff_edited.split(",")))

    def mark_edited(self, name: str, edited: bool) -> None:
        fields = self.edited | {name} if edited else self.edited - {name}
        self.staff_edited = ",".join(sorted(fields))

    def take_data(self, tonight: LedgerLine) -> None:
        """Refresh the data fields from tonight's line; dates, status, what staff typed and the
        defaults staff replaced (``staff_edited``) are untouched."""
        keep = self.edited
        for f in DATA_FIELDS:
            if f not in keep:
                setattr(self, f, getattr(tonight, f))


# Fields copied from tonight's evaluation, as opposed to dates, status and what staff typed.
DATA_FIELDS: tuple[str, ...] = ("key", "school", "stage", "item", "indicator", "current", "standard", "shortfall",
                                "unit", "need", "need_unit", "need_text", "measure", "department", "office",
                                "detail")


@dataclass(frozen=True)
class LedgerColumn:
    """One column of 整改台账 / 已销号: the sheet writer and the read-back both use this table.

    ``kind``: text | wrap (multi-line) | number | stage | item | date. ``width`` None: fit
    to content. ``staff``: a column staff fill in (cream, unlocked, empty until typed).
    ``editable``: the tool writes a default (整改措施 from the task list, 状态) that staff may
    replace (unlocked; a replaced default is kept and shown as edited). Staff and editable
    columns are read back every night and kept. ``read_back``: also read, to rebuild a lost
    ledger (首次发现). ``synonyms``: other headers staff may rename it to.
    """

    field: str
    header: str
    kind: str = "text"
    width: float | None = None
    staff: bool = False
    editable: bool = False
    read_back: bool = False
    synonyms: tuple[str, ...] = ()

    @property
    def typed(self) -> bool:
        """Staff may type into this column (it is unlocked, read back and kept)."""
        return self.staff or self.editable


LEDGER_COLUMNS: tuple[LedgerColumn, ...] = (
    LedgerColumn("id", "台账编号", width=14),
    LedgerColumn("school", "学校", "wrap"),
    LedgerColumn("stage", "学段", "stage", 6),
    LedgerColumn("item", "指标编号", "item", 6),
    LedgerColumn("indicator", "指标", "wrap"),
    LedgerColumn("current", "现值", "number", 10),
    LedgerColumn("standard", "标准值", "number", 10),
    LedgerColumn("shortfall", "差距", "number", 10),
    LedgerColumn("unit", "单位", width=8),
    LedgerColumn("need_text", "需补足", "wrap"),
    LedgerColumn("detail", "说明", "wrap"),
    LedgerColumn("measure", "整改措施", "wrap", editable=True, synonyms=("措施", "整改举措", "具体措施")),
    LedgerColumn("department", "责任部门", "wrap", editable=True, synonyms=("责任单位", "牵头部门", "牵头单位")),
    LedgerColumn("office", "责任股室", "wrap", editable=True, synonyms=("牵头股室", "责任科室", "股室")),
    LedgerColumn("first_seen", "首次发现", "date", 11, read_back=True, synonyms=("发现日期", "首次发现日期")),
    LedgerColumn("status", "状态", width=8, editable=True, synonyms=("整改状态", "销号状态")),
    LedgerColumn("closed_on", "销号日期", "date", 11),
    LedgerColumn("owner", "责任人", width=10, staff=True, synonyms=("负责人", "具体责任人", "责任人员", "联系人")),
    LedgerColumn("due", "计划完成时间", "date", 12, staff=True,
                 synonyms=("完成时间", "计划完成日期", "完成时限", "完成期限", "整改时限", "整改期限")),
    LedgerColumn("progress", "整改进展", width=24, staff=True,
                 synonyms=("进展情况", "整改进度", "进展", "工作进展", "推进情况", "整改情况")),
    LedgerColumn("remark", "备注", width=16, staff=True, synonyms=("备考", "其他说明")),
)
STAFF_FIELDS: tuple[str, ...] = tuple(c.field for c in LEDGER_COLUMNS if c.staff)
# Task-list defaults staff may replace on a line (状态 is handled as the line's manual status).
DEFAULT_FIELDS: tuple[str, ...] = tuple(c.field for c in LEDGER_COLUMNS if c.editable and c.field != "status")
TYPED_FIELDS: tuple[str, ...] = tuple(c.field for c in LEDGER_COLUMNS if c.typed)
STAFF_LABELS: dict[str, str] = {c.field: c.header for c in LEDGER_COLUMNS if c.typed}
