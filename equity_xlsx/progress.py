"""What a run tells the person (or the cron log) watching it.

A rich progress bar on a terminal; plain timestamped lines otherwise (cron, Task
Scheduler), also appended to ``--log FILE``. ``--quiet`` keeps only errors.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .faults import redact
from .problems import count_codes, describe_counts

if TYPE_CHECKING:
    from .outcome import CountyOutcome


def one_line(text: str) -> str:
    """``text`` with its line breaks and other control characters shown, not obeyed."""
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in str(text))


def inputs_label(names: list[str]) -> str:
    """The inputs of one county for a progress line: a folder of many workbooks in a few words."""
    if len(names) <= 2:
        return "、".join(names)
    folders: dict[str, int] = {}
    for n in names:
        folder = Path(n).parent.as_posix()
        folders[folder] = folders.get(folder, 0) + 1
    return "、".join(f"{folder}/（{k} 个文件）" if folder != "." else f"{k} 个文件" for folder, k in folders.items())


def outcome_line(outcome: CountyOutcome) -> tuple[str, str]:
    """A county's result as a progress line: (what it is, what became of it)."""
    problems = len(outcome.errors) + len(outcome.warnings)
    if not outcome.ok:
        text = f"失败：{outcome.errors[0].message if outcome.errors else ''}"
    elif outcome.skipped:
        text = "未变化，跳过" + (f"（{problems} 个数据问题）" if problems else "")
    elif problems:
        counts = describe_counts(count_codes([*outcome.errors, *outcome.warnings]))
        text = f"完成（{problems} 个数据问题：{counts}）→ {outcome.output}"
    else:
        text = f"完成 → {outcome.output}"
    label = inputs_label(outcome.inputs or [outcome.input])
    if outcome.county and outcome.county not in label:  # an export serves several counties
        label = f"{outcome.county}（{label}）"
    return label, text


class Reporter:
    """Progress of a run. ``total`` is how many results the run will report (one per county,
    or per input that could not be filed under a county); ``advance`` counts them, so the
    counter ends at [N/N] and agrees with the closing "完成：N 项"."""

    def __init__(self, total: int, *, quiet: bool = False, log: Path | None = None,
                 stream: TextIO | None = None, force_plain: bool = False):
        self.total = total
        self.done = 0
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.log = log.open("a", encoding="utf-8") if log else None
        self._progress = None
        self._task = None
        self._plain = force_plain
        self._start_bar()

    def _start_bar(self) -> None:
        interactive = getattr(self.stream, "isatty", lambda: False)()
        if self._progress is None and interactive and not self.quiet and not self._plain and self.total > 0:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(TextColumn("[bold]评估中"), BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), TextColumn("{task.description}"),
                                      console=Console(file=self.stream), transient=False)
            self._progress.start()
            self._task = self._progress.add_task("", total=self.total)

    def set_total(self, total: int) -> None:
        """How many results the run will report, once the inputs are filed under counties."""
        self.total = total
        if self._progress is not None:
            self._progress.update(self._task, total=total)
        else:
            self._start_bar()

    def _line(self, text: str, *, important: bool = False, log_only: bool = False) -> None:
        # One entry is one line of the log: a file name with a line break cannot forge another.
        # No password reaches the console or the log, whatever quoted it.
        text = redact(one_line(text))
        stamped = f"{datetime.now():%Y-%m-%d %H:%M:%S} {text}"
        if self.log:
            try:
                self.log.write(stamped + "\n")
                self.log.flush()
            except OSError as exc:  # a full disk must not stop the run for want of a log line
                self._lose_log(exc)
        if log_only:
            return
        if self._progress is not None:
            if important or not self.quiet:
                self._progress.console.print(text)
        elif important or not self.quiet:
            print(stamped, file=self.stream, flush=True)

    def info(self, text: str) -> None:
        self._line(text)

    def error(self, text: str) -> None:
        self._line(text, important=True)

    def note(self, text: str) -> None:
        """A line for the log file only (the console has it already, in other words)."""
        self._line(text, log_only=True)

    def detail(self, text: str) -> None:
        """Technical detail (an exception, a driver's message) for the log file only."""
        self._line(f"详情：{text}", log_only=True)

    def advance(self, name: str, outcome: str, *, failed: bool = False, notable: bool = False) -> None:
        """One result done (a county, or an input that could not be filed). Failed and
        ``notable`` (data problems) lines are printed even with ``--quiet``."""
        self.done += 1
        text = f"[{self.done}/{max(self.total, self.done)}] {name}：{outcome}"
        if self._progress is not None:
            self._progress.update(self._task, advance=1, description=name)
        self._line(text, important=failed or notable)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
        if self.log:
            try:
                self.log.close()
            except OSError:
                pass
            self.log = None

    def _lose_log(self, exc: OSError) -> None:
        """Stop writing the log (said once on the console): the run goes on without it."""
        log, self.log = self.log, None
        try:
            log.close()
        except OSError:
            pass
        print(f"{datetime.now():%Y-%m-%d %H:%M:%S} 注意：日志文件 {log.name} 无法继续写入（{exc.strerror or exc}），"
              "之后的记录只显示在这里", file=self.stream, flush=True)
