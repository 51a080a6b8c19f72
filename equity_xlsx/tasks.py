"""Load and validate a county task list (任务清单): the 36 items, their wording, who acts.

The bundled default is ``rules/tasks/national.toml``: the 36 items in neutral wording, with
``{县名}`` and ``{县区}`` filled in for each county by ``TaskList.render`` (全{县区} → 全县,
{县区}教育局 → 县教育局). ``rules/tasks/daxiang.toml`` is the 大祥区 list as published
(extracted from the seed by ``scripts/extract_tasks.py``; national.toml is derived from it by
``scripts/neutral_tasks.py``), selected with ``--tasks daxiang``. A county passes its own with
``--tasks FILE``: same layout, its own 推进措施 / 责任部门 / 责任股室. Every problem in the file
is reported at once, in Chinese, as a ``standards.RuleError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .standards import RULES_DIR, RuleError, read_rules_file

if TYPE_CHECKING:
    from .identity import CountyId

TASKS_DIR = RULES_DIR / "tasks"
DEFAULT_TASKS = TASKS_DIR / "national.toml"

CATEGORIES = ("A", "B")
# What may feed an item's 当前状态 ("kind:ref"); checks.py implements each school check.
CHECK_KINDS = ("indicator", "school", "county", "manual", "scored")
SCHOOL_CHECKS = {
    "staff_ratio": "师生比（教职工编制）",
    "special_rooms": "音乐、美术专用教室",
    "school_size": "校额",
    "class_size": "班额",
    "training_completion": "5年360学时培训完成率",
    "certified_rate": "持证上岗率",
    "training_funds": "教师培训经费占公用经费比例",
}
RESOURCE_INDICATORS = range(1, 8)


@dataclass(frozen=True)
class CheckRef:
    """Which computation feeds an item: kind (see CHECK_KINDS) and its reference.

    ``indicator``: ref is the resource indicator id ("1".."7"); ``school``: a SCHOOL_CHECKS
    name; ``county``: the key of the standard's ``[county_checks]``; ``manual``/``scored``: "".
    """

    kind: str
    ref: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}" if self.ref else self.kind


@dataclass(frozen=True)
class PointRow:
    """One 指标值或评估要点 row. B items have several, each with its points (score)."""

    text: str
    score: float | None = None


@dataclass(frozen=True)
class TaskItem:
    id: str  # "1".."36"
    group: str  # 一级指标
    text: str  # 二级指标, as in the table (starts "12.")
    points: tuple[PointRow, ...]  # 指标值或评估要点: one row (A) or the B item's sub-rows
    measures: str  # 推进措施 (multi-line)
    departments: tuple[str, ...]  # 责任部门
    offices: tuple[str, ...]  # 区教育局责任股室
    category: str  # "A" hard indicator | "B" scored
    score: float | None  # B items: points the item is worth
    check: CheckRef

    @property
    def number(self) -> int:
        return int(self.id)

    @property
    def points_text(self) -> str:
        return "\n".join(p.text for p in self.points)

    @property
    def departments_text(self) -> str:
        """责任部门 as one cell: one department a line, as in the table."""
        return "\n".join(self.departments)

    @property
    def offices_text(self) -> str:
        return "\n".join(self.offices)


@dataclass(frozen=True)
class TaskList:
    name: str
    title: str
    label: str  # e.g. 附件2
    columns: tuple[str, ...]  # the six column headings of the original table
    note: str  # 说明 under the table
    b_total: float
    items: tuple[TaskItem, ...]
    path: Path

    def item(self, item_id: str | int) -> TaskItem:
        for it in self.items:
            if it.id == str(item_id):
                return it
        raise KeyError(item_id)

    @property
    def a_items(self) -> tuple[TaskItem, ...]:
        return tuple(i for i in self.items if i.category == "A")

    @property
    def b_items(self) -> tuple[TaskItem, ...]:
        return tuple(i for i in self.items if i.category == "B")

    def render(self, county: CountyId) -> TaskList:
        """This list in ``county``'s own words: ``{县名}`` its name, ``{县区}`` its level word."""

        def fill(text: str) -> str:
            return text.replace("{县名}", county.name).replace("{县区}", county.level)

        items = tuple(replace(it, group=fill(it.group), text=fill(it.text), measures=fill(it.measures),
                              points=tuple(replace(p, text=fill(p.text)) for p in it.points),
                              departments=tuple(map(fill, it.departments)), offices=tuple(map(fill, it.offices)))
                      for it in self.items)
        return replace(self, title=fill(self.title), label=fill(self.label), columns=tuple(map(fill, self.columns)),
                       note=fill(self.note), items=items)

    def groups(self) -> list[tuple[str, list[TaskItem]]]:
        """Consecutive items sharing a 一级指标, in order: the sheet merges each run's cell."""
        runs: list[tuple[str, list[TaskItem]]] = []
        for it in self.items:
            if runs and runs[-1][0] == it.group:
                runs[-1][1].append(it)
            else:
                runs.append((it.group, [it]))
        return runs


