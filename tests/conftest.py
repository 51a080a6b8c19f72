"""Small generic fixtures: workbooks written with openpyxl inside a test, LibreOffice conversion."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest


@pytest.fixture
def write_xlsx(tmp_path):
    """write_xlsx({"sheet": [[row], ...]}, merges={"sheet": ["A3:A4"]}, hidden=["sheet"]) -> Path.

    ``None`` in a row leaves the cell empty; merged ranges keep only their first cell's value,
    as Excel does.
    """

    def write(sheets: dict[str, list[list]], name: str = "大祥区.xlsx", merges: dict[str, list[str]] | None = None,
              hidden: tuple[str, ...] | list[str] = ()) -> Path:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for title, rows in sheets.items():
            ws = wb.create_sheet(title)
            for row in rows:
                ws.append(row)
            for rng in (merges or {}).get(title, []):
                ws.merge_cells(rng)
            if title in hidden:
                ws.sheet_state = "hidden"
        path = tmp_path / name
        wb.save(path)
        return path

    return write


@pytest.fixture
def soffice_convert(tmp_path):
    """soffice_convert(path, "xls" | "ods" | "xlsx") -> converted Path; skips without LibreOffice."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        pytest.skip("LibreOffice (soffice) not installed")

    def convert(path: Path, fmt: str) -> Path:
        out = tmp_path / f"converted_{fmt}"
        out.mkdir(exist_ok=True)
        profile = tmp_path / "lo_profile"
        subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                        "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=180)
        result = out / f"{path.stem}.{fmt}"
        assert result.exists(), f"LibreOffice did not write {result}"
        return result

    return convert
