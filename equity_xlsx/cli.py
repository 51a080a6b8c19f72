"""Command line: parse, call the library, print. Exit codes: faults.Exit (README, 夜间运行出错时)."""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer

from .cli_help import CONTEXT, ChineseCommand, ChineseGroup
from .faults import Exit, classify, redact, remember_secret
from .standards import DEFAULT_STANDARD, RuleError

app = typer.Typer(add_completion=False, no_args_is_help=True, cls=ChineseGroup, rich_markup_mode=None,
                  context_settings=CONTEXT,
                  help="县域义务教育优质均衡发展评估：读取各县统计表，输出评估结果工作簿。")


INTERRUPTED = ("已中断：本次运行被中止{how}。已写完的结果文件都是完整的，未处理的县保留上次的结果；"
               "下次运行会清理留下的临时文件。")


def _fail(message: str, code: int = Exit.USAGE) -> None:
    typer.echo(f"错误：{redact(message)}", err=True)
    raise typer.Exit(code=code)


class _Terminated(KeyboardInterrupt):
    """SIGTERM (systemctl stop, a scheduler ending the task), handled like Ctrl-C."""


def _on_sigterm(signum, frame) -> None:  # noqa: ANN001
    raise _Terminated()


def _install_sigterm() -> None:
    """End a SIGTERM'd run the way Ctrl-C ends it (POSIX; on Windows a no-op when refused)."""
    try:
        if hasattr(signal, "SIGTERM"):
            signal.signal(signal.SIGTERM, _on_sigterm)
    except (ValueError, OSError):  # not the main thread (tests), or not allowed here
        pass


def _open_log(log: Optional[Path]) -> Optional[Path]:
    """``--log``: a file whose folder is created if missing; a folder or an unwritable path is
    a usage error (exit 2) said in Chinese, before anything else is done."""
    if log is None:
        return None
    if log.is_dir():
        _fail(f"--log 应为一个文件，但 {log} 是一个文件夹：请写成 {log / '运行日志.txt'} 这样的文件名")
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        fault = classify(exc)
        if fault is not None:  # e.g. a read-only disk: the exit code says so (5)
            _fail(fault.problem.message, fault.exit_code)
        _fail(f"无法写入日志文件 {log}：{exc.strerror or exc}")
    return log


def _unraisable_to_log(reporter) -> None:  # noqa: ANN001
    """An exception Python can only ignore (a half-written workbook's file closed by the garbage
    collector on a full disk) goes to --log, never to the console as a traceback. Only the
    interpreter's own printing hook is replaced: a test runner's stays."""
    if sys.unraisablehook is not sys.__unraisablehook__:
        return

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        what = unraisable.exc_type.__name__ if unraisable.exc_type else "Exception"
        reporter.detail(f"{unraisable.err_msg or 'Exception ignored'}：{what}: {unraisable.exc_value}")

    sys.unraisablehook = hook


@contextmanager
def _faults_to_exit(reporter) -> Iterator[None]:  # noqa: ANN001
    """Whatever stops a command becomes one Chinese message and its exit code (faults.Exit),
    never a traceback: the technical detail goes to --log only."""
    from .inputs import UsageError
    from .outputs import FolderBusy, UnsafeLock
    from .store import StoreUnavailable

    _unraisable_to_log(reporter)

    def say(message: str, code: int) -> None:
        reporter.note(message)
        typer.echo(redact(message), err=True)
        reporter.close()
        raise typer.Exit(code=code)

    try:
        yield
    except typer.Exit:
        reporter.close()
        raise
    except _Terminated:
        say(INTERRUPTED.format(how="（收到结束信号 SIGTERM）"), 128 + getattr(signal, "SIGTERM", 15))
    except KeyboardInterrupt:
        say(INTERRUPTED.format(how="（Ctrl-C）"), Exit.INTERRUPTED)
    except (UsageError, RuleError, StoreUnavailable, UnsafeLock) as exc:
        if getattr(exc, "detail", None):
            reporter.detail(f"台账数据库：{exc.detail}")
        say(f"错误：{exc}", Exit.USAGE)
    except FolderBusy as exc:
        say(f"错误：{exc}", Exit.BUSY)
    except Exception as exc:  # noqa: BLE001 - the last guard: no traceback on the console
        fault = classify(exc)
        if fault is not None:
            reporter.detail(fault.detail)
            say(f"错误：{fault.problem.message}", fault.exit_code)
        reporter.detail(traceback.format_exc())
        where = "，技术细节已写入运行日志" if reporter.log else "（加 --log 文件 可记录技术细节）"
        say(f"错误：程序内部错误，本次运行已停止{where}。已写完的结果文件都是完整的。", Exit.INTERNAL)


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
    from .batch import run as run_batch
    from .progress import Reporter

    _install_sigterm()
    remember_secret(state)
    reporter = Reporter(0, quiet=quiet, log=_open_log(log))
    with _faults_to_exit(reporter):
        result = run_batch(list(inputs), out, standard=standard, tasks=str(tasks) if tasks else None,
                           state=state, jobs=jobs, force=force, reporter=reporter, prefer=prefer or (), wait=wait,
                           year=year)
        ok = len(result.outcomes) - result.failed
        problems = sum(len(o.errors) + len(o.warnings) for o in result.outcomes if o.ok)
        if result.fault is not None:
            typer.echo(redact(f"错误：{result.fault.problem.message}"), err=True)
        elif not quiet:
            extra = "".join([f"；数据问题 {problems} 个" if problems else "",
                             f"；未读取的文件 {len(result.not_read)} 个" if result.not_read else ""])
            typer.echo(f"完成：{len(result.outcomes)} 项，成功 {ok} 项，失败 {result.failed} 项{extra}。"
                       f"结果在 {out}{os.sep}，详见 运行报告.xlsx")
        if result.failed and result.fault is None:
            typer.echo(f"有 {result.failed} 个工作簿未能评估，详见 {out / '运行报告.xlsx'}。", err=True)
        reporter.close()
        raise typer.Exit(code=result.exit_code)