_POINT_SCORE = re.compile(r"[（(](\d+(?:\.\d+)?)分[）)]\s*$")


def _strs(value, where: str, errors: list[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(v for v in value.split("\n") if v.strip())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    errors.append(f"{where}应为文字或文字列表")
    return ()


def _check_ref(raw, where: str, errors: list[str]) -> CheckRef:
    if not isinstance(raw, str) or not raw.strip():
        errors.append(f"{where}缺少 check（状态来源），可写 manual")
        return CheckRef("manual")
    kind, _, ref = raw.strip().partition(":")
    if kind not in CHECK_KINDS:
        errors.append(f"{where}的 check “{raw}” 无法识别，应为 {'/'.join(CHECK_KINDS)}")
        return CheckRef("manual")
    if kind == "indicator" and (not ref.isdigit() or int(ref) not in RESOURCE_INDICATORS):
        errors.append(f"{where}的 check “{raw}” 无效：资源配置指标编号应为 1–7")
    if kind == "school" and ref not in SCHOOL_CHECKS:
        errors.append(f"{where}的 check “{raw}” 无效：校级核查项应为 {'、'.join(SCHOOL_CHECKS)}")
    if kind == "county" and not ref:
        errors.append(f"{where}的 check “{raw}” 缺少县级指标编号")
    return CheckRef(kind, ref)


def _parse_item(raw: dict, index: int, errors: list[str]) -> TaskItem | None:
    if not isinstance(raw, dict):
        errors.append(f"第 {index} 个 [[item]] 格式错误")
        return None
    item_id = str(raw.get("id", "")).strip()
    if not item_id.isdigit():
        errors.append(f"第 {index} 个 [[item]] 缺少编号 id（应为 1–36 的数字）")
        return None
    where = f"第 {item_id} 项"
    for key, label in (("group", "一级指标 group"), ("text", "二级指标 text")):
        if not str(raw.get(key, "")).strip():
            errors.append(f"{where}缺少{label}")
    category = str(raw.get("category", "")).strip().upper()
    if category not in CATEGORIES:
        errors.append(f"{where}的类别“{raw.get('category', '')}”无法识别，应为 A 或 B")
    score = raw.get("score")
    if score is not None and not isinstance(score, (int, float)):
        errors.append(f"{where}的分值 score 应为数字")
        score = None
    if category == "B" and not score:
        errors.append(f"{where}是 B 类指标，缺少分值 score")
    if category == "A" and score:
        errors.append(f"{where}是 A 类指标（硬性指标，不计分），不应有分值 score")
    texts = _strs(raw.get("points", []), f"{where}的评估要点 points", errors)
    if not texts:
        errors.append(f"{where}缺少指标值或评估要点 points")
    point_scores = raw.get("point_scores")
    if point_scores is None:
        # The sub-row's points are written in its text, "（3分）".
        found = [_POINT_SCORE.search(t) for t in texts]
        scores = [float(m.group(1)) if m else None for m in found] if category == "B" else []
    else:
        scores = list(point_scores)
        if len(scores) != len(texts) or not all(isinstance(s, (int, float)) for s in scores):
            errors.append(f"{where}的 point_scores 应为 {len(texts)} 个数字（每条评估要点一个）")
            scores = []
    if category == "B" and score and scores and None not in scores and abs(sum(scores) - score) > 1e-9:
        errors.append(f"{where}各评估要点分值之和 {sum(scores):g} 与分值 {score:g} 不一致")
    check = _check_ref(raw.get("check"), where, errors)
    if category == "B" and check.kind != "scored":
        errors.append(f"{where}是 B 类指标，check 应为 scored")
    if category == "A" and check.kind == "scored":
        errors.append(f"{where}是 A 类指标，check 不能为 scored")
    points = tuple(
        PointRow(t, float(scores[i]) if i < len(scores) and scores[i] is not None else None)
        for i, t in enumerate(texts)
    )
    return TaskItem(
        id=item_id,
        group=str(raw.get("group", "")).strip(),
        text=str(raw.get("text", "")),
        points=points,
        measures=str(raw.get("measures", "")),
        departments=_strs(raw.get("departments", []), f"{where}的责任部门", errors),
        offices=_strs(raw.get("offices", []), f"{where}的责任股室", errors),
        category=category,
        score=float(score) if score else None,
        check=check,
    )


def parse_tasks(data: dict, path: Path) -> TaskList:
    """Validate a task-list TOML document; every problem is collected, then raised."""
    errors: list[str] = []
    meta = data.get("meta", {})
    expected = int(meta.get("items", 36))
    b_total = float(meta.get("b_total", 100))
    raws = data.get("item")
    if not isinstance(raws, list) or not raws:
        raise RuleError(f"任务清单 {path.name} 没有任何指标（应有 [[item]] 表）")
    items = [it for i, raw in enumerate(raws, 1) if (it := _parse_item(raw, i, errors))]
    seen: set[str] = set()
    for it in items:
        if it.id in seen:
            errors.append(f"指标编号重复：第 {it.id} 项出现不止一次")
        seen.add(it.id)
    missing = [str(n) for n in range(1, expected + 1) if str(n) not in seen]
    if missing:
        errors.append(f"缺少指标：第 {'、'.join(missing)} 项（应有 1–{expected} 共 {expected} 项）")
    extra = sorted((i for i in seen if not 1 <= int(i) <= expected), key=int)
    if extra:
        errors.append(f"多出的指标编号：{'、'.join(extra)}（应为 1–{expected}）")
    b_sum = sum(it.score or 0 for it in items if it.category == "B")
    if items and abs(b_sum - b_total) > 1e-9:
        errors.append(f"B 类指标分值合计为 {b_sum:g} 分，应为 {b_total:g} 分")
    if errors:
        raise RuleError(f"任务清单 {path.name} 有误：\n" + "\n".join(f"- {e}" for e in errors))
    return TaskList(
        name=str(meta.get("name", path.stem)),
        title=str(meta.get("title", "")),
        label=str(meta.get("label", "")),
        columns=tuple(meta.get("columns", ("一级指标", "二级指标", "指标值或评估要点", "推进措施",
                                          "责任部门", "区教育局责任股室"))),
        note=str(meta.get("note", "")),
        b_total=b_total,
        items=tuple(sorted(items, key=lambda it: it.number)),
        path=path,
    )


def load_tasks(path: str | None = None) -> TaskList:
    """Load the bundled national task list, a bundled one by name (``daxiang``), or a county's
    own file given by path.

    A county's file is read afresh on every call (people edit it between nightly runs).
    """
    if not path:
        return _bundled(DEFAULT_TASKS)
    bundled = TASKS_DIR / f"{path}.toml"
    if "/" not in path and "\\" not in path and not path.endswith(".toml") and bundled.exists():
        return _bundled(bundled)
    file = Path(path)
    if not file.exists():
        names = "、".join(sorted(p.stem for p in TASKS_DIR.glob("*.toml")))
        raise RuleError(f"找不到任务清单文件：{file}（内置清单：{names}）")
    return parse_tasks(read_rules_file(file), file)


@lru_cache(maxsize=None)
def _bundled(file: Path) -> TaskList:
    return parse_tasks(read_rules_file(file), file)
