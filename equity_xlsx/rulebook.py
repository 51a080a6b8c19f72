"""The rules of one run: a standard, the alias table and a task list, loaded once, cross-checked.

The computing core (indicators, cv, checks, needs, ledger) and the report take a ``Rules``
bundle (or the part they need) and never open a rule file themselves. ``load_rules`` is
called once at the start of a run; a rule file that does not fit the others is a clear
Chinese ``RuleError`` there, never a crash in the middle of the night.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .form_layouts import FormRules, all_form_rules
from .identity import Counties, load_counties
from .standards import DEFAULT_STANDARD, Aliases, RuleError, Standard, load_aliases, load_standard
from .tasks import SCHOOL_CHECKS, TaskList, load_tasks


@dataclass(frozen=True)
class Rules:
    standard: Standard
    aliases: Aliases
    tasks: TaskList
    counties: Counties = Counties()
    # Where each figure sits in the 教育事业统计 基层表: one per form generation, and the export.
    forms: tuple[FormRules, ...] = field(default_factory=lambda: tuple(all_form_rules().values()))

    @classmethod
    def of(cls, standard: Standard, tasks: str | None = None) -> Rules:
        """A bundle around a Standard object (e.g. one changed with ``dataclasses.replace``)
        with the bundled alias table, county codes, form rules and the given or default task
        list, cross-checked."""
        rules = cls(standard, load_aliases(), load_tasks(tasks), load_counties())
        check_rules(rules)
        return rules


def load_rules(standard: str = DEFAULT_STANDARD, tasks: str | None = None, aliases: str | None = None,
               counties: str | None = None) -> Rules:
    """Load the standard (name or path), the task list (path, or the bundled default), the
    alias table, the county codes and the 基层表 form rules, and check that they refer to
    each other correctly."""
    rules = Rules(load_standard(standard), load_aliases(aliases), load_tasks(tasks), load_counties(counties))
    check_rules(rules)
    return rules


def check_rules(rules: Rules) -> None:
    """Cross-references between the rule files; raises RuleError listing every problem."""
    std, aliases, tasks = rules.standard, rules.aliases, rules.tasks
    problems: list[str] = []
    known_fields = set(aliases.fields)
    ind_ids = {ind.id for ind in std.indicators}
    for ind in std.indicators:
        if ind.numerator not in known_fields:
            problems.append(f"标准 {std.name} 的指标 {ind.id} 的分子字段 {ind.numerator} 在别名表中不存在")
    for name in std.split.fields:
        if name not in known_fields:
            problems.append(f"标准 {std.name} [split] fields 中的字段 {name} 在别名表中不存在")
    for item, bound in std.county_checks.items():
        for part in bound.parts:
            if part.field not in aliases.county_fields:
                problems.append(f"标准 {std.name} [county_checks] “{item}” 的字段 {part.field} "
                                f"在别名表 [county_fields] 中不存在")
    for it in tasks.items:
        kind, ref = it.check.kind, it.check.ref
        if kind == "indicator" and int(ref) not in ind_ids:
            problems.append(f"任务清单 {tasks.path.name} 第 {it.id} 项引用的资源配置指标 {ref} 在标准 {std.name} 中不存在")
        if kind == "school" and ref not in SCHOOL_CHECKS:
            problems.append(f"任务清单 {tasks.path.name} 第 {it.id} 项的校级核查 {ref} 不存在")
    if problems:
        raise RuleError("规则文件之间不一致：\n" + "\n".join(f"- {p}" for p in problems))


def default_rules() -> Rules:
    """The bundled national standard, aliases and default task list (tests, the template)."""
    return load_rules(DEFAULT_STANDARD)


__all__ = ["Rules", "load_rules", "check_rules", "default_rules", "RuleError"]