@app.command(cls=ChineseCommand)
def rollup(
    state: str = typer.Option(..., "--state", help="台账库：SQLite 文件路径或数据库 URL（各县运行时用的 --state）"),
    out: Path = typer.Option(..., "--out", "-o", help="市级汇总文件（.xlsx），简报写在同一文件夹"),
    standard: str = typer.Option(DEFAULT_STANDARD, "--standard", "-s", help="标准名称或标准文件路径"),
    log: Optional[Path] = typer.Option(None, "--log", help="把运行记录追加写入此文件"),
) -> None:
    """只用台账库（各县最近一次运行的结果）生成市级汇总.xlsx 和 市级简报.html，不重新读取各县文件。

    示例：

        equity-xlsx rollup --state 结果/equity-ledger.sqlite --out 市级汇总.xlsx
    """
    from .city_outputs import outcomes_from_store, write_city_outputs
    from .outputs import CITY_BRIEF, set_aside_stale
    from .problems import TITLES
    from .progress import Reporter
    from .rulebook import load_rules
    from .store import DEFAULT_FILENAME, LedgerStore, StoreUnavailable, sqlite_trouble

    _install_sigterm()
    remember_secret(state)
    reporter = Reporter(0, quiet=True, log=_open_log(log))
    if out.suffix.lower() != ".xlsx":
        _fail("市级汇总文件名须以 .xlsx 结尾")
    if out.is_dir():
        _fail(f"--out 应为市级汇总文件（.xlsx），但 {out} 是一个文件夹")
    with _faults_to_exit(reporter):
        rules = load_rules(standard)
        if "://" not in state:
            path = Path(state) / DEFAULT_FILENAME if Path(state).is_dir() else Path(state)
            if not path.is_file():
                _fail(f"找不到台账库：{state}")
            if sqlite_trouble(path):
                _fail(f"台账库 {path} 已损坏，无法生成市级汇总：请先运行一次 equity-xlsx run（会自动更换并重建台账库）")
        started = time.time()
        try:
            with LedgerStore(state) as store:
                outcomes = outcomes_from_store(store)
                if not outcomes:
                    _fail(f"台账库 {store.url} 中没有任何县的运行结果：请先运行 equity-xlsx run")
                out.parent.mkdir(parents=True, exist_ok=True)
                written = write_city_outputs(out.parent, outcomes, rules, store, rollup_name=out.name)
        except (typer.Exit, StoreUnavailable):
            raise
        except BaseException as exc:
            if out.parent.is_dir():
                fault = classify(exc) if isinstance(exc, Exception) else None
                why = TITLES[fault.problem.code] if fault else "运行被中止或出错"
                for notice in set_aside_stale(out.parent, why, (out.name, CITY_BRIEF), since=started):
                    reporter.note(notice.message)
                    typer.echo(f"注意：{notice.message}", err=True)
            raise
        message = f"已生成：{out}（{len(outcomes)} 个县），{out.parent / written['brief']}"
        reporter.note(message)
        typer.echo(message)
    reporter.close()


@app.command(cls=ChineseCommand)
def template(out: Path = typer.Option(..., "--out", "-o", help="模板文件路径（.xlsx）")) -> None:
    """生成空白的数据采集模板，供各县填报。

    示例：

        equity-xlsx template --out 采集模板.xlsx
    """
    from .progress import Reporter
    from .template import write_template

    if out.suffix.lower() != ".xlsx":
        _fail("模板文件名须以 .xlsx 结尾")
    with _faults_to_exit(Reporter(0, quiet=True)):
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


from .cli_forms import forms_app  # noqa: E402 - the forms commands join the app defined above

app.add_typer(forms_app, name="forms")


def main() -> None:  # pragma: no cover - console entry (python -m equity_xlsx.cli)
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(Exit.INTERRUPTED)


if __name__ == "__main__":  # pragma: no cover
    main()
