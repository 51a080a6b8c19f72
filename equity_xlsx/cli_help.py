"""The command line's help and usage errors, entirely in Chinese and never cut off.

Typer's own help is English scaffolding (Usage, Options, [required], "Show this message and
exit.") in boxes that truncate long option texts with "…". ``ChineseGroup`` and
``ChineseCommand`` write plain wrapped text instead, from the same option declarations, and
turn usage errors (a missing --out, an unknown option) into Chinese messages with exit code 2.
"""

from __future__ import annotations

import inspect
import re
import sys
import typing
from pathlib import Path
from typing import Any

from typer import echo
from typer._click import exceptions as cx
from typer.exceptions import Abort
from typer._click.formatting import HelpFormatter
from typer.core import TyperCommand, TyperGroup

from .report.formats import text_width

HELP_OPTION = ("-h, --help", "显示本帮助并退出")
TYPE_WORDS = {Path: "路径", str: "文本", int: "整数", float: "数字"}
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _base_type(param: Any) -> Any:
    """The Python type a parameter takes (``list[Path]`` -> ``Path``)."""
    annotation = param.type_descriptor.annotation
    return typing.get_args(annotation)[0] if typing.get_origin(annotation) is list else annotation


def _metavar(param: Any) -> str:
    base = _base_type(param)
    if base is bool:
        return ""
    word = TYPE_WORDS.get(base, "值")
    return f"{word}…" if typing.get_origin(param.type_descriptor.annotation) is list else word


def _param_name(param: Any) -> str:
    """How a parameter is named to a person: "--out/-o", or an argument's Chinese word."""
    if param.param_type_name == "argument":
        return (param.metavar or param.name).strip(".").upper() if param.metavar else "输入"
    return "/".join(sorted(param.opts, key=len, reverse=True))


def _option_row(param: Any) -> tuple[str, str]:
    opts = ", ".join(sorted(param.opts, key=len))
    left = f"{opts} {_metavar(param)}".rstrip()
    notes = []
    if param.required:
        notes.append("必填")
    default = param.default
    if not param.required and default not in (None, False, (), []):
        notes.append(f"默认：{default}")
    if typing.get_origin(param.type_descriptor.annotation) is list:
        notes.append("可多次指定")
    help_text = (param.help or "") + (f"（{'；'.join(notes)}）" if notes else "")
    return left, help_text


def _help_text(command: Any) -> str:
    """The docstring as shown: "Example:" in code becomes 示例."""
    text = inspect.cleandoc(command.help or "").partition("\f")[0]
    return text.replace("Example:", "示例：")


def _write_usage(formatter: HelpFormatter, ctx: Any, pieces: str) -> None:
    formatter.write(f"用法：{ctx.command_path} {pieces}".rstrip() + "\n")


def _wrap(text: str, width: int) -> list[str]:
    """``text`` cut into lines of at most ``width`` display columns (a CJK character is 2),
    between CJK characters or at the end of a Latin word (file names are not cut)."""
    lines, line, used = [], "", 0
    for token in re.findall(r"[\x21-\x7e]+|.", text):
        w = text_width(token)
        if used + w > width and line.strip():
            lines.append(line.rstrip())
            line, used = "", 0
        line += token
        used += w
    return lines + [line] if line or not lines else lines


def _section(formatter: HelpFormatter, heading: str, rows: list[tuple[str, str]]) -> None:
    """A heading and a two-column list, aligned by display width and wrapped, never cut off."""
    formatter.write(f"\n{heading}：\n")
    first = min(max((text_width(a) for a, _ in rows), default=0), 24) + 2
    width = max((formatter.width or 80) - first - 2, 20)
    for left, right in rows:
        lines = _wrap(right, width)
        pad = first - text_width(left)
        if pad < 2:  # a long name: its text starts on the next line
            formatter.write(f"  {left}\n")
            pad, lines = first, lines
            formatter.write(f"  {' ' * first}{lines[0]}\n")
        else:
            formatter.write(f"  {left}{' ' * pad}{lines[0]}\n")
        for more in lines[1:]:
            formatter.write(f"  {' ' * first}{more}\n")


class ChineseCommand(TyperCommand):
    """A command whose help is Chinese plain text: usage, description, 参数, 选项."""

    def format_help(self, ctx: Any, formatter: HelpFormatter) -> None:
        arguments = [p for p in self.params if p.param_type_name == "argument"]
        options = [p for p in self.params if p.param_type_name == "option"]
        usage = " ".join(["[选项]"] + [f"{_param_name(a)}…" if a.nargs == -1 else _param_name(a) for a in arguments])
        _write_usage(formatter, ctx, usage)
        text = _help_text(self)
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)
        if arguments:
            _section(formatter, "参数", [(f"{_param_name(a)}…" if a.nargs == -1 else _param_name(a),
                                          (a.help or "") + ("（必填）" if a.required else "")) for a in arguments])
        _section(formatter, "选项", [_option_row(o) for o in options] + [HELP_OPTION])


class ChineseGroup(TyperGroup):
    """The top command: Chinese help listing the commands with their whole first line, and
    Chinese usage errors (exit code 2) for every command under it."""

    def format_help(self, ctx: Any, formatter: HelpFormatter) -> None:
        _write_usage(formatter, ctx, "命令 [选项] …")
        text = _help_text(self)
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            rows.append((name, _help_text(cmd).splitlines()[0] if cmd is not None and cmd.help else ""))
        _section(formatter, "命令", rows)
        _section(formatter, "选项", [HELP_OPTION])
        formatter.write(f"\n每个命令的用法：{ctx.command_path} 命令 --help\n")

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except cx.NoArgsIsHelpError as exc:
            echo(exc.ctx.get_help())
            sys.exit(0)
        except cx.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx is not None else "equity-xlsx"
            echo(f"错误：{chinese_usage_error(exc)}\n用法说明：{command} --help", err=True)
            sys.exit(2)
        except cx.ClickException as exc:
            echo(f"错误：{exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except Abort as exc:
            if isinstance(exc.__cause__, KeyboardInterrupt):  # Ctrl-C before a command took over
                echo("已中断（Ctrl-C），没有改动任何文件。", err=True)
                sys.exit(130)
            echo("已中止。", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def chinese_usage_error(exc: cx.UsageError) -> str:
    """A usage error in Chinese, naming the option or argument concerned."""
    param = getattr(exc, "param", None)
    if isinstance(exc, cx.MissingParameter):
        return f"缺少必填的 {_param_name(param) if param is not None else '参数'}"
    if isinstance(exc, cx.NoSuchOption):
        guess = f"（是不是 {'、'.join(exc.possibilities)}？）" if getattr(exc, "possibilities", None) else ""
        return f"没有这个选项：{exc.option_name}{guess}"
    if isinstance(exc, cx.BadOptionUsage):
        return f"选项 {exc.option_name} 用法不对：后面需要一个值"
    if isinstance(exc, cx.BadParameter):
        if param is None:
            return f"参数的值无效（{exc.message}）"
        info = param.type_descriptor.parameter_info
        bounds = [f"不小于 {info.min}" if getattr(info, "min", None) is not None else "",
                  f"不大于 {info.max}" if getattr(info, "max", None) is not None else ""]
        expected = TYPE_WORDS.get(_base_type(param), "")
        bound = "、".join(b for b in bounds if b)
        return f"{_param_name(param)} 的值无效，应为{bound + ' 的' if bound else ''}{expected or '有效的值'}"
    extra = re.match(r"Got unexpected extra arguments? \((.*)\)", exc.message or "")
    if extra:
        return f"多余的参数：{extra.group(1)}"
    return f"命令用法不对（{exc.message}）"
