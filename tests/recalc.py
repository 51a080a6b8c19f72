"""Recalculate a workbook in LibreOffice headless and compare formula results.

Used by the LibreOffice checks (``@pytest.mark.libreoffice``). Import with
``from recalc import ...`` (pytest puts ``tests/`` on sys.path).

How it works: LibreOffice runs with a fresh user profile whose settings say "always
recalculate on load" for Excel and ODF files, converts the workbook to .xlsx, and the
converted file's cached values are LibreOffice's own results. ``poison`` lets a test
write a deliberately wrong cached value into one formula cell first, to prove the
recalculation really happened.
"""

from __future__ import annotations

import functools
import math
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def recalculate(path: Path, out_dir: Path, timeout: float = 180) -> Path:
    """Open ``path`` in LibreOffice headless (always recalculating), save as .xlsx in ``out_dir``.

    Returns the recalculated copy (``<stem>_recalc.xlsx``); the input is not touched.
    """
    return recalculate_many([path], out_dir, timeout)[0]


def recalculate_many(paths: list[Path], out_dir: Path, timeout: float = 300) -> list[Path]:
    """``recalculate`` for several workbooks with one LibreOffice start (a start costs ~1 s)."""
    if SOFFICE is None:
        raise RuntimeError("soffice not found")
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="lo_profile_"))
    src_dir = Path(tempfile.mkdtemp(prefix="lo_src_"))
    try:
        (profile / "user").mkdir()
        (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_ALWAYS, encoding="utf-8")
        # Convert copies under plain names in their own folder, so an output cannot overwrite
        # an input and non-ASCII names never meet the command line.
        sources = []
        for i, path in enumerate(paths):
            src = src_dir / f"in{i}{path.suffix}"
            shutil.copyfile(path, src)
            sources.append(src)
        env = {**os.environ, "HOME": str(profile)}
        proc = subprocess.run(
            [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
             "--calc", "--convert-to", "xlsx", "--outdir", str(out_dir), *map(str, sources)],
            capture_output=True, text=True, timeout=timeout, env=env)
        results = []
        for i, path in enumerate(paths):
            out = out_dir / f"in{i}.xlsx"
            if proc.returncode != 0 or not out.exists():
                raise RuntimeError(f"LibreOffice conversion failed for {path}: {proc.stdout}\n{proc.stderr}")
            final = out_dir / f"{path.stem}_recalc.xlsx"
            out.replace(final)
            results.append(final)
        return results
    finally:
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(src_dir, ignore_errors=True)


def _sheet_part(zf: zipfile.ZipFile, sheet: str) -> str:
    wb = zf.read("xl/workbook.xml").decode("utf-8")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    m = re.search(r'<sheet [^>]*name="%s"[^>]*r:id="([^"]+)"' % re.escape(escape(sheet)), wb)
    if not m:
        raise KeyError(sheet)
    t = re.search(r'<Relationship [^>]*Id="%s"[^>]*Target="([^"]+)"' % m.group(1), rels) or \
        re.search(r'<Relationship [^>]*Target="([^"]+)"[^>]*Id="%s"' % m.group(1), rels)
    target = t.group(1).lstrip("/")
    return target if target.startswith("xl/") else "xl/" + target


def poison(path: Path, sheet: str, cell: str, value: float) -> None:
    """Replace the cached value of formula cell ``sheet!cell`` with a wrong number, in place."""
    with zipfile.ZipFile(path) as zf:
        part = _sheet_part(zf, sheet)
        items = {n: zf.read(n) for n in zf.namelist()}
    xml = items[part].decode("utf-8")
    pattern = re.compile(r'<c r="%s"([^>]*)>(<f>.*?</f>)<v>.*?</v></c>' % cell)

    def repl(m: re.Match) -> str:
        attrs = m.group(1).replace(' t="str"', "")  # now a number
        return f'<c r="{cell}"{attrs}>{m.group(2)}<v>{value!r}</v></c>'

    new, count = pattern.subn(repl, xml)
    if count != 1:
        raise ValueError(f"formula cell {sheet}!{cell} not found")
    items[part] = new.encode("utf-8")
    _rezip(path, items)


def set_input(path: Path, sheet: str, cell: str, value: float) -> None:
    """Overwrite input cell ``sheet!cell`` with a number, in place (as a user correcting it)."""
    with zipfile.ZipFile(path) as zf:
        part = _sheet_part(zf, sheet)
        items = {n: zf.read(n) for n in zf.namelist()}
    xml = items[part].decode("utf-8")
    pattern = re.compile(r'<c r="%s"( s="\d+")?[^>]*?(?:/>|>.*?</c>)' % cell)
    new, count = pattern.subn(lambda m: f'<c r="{cell}"{m.group(1) or ""}><v>{value!r}</v></c>', xml)
    if count != 1:
        raise ValueError(f"cell {sheet}!{cell} not found")
    items[part] = new.encode("utf-8")
    _rezip(path, items)


def _rezip(path: Path, items: dict[str, bytes]) -> None:
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in items.items():
            zf.writestr(name, data)
    tmp.replace(path)


@functools.lru_cache(maxsize=16)
def _cells(path: Path, version: tuple[int, int, int, int], data_only: bool) -> tuple[list[str], dict]:
    """(sheet names, {(sheet, cell): (value, data_type)} of every cell that holds something),
    read once per version of the file. Read-only mode streams each sheet: a fifth of the time
    of a full load, which also parses charts, images and styles these checks never look at."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    try:
        return wb.sheetnames, {(ws.title, c.coordinate): (c.value, c.data_type)
                               for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    finally:
        wb.close()


def _read(path: Path, data_only: bool) -> tuple[list[str], dict]:
    stat = Path(path).stat()
    version = (stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
    return _cells(Path(path).resolve(), version, data_only)


def formula_cells(path: Path) -> dict[tuple[str, str], str]:
    """{(sheet, cell): formula} for every formula cell of the workbook."""
    return {key: str(value) for key, (value, data_type) in _read(path, False)[1].items()
            if data_type == "f" or (isinstance(value, str) and value.startswith("="))}


def cached_values(path: Path, cells) -> dict[tuple[str, str], object]:
    """{(sheet, cell): the value cached in the file} for ``cells`` (None where a cell is empty;
    KeyError for a sheet the file does not have)."""
    sheets, values = _read(path, True)
    out = {}
    for sheet, cell in cells:
        if sheet not in sheets:
            raise KeyError(f"Worksheet {sheet} does not exist.")
        out[(sheet, cell)] = values.get((sheet, cell), (None, "n"))[0]
    return out


def same(a: object, b: object, rel: float = 1e-9, abs_tol: float = 1e-9) -> bool:
    """Numbers equal to ``rel`` relative (or ``abs_tol`` near zero); text equal; "" ≡ None."""
    if a in ("", None) and b in ("", None):
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)
    return a == b


def compare_recalculated(original: Path, recalculated: Path, skip=()) -> list[str]:
    """Every formula cell's LibreOffice result against the value cached in ``original``.

    Returns a list of mismatch descriptions (empty when all agree).
    """
    cells = formula_cells(original)
    want = cached_values(original, cells)
    got = cached_values(recalculated, cells)
    bad = []
    for key, formula in cells.items():
        if key in skip:
            continue
        if not same(want[key], got[key]):
            bad.append(f"{key[0]}!{key[1]} {formula}: Python {want[key]!r}, LibreOffice {got[key]!r}")
    return bad
