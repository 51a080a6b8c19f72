"""``equity-xlsx forms …``: commands about the 基层表 forms (parse, call, print)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .cli_help import CONTEXT, ChineseCommand, ChineseGroup
from .form_layouts import EXPORT, GENERATIONS
from .standards import DEFAULT_STANDARD, RuleError

BUNDLED = {f"{name}.toml" for name in (*GENERATIONS, EXPORT)}

forms_app = typer.Typer(add_completion=False, no_args_is_help=True, cls=ChineseGroup, rich_markup_mode=None,
                        context_settings=CONTEXT, help="教育事业统计基层表：检查各数从表中何处取得。")


@forms_app.command(cls=ChineseCommand)
def check(
    target: Path = typer.Argument(..., help="基层表文件夹或一个工作簿（每校一个工作簿，或县、市导出表）", show_default=False),
    mapping: Optional[Path] = typer.Option(None, "--forms", help="先试用的表式补充文件（写法同 表式补充.toml）"),
    standard: str = typer.Option(DEFAULT_STANDARD, "--standard", "-s", help="标准名称或标准文件路径"),
) -> None:
    """逐校列出每个数取自哪张表、哪一行、哪一列、哪个单元格（值和单位），找不到的写明原因和表中相近的行或列。

    所有数都找到时退出码为 0，有数找不到或不能使用时为 1。文件夹里的 表式补充.toml 同样生效。

    示例：

        equity-xlsx forms check 青石县2025年基层表 --forms 表式补充.toml
    """
    from .intake.check import check_forms, with_mapping
    from .rulebook import load_rules

    if not target.exists():
        typer.echo(f"错误：找不到：{target}", err=True)
        raise typer.Exit(code=2)
    try:
        rules = load_rules(standard)
        if mapping is not None:
            rules = with_mapping(rules, mapping)
    except RuleError as exc:
        typer.echo(f"错误：{exc}", err=True)
        raise typer.Exit(code=2) from None
    results = check_forms(target, rules)
    if not results:
        typer.echo(f"错误：{target} 中没有工作簿", err=True)
        raise typer.Exit(code=2)
    for line in render(results):
        typer.echo(line)
    raise typer.Exit(code=0 if all(r.complete for r in results if r.kind != "county") else 1)


def render(results) -> list[str]:  # noqa: ANN001 - list[FileCheck]
    """The check as lines of Chinese text: per file, per school, per figure."""
    lines: list[str] = []
    for res in results:
        if res.kind == "county" and not res.traces:
            head = "不是基层表（县里的汇总表由 equity-xlsx run 读取，不在此检查）"
            if any(p.level == "error" for p in res.problems):
                head = "；".join(p.message for p in res.problems if p.level == "error")
            lines += [f"■ {res.file}：{head}", ""]
            continue
        about = "，".join(x for x in (res.generation, f"{res.data_year} 学年" if res.data_year else "",
                                      f"本县表式补充：{'、'.join(res.local)}" if res.local else "") if x)
        lines.append(f"■ {res.file}（{about}）")
        school = None
        for t in res.traces:
            if t.school != school:
                school = t.school
                lines.append(f"  {school}")
            lines.append("    " + _line(t))
        for p in res.problems:
            if p.level == "error" or p.code.startswith("form_"):
                where = f"{p.sheet} {p.column or ''}{p.row or ''}".strip() if p.sheet else ""
                lines.append(f"  {'错误' if p.level == 'error' else '警告'}：{where + '：' if where else ''}{p.message}")
        lines.append("")
    ok = sum(1 for r in results if r.kind != "county" and r.complete)
    total = sum(1 for r in results if r.kind != "county")
    lines.append(f"共 {total} 个基层表文件，{ok} 个所有数都已找到。")
    return lines


def _line(t) -> str:  # noqa: ANN001 - FigureTrace
    if not t.found:
        near = f"；相近的：{'、'.join(t.nearest)}" if t.nearest else ""
        where = f"{t.sheet}：" if t.sheet else ""
        return f"未找到  {t.figure}：{where}{t.reason}{near}"
    if not t.cell:
        return f"已计入  {t.figure}：{t.reason}"
    place = "“" + t.row_label + "”行" if t.row_label else ""
    if t.header:
        place += ("×" if place else "") + f"“{t.header}”列"
    unit = f" {t.unit}" if t.unit else ""
    source = f"（{t.rule}）" if t.rule and t.rule not in BUNDLED else ""  # a county's own mapping file
    return f"找到    {t.figure}：{t.sheet} {t.cell} {place} = {t.value or '（空白）'}{unit}{source}"
