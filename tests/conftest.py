"""Small generic fixtures: workbooks written with openpyxl inside a test, LibreOffice conversion."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import openpyxl
import pytest


@pytest.fixture(autouse=True)
def _run_in_tmp_path(tmp_path, monkeypatch):
    """Every test runs with its tmp_path as the working directory: a file written under a
    relative name by mistake lands there, never in the repository."""
    monkeypatch.chdir(tmp_path)


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


PG_URL = os.environ.get("EQUITY_TEST_PG_URL")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request, tmp_path):
    """(store, county): a fresh ledger store and a county name no other test uses.

    SQLite under a folder with Chinese characters and spaces, always; the CI PostgreSQL when
    EQUITY_TEST_PG_URL names one. Tests share that database: the unique county keeps them apart.
    """
    from equity_xlsx.store import LedgerStore

    if request.param == "postgres":
        if not PG_URL:
            pytest.skip("EQUITY_TEST_PG_URL not set: no PostgreSQL server to test against")
        store = LedgerStore(PG_URL)
    else:
        store = LedgerStore(tmp_path / "大祥区 输出" / "equity-ledger.sqlite")
    county = f"大祥区 {uuid.uuid4().hex[:8]}"
    yield store, county
    store.delete_county(county)
    store.close()
