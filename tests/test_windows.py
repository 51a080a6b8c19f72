"""Windows, as far as Linux can test it: every POSIX-only call in the package is guarded, the
README's 任务计划程序 and cron/systemd lines parse into the command they mean, the exit codes
the README documents are the ones the tool uses, and the lock takes its Windows branch."""

from __future__ import annotations

import ast
import os
import re
import shlex
import sys
import tomllib
from pathlib import Path, PureWindowsPath

import pytest
import typer

from equity_xlsx.cli import app
from equity_xlsx.faults import Exit

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "equity_xlsx"
README = (ROOT / "README.md").read_text(encoding="utf-8")

# Modules that exist on one family of systems only, and os / signal names POSIX alone has.
ONE_SYSTEM_MODULES = {"fcntl", "resource", "pwd", "grp", "termios", "posix", "msvcrt", "winreg", "_winapi"}
POSIX_ONLY = {
    "os": {"O_NOFOLLOW", "O_CLOEXEC", "O_NONBLOCK", "O_DIRECTORY", "killpg", "getuid", "geteuid", "getgid", "getpgid",
           "setsid", "fork", "mkfifo", "mknod", "chown", "lchown", "sysconf", "statvfs", "getloadavg", "WNOHANG",
           "setpgrp", "wait4", "nice", "sync", "O_BINARY"},
    "signal": {"SIGKILL", "SIGHUP", "SIGALRM", "SIGUSR1", "SIGUSR2", "SIGCHLD", "SIGPIPE", "SIGQUIT", "alarm",
               "setitimer", "pause", "pthread_sigmask", "SIGXFSZ"},
    "errno": {"EDQUOT"},
}
GUARD_ERRORS = {"ImportError", "ModuleNotFoundError", "AttributeError", "OSError", "ValueError", "Exception"}


