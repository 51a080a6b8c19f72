"""A standard's settings as county staff read them: Chinese names and Chinese values.

``equity-xlsx standards`` prints this. A setting is named by its help text, never by its
TOML key; values that are internal field names (teaching_area, postgraduate, rotation_rate)
are shown by their Chinese labels. Each group names, once, the ``[section]`` of the standards
file where it is changed.
"""

from __future__ import annotations

from typing import Any

from .form_layouts import LABEL as FORM_LABEL
from .model import STAGE_LABEL
from .standards import Aliases, Standard, describe

SECTION_TITLE = {
    "profile": "标准", "pass_rule": "学校达标规则", "cv": "差异系数", "scope": "纳入计算的学校（口径）",
    "split": "一贯制等学校全校数的拆分", "units": "单位", "checks": "学校层面的 A 类指标检查", "b_scoring": "B 类指标计分",
    "ledger": "整改台账", "limits": "读取上限（防止异常文件）", "statistics": "基层表取数口径",
}
SPLIT_KIND = {"nine_year": "九年一贯制", "twelve_year": "十二年一贯制", "complete_middle": "完全中学"}


def _names(aliases: Aliases) -> dict[str, str]:
    """Every internal name a setting's value may hold -> its Chinese label."""
    out = {**STAGE_LABEL, **FORM_LABEL}
    out.update({name: spec.label for name, spec in aliases.fields.items()})
    out.update({name: spec.label for name, spec in aliases.county_fields.items()})
    return out


def show_value(value: Any, names: dict[str, str]) -> str:
    """A setting's value in words: lists joined with 、, per-stage values as 小学 4.2，初中 5.3,
    internal names by their labels, grades as 名称≥分数, booleans as 是/否."""
    if isinstance(value, tuple):
        return "、".join(show_value(v, names) for v in value) or "（无）"
    if isinstance(value, dict):
        return "，".join(f"{names.get(k, k)} {show_value(v, names)}" for k, v in value.items())
    if hasattr(value, "label") and hasattr(value, "min"):
        return f"{value.label}≥{value.min:g}"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    if value is None:
        return "（无）"
    return names.get(value, str(value)) if isinstance(value, str) else str(value)


def standard_lines(std: Standard, aliases: Aliases) -> list[str]:
    """The lines ``equity-xlsx standards`` prints for one standard (without indentation rules
    of its own: each line carries its indentation)."""
    names = _names(aliases)
    out = [f"■ {std.name}：{std.title}"]
    if std.description:
        out.append(f"  {std.description}")
    out.append(f"  文件：{std.path}")
    out.append("  【七项资源配置指标的标准值】（标准文件 [[indicator]]）")
    for ind in std.indicators:
        out.append(f"    {ind.id}. {ind.name}：小学 {ind.standard['primary']:g}，初中 {ind.standard['junior']:g}（{ind.unit}）")
    section = None
    for key, name, value, help_text in describe(std):
        if key == "profile":
            continue  # shown in the heading
        if key != section:
            section = key
            out.append(f"  【{SECTION_TITLE.get(key, key)}】（标准文件 [{key}]）")
        label = help_text or name
        if key == "split" and name in SPLIT_KIND:
            label = f"{SPLIT_KIND[name]}各学段的权重"
        out.append(f"    {label}：{show_value(value, names)}")
    if std.county_checks:
        out.append("  【县级指标的阈值】（标准文件 [county_checks]）")
        for item, bound in std.county_checks.items():
            for part in bound.parts:
                word, limit = ("≥", part.min) if part.min is not None else ("<", part.max)
                shown = f"{limit * 100:g}%" if limit <= 1 else f"{limit:g}"
                out.append(f"    第{item}项 {names.get(part.field, part.field)}：{word} {shown}")
    return out
