"""Command line: parse, call the library, print. Exit codes: 0 ok, 1 some workbooks failed, 2 usage."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from .standards import DEFAULT_STANDARD, RuleError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="县域义务教育优质均衡发展评估：读取各县统计表，输出评估结果工作簿。")


def _fail(message: str) -> None:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(code=2)


@app.command()
def run(
    inputs: list[Path] = typer.Argument(..., help="县统计表文件或文件夹（可多个）", show_default=False),
    out: Path = typer.Option(..., "--out", "-o", help="输出文件夹"),
    standard: str = typer.Option(DEFAULT_STANDARD, "--standard", "-s", help="标准名称或标准文件路径"),
    tasks: Optional[Path] = typer.Option(None, "--tasks", help="本县的任务清单文件（TOML），默认用大祥区清单"),
    state: Optional[str] = typer.Option(None, "--state", help="台账库：SQLite 文件路径或数据库 URL，默认 输出文件夹/equity-ledger.sqlite"),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="并行进程数，默认等于 CPU 数"),
    force: bool = typer.Option(False, "--force", help="即使输入未变化也重新评估"),
    log: Optional[Path] = typer.Option(None, "--log", help="把运行记录追加写入此文件"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="只输出错误"),
) -> None:
    """评估每个县的工作簿，输出 X_评估结果.xlsx、summary.json 和 运行报告.xlsx。

    Example:

        equity-xlsx run sample_inputs --out out
    """
    from .batch import UsageError, run as run_batch
    from .progress import Reporter

    reporter = Reporter(0, quiet=quiet, log=log)
    try:
        result = run_batch(list(inputs), out, standard=standard, tasks=str(tasks) if tasks else None,
                           state=state, jobs=jobs, force=force, reporter=reporter)
    except (UsageError, RuleError) as exc:
        reporter.close()
        _fail(str(exc))
    reporter.close()
    ok = len(result.entries) - result.failed
    if not quiet:
        typer.echo(f"完成：{len(result.entries)} 个工作簿，成功 {ok} 个，失败 {result.failed} 个。结果在 {out}{os.sep}")
    if result.failed:
        typer.echo(f"有 {result.failed} 个工作簿未能评估，详见 {out / '运行报告.xlsx'}。", err=True)
    raise typer.Exit(code=result.exit_code)


@app.command()
def template(out: Path = typer.Option(..., "--out", "-o", help="模板文件路径（.xlsx）")) -> None:
    """生成空白的数据采集模板，供各县填报。

    Example:

        equity-xlsx template --out 采集模板.xlsx
    """
    from .template import write_template

    if out.suffix.lower() != ".xlsx":
        _fail("模板文件名须以 .xlsx 结尾")
    out.parent.mkdir(parents=True, exist_ok=True)
    write_template(out)
    typer.echo(f"已生成采集模板：{out}")


@app.command()
def standards() -> None:
    """列出内置的评估标准及各自的设定。

    Example:

        equity-xlsx standards
    """
    from .standards import bundled_standards, load_standard

    for name in bundled_standards():
        std = load_standard(name)
        typer.echo(f"■ {std.name}：{std.title}")
        if std.description:
            typer.echo(f"  {std.description}")
        typer.echo(f"  学校达标：7 项中至少 {std.min_met} 项达标，其余不低于标准的 {std.floor_ratio:.0%}")
        typer.echo(f"  差异系数限值：小学 ≤ {std.cv_limit['primary']:.2f}，初中 ≤ {std.cv_limit['junior']:.2f}")
        for ind in std.indicators:
            typer.echo(f"  {ind.id}. {ind.name}：小学 {ind.standard['primary']:g}，初中 {ind.standard['junior']:g}（{ind.unit}）")
        sc = std.scope
        typer.echo(f"  口径：{'含' if sc.get('include_private', True) else '不含'}民办学校；"
                   f"排除 {sc.get('teaching_point_min_students', 0)} 人以下教学点")
        ck = std.checks
        if "training_funds_share" in ck:
            typer.echo(f"  教师培训经费不低于公用经费的 {ck['training_funds_share']:.0%}")
        if "public_funds_per_student" in ck:
            pf = ck["public_funds_per_student"]
            typer.echo(f"  生均公用经费：小学 {pf['primary']} 元，初中 {pf['junior']} 元")
        typer.echo(f"  文件：{std.path}")
        typer.echo("")


def main() -> None:  # pragma: no cover - console entry
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
