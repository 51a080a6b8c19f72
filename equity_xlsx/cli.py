"""Command line: parse, call the library, print. Exit codes: 0 ok, 1 some counties failed, 2 usage, 3 busy."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from .cli_help import CONTEXT, ChineseCommand, ChineseGroup
from .standards import DEFAULT_STANDARD, RuleError

app = typer.Typer(add_completion=False, no_args_is_help=True, cls=ChineseGroup, rich_markup_mode=None,
                  context_settings=CONTEXT,
                  help="县域义务教育优质均衡发展评估：读取各县统计表，输出评估结果工作簿。")


# Exit codes: 0 all counties done; 1 some failed (see 运行报告); 2 a usage error (nothing was
# read); 3 another run holds the output folder (nothing was touched).
EXIT_BUSY = 3


def _fail(message: str) -> None:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(code=2)


@app.command(cls=ChineseCommand)
def run(
    inputs: list[Path] = typer.Argument(..., help="县统计表文件或文件夹（可多个）", show_default=False),
    out: Path = typer.Option(..., "--out", "-o", help="输出文件夹"),
    standard: str = typer.Option(DEFAULT_STANDARD, "--standard", "-s", help="标准名称或标准文件路径"),
    tasks: Optional[str] = typer.Option(None, "--tasks", help="任务清单：内置清单名（national 通用版、daxiang 大祥区）或本县的清单文件（TOML），默认 national"),
    state: Optional[str] = typer.Option(None, "--state", help="台账库：SQLite 文件路径或数据库 URL，默认 输出文件夹/equity-ledger.sqlite"),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="并行进程数，默认等于 CPU 数"),
    force: bool = typer.Option(False, "--force", help="即使输入未变化也重新评估"),
    log: Optional[Path] = typer.Option(None, "--log", help="把运行记录追加写入此文件"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="只输出失败和有数据问题的文件"),
    wait: float = typer.Option(600, "--wait", min=0, help="输出文件夹正被另一次运行使用时，最多等待的秒数（超时后不运行，退出码 3）"),
    prefer: Optional[list[str]] = typer.Option(None, "--prefer", help="几个文件是同一个县的数据时，使用这一个（文件名）"),
    year: Optional[int] = typer.Option(None, "--year", min=2000, max=2100,
                                       help="数据所属年度（用于趋势），默认取标题或文件名中的年份，再无则取今年"),
) -> None:
    """评估每个县的工作簿，输出 X_评估结果.xlsx、summary.json 和 运行报告.xlsx。

    示例：

        equity-xlsx run sample_inputs --out out
    """
    from .batch import UsageError, run as run_batch
    from .files import FolderBusy
    from .progress import Reporter

    reporter = Reporter(0, quiet=quiet, log=log)
    try:
        result = run_batch(list(inputs), out, standard=standard, tasks=str(tasks) if tasks else None,
                           state=state, jobs=jobs, force=force, reporter=reporter, prefer=prefer or (), wait=wait,
                           year=year)
    except (UsageError, RuleError) as exc:
        reporter.close()
        _fail(str(exc))
    except FolderBusy as exc:
        reporter.error(str(exc))
        reporter.close()
        typer.echo(f"错误：{exc}", err=True)
        raise typer.Exit(code=EXIT_BUSY) from None
    reporter.close()
    ok = len(result.outcomes) - result.failed
    problems = sum(len(o.errors) + len(o.warnings) for o in result.outcomes if o.ok)
    if not quiet:
        extra = "".join([f"；数据问题 {problems} 个" if problems else "",
                         f"；未读取的文件 {len(result.not_read)} 个" if result.not_read else ""])
        typer.echo(f"完成：{len(result.outcomes)} 项，成功 {ok} 项，失败 {result.failed} 项{extra}。"
                   f"结果在 {out}{os.sep}，详见 运行报告.xlsx")
    if result.failed:
        typer.echo(f"有 {result.failed} 个工作簿未能评估，详见 {out / '运行报告.xlsx'}。", err=True)
    raise typer.Exit(code=result.exit_code)


@app.command(cls=ChineseCommand)
def rollup(
    state: str = typer.Option(..., "--state", help="台账库：SQLite 文件路径或数据库 URL（各县运行时用的 --state）"),
    out: Path = typer.Option(..., "--out", "-o", help="市级汇总文件（.xlsx），简报写在同一文件夹"),
    standard: str = typer.Option(DEFAULT_STANDARD, "--standard", "-s", help="标准名称或标准文件路径"),
) -> None:
    """只用台账库（各县最近一次运行的结果）生成市级汇总.xlsx 和 市级简报.html，不重新读取各县文件。

    示例：

        equity-xlsx rollup --state 结果/equity-ledger.sqlite --out 市级汇总.xlsx
    """
    from .city import entries_from_store, write_city
    from .rulebook import load_rules
    from .store import LedgerStore, StoreUnavailable

    if out.suffix.lower() != ".xlsx":
        _fail("市级汇总文件名须以 .xlsx 结尾")
    try:
        rules = load_rules(standard)
    except RuleError as exc:
        _fail(str(exc))
    if "://" not in state and not Path(state).exists():
        _fail(f"找不到台账库：{state}")
    try:
        with LedgerStore(state) as store:
            entries = entries_from_store(store)
            if not entries:
                _fail(f"台账库 {state} 中没有任何县的运行结果：请先运行 equity-xlsx run")
            out.parent.mkdir(parents=True, exist_ok=True)
            written = write_city(out.parent, entries, rules, store, rollup_name=out.name)
    except StoreUnavailable as exc:
        _fail(str(exc))
    typer.echo(f"已生成：{out}（{len(entries)} 个县），{out.parent / written['brief']}")


@app.command(cls=ChineseCommand)
def template(out: Path = typer.Option(..., "--out", "-o", help="模板文件路径（.xlsx）")) -> None:
    """生成空白的数据采集模板，供各县填报。

    示例：

        equity-xlsx template --out 采集模板.xlsx
    """
    from .template import write_template

    if out.suffix.lower() != ".xlsx":
        _fail("模板文件名须以 .xlsx 结尾")
    out.parent.mkdir(parents=True, exist_ok=True)
    write_template(out)
    typer.echo(f"已生成采集模板：{out}")


@app.command(cls=ChineseCommand)
def standards() -> None:
    """列出内置的评估标准及各自的设定。

    示例：

        equity-xlsx standards
    """
    from .settings_text import standard_lines
    from .standards import bundled_standards, load_aliases, load_standard

    aliases = load_aliases()
    for name in bundled_standards():
        for line in standard_lines(load_standard(name), aliases):
            typer.echo(line)
        typer.echo("")


def main() -> None:  # pragma: no cover - console entry
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