def _guarded(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Inside ``try: … except ImportError/AttributeError/…``, or under an ``if`` on os.name,
    sys.platform, hasattr or a module-level flag."""
    child = node
    while child in parents:
        parent = parents[child]
        if isinstance(parent, ast.Try) and child in parent.body:
            caught = set()
            for handler in parent.handlers:
                kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                caught |= {k.id for k in kinds if isinstance(k, ast.Name)} | ({"Exception"} if handler.type is None else set())
            if caught & GUARD_ERRORS:
                return True
        if isinstance(parent, (ast.If, ast.IfExp)):
            test = ast.unparse(parent.test)
            if any(w in test for w in ("os.name", "sys.platform", "hasattr", "_NOFOLLOW", "_WINDOWS")):
                return True
        child = parent
    return False


def unguarded_calls(source: str) -> list[str]:
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names = {(node.module or "").split(".")[0]} if node.level == 0 else set()
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            names = {f"{node.value.id}.{node.attr}"} if node.attr in POSIX_ONLY.get(node.value.id, ()) else set()
        else:
            continue
        bad = {n for n in names if n in ONE_SYSTEM_MODULES or "." in n}
        if bad and not _guarded(node, parents):
            found.append(f"line {node.lineno}: {', '.join(sorted(bad))}")
    return found


def test_the_guard_finder_finds_an_unguarded_call():
    assert unguarded_calls("import fcntl\nos.killpg(1, 9)\n") == ["line 1: fcntl", "line 2: os.killpg"]
    assert unguarded_calls("try:\n    import fcntl\nexcept ImportError:\n    pass\n"
                           "if os.name != 'nt':\n    os.killpg(1, 9)\nx = getattr(os, 'O_NOFOLLOW', 0)\n") == []


@pytest.mark.parametrize("module", sorted(p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("*.py")))
def test_every_posix_only_call_in_the_package_is_guarded(module):
    assert unguarded_calls((ROOT / module).read_text(encoding="utf-8")) == []


# ---------------------------------------------------------------- the README's commands parse

def windows_argv(line: str) -> list[str]:
    """A command line split as Windows programs split it (CommandLineToArgvW): double quotes
    group, a backslash is an ordinary character unless it precedes a quote."""
    args, current, quoted, i, started = [], [], False, 0, False
    while i < len(line):
        ch = line[i]
        if ch == "\\":
            n = len(line[i:]) - len(line[i:].lstrip("\\"))
            if i + n < len(line) and line[i + n] == '"':
                current.append("\\" * (n // 2))
                if n % 2:
                    current.append('"')
                    i += n + 1
                else:
                    i += n
                started = True
                continue
            current.append("\\" * n)
            i += n
            started = True
            continue
        if ch == '"':
            quoted, started = not quoted, True
        elif ch in " \t" and not quoted:
            if started:
                args.append("".join(current))
            current, started = [], False
        else:
            current.append(ch)
            started = True
        i += 1
    if started:
        args.append("".join(current))
    return args


def parsed(argv: list[str]) -> dict:
    """The parameters ``equity-xlsx`` would run with for ``argv`` (parsed, not run)."""
    group = typer.main.get_command(app)
    name, *rest = argv
    with group.make_context("equity-xlsx", [name, "--help"], resilient_parsing=True) as ctx:
        command = group.get_command(ctx, name)
        assert command is not None, name
        return {"command": name, **command.make_context(name, rest, parent=ctx).params}


def test_the_task_scheduler_arguments_in_the_readme_parse_as_meant():
    line = re.search(r"参数填 `(run [^`]+)`", README).group(1)
    got = parsed(windows_argv(line))
    assert got["command"] == "run"
    assert [PureWindowsPath(p) for p in got["inputs"]] == [PureWindowsPath(r"D:\县表")]
    assert PureWindowsPath(got["out"]) == PureWindowsPath(r"D:\评估结果")
    assert PureWindowsPath(got["log"]) == PureWindowsPath(r"D:\评估结果\运行日志.txt")
    assert got["quiet"] is True


def test_the_task_scheduler_program_is_the_installed_command():
    program = PureWindowsPath(re.search(r"程序填 `([^`]+)`", README).group(1))
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert program.stem in scripts and program.suffix == ".exe" and program.parent.name == "Scripts"


def test_windows_argv_keeps_backslashes_and_groups_quotes():
    assert windows_argv(r'run "D:\县 表" --out D:\结果\ --quiet') == ["run", r"D:\县 表", "--out", "D:\\结果\\", "--quiet"]
    assert windows_argv(r'a "b\"c" d\\"e f"') == ["a", 'b"c', 'd\\e f']


@pytest.mark.parametrize("pattern", [r"\* \* \* cd /opt/equity-xlsx && \.venv/bin/(equity-xlsx .+)\n",
                                     r"ExecStart=/opt/equity-xlsx/\.venv/bin/(equity-xlsx .+)\n"])
def test_the_cron_and_systemd_lines_in_the_readme_parse_as_meant(pattern):
    argv = shlex.split(re.search(pattern, README).group(1))[1:]
    got = parsed(argv)
    assert (got["command"], [str(p) for p in got["inputs"]], str(got["out"]), str(got["log"]), got["quiet"]) == (
        "run", ["/data/县表"], "/data/评估结果", "/data/评估结果/运行日志.txt", True)


def test_the_exit_codes_in_the_readme_are_the_ones_the_tool_uses():
    section = README[README.index("### 夜间运行出错时"):]
    documented = {int(m) for m in re.findall(r"^\s*\| (\d+) \|", section, flags=re.MULTILINE)}
    assert documented == {int(e) for e in Exit} | {143}


# ---------------------------------------------------------------- the lock and names on Windows

def test_the_lock_takes_the_windows_branch(tmp_path, monkeypatch):
    """msvcrt stood in by a lock with the same contract (LK_NBLCK: fail at once when held)."""
    import types

    import equity_xlsx.outputs as outputs

    fcntl = pytest.importorskip("fcntl")  # the stand-in locks with it

    held: set[int] = set()

    def locking(fd: int, mode: int, nbytes: int) -> None:
        assert (mode, nbytes) == (fake.LK_NBLCK, 1) and os.lseek(fd, 0, os.SEEK_CUR) == 0
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.add(fd)

    fake = types.SimpleNamespace(LK_NBLCK=2, locking=locking)
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    monkeypatch.setattr(outputs, "_WINDOWS", True)
    monkeypatch.setattr(outputs, "_NOFOLLOW", 0)
    out = tmp_path / "结果"
    with outputs.folder_lock(out, 0):
        assert held
        with pytest.raises(outputs.FolderBusy):
            with outputs.folder_lock(out, 0):
                pass
    (out / "别处.txt").write_text("x")
    (out / outputs.LOCK_FILE).unlink()
    (out / outputs.LOCK_FILE).symlink_to(out / "别处.txt")
    with pytest.raises(outputs.UnsafeLock):
        with outputs.folder_lock(out, 0):
            pass


def test_a_clean_name_is_a_valid_windows_file_name():
    from equity_xlsx.outputs import clean_name

    for raw in ("a:b", "CON", "aux.xlsx", "名字. ", "x" * 500, "a\\b/c", "\u0000\u001f", "?*"):
        name = clean_name(raw)
        pure = PureWindowsPath(name)
        assert pure.name == name and not pure.is_reserved() and not re.search(r'[<>:"/\\|?*\x00-\x1f]', name)
        assert not name.endswith((" ", ".")) and len(name) <= 80
