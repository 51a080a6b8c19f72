"""Shared fixtures: workbooks written with openpyxl inside a test, LibreOffice conversion, the
ledger store on each backend, and the one run of the whole sample set every test of the sample
outputs reads.

Markers say what a test needs beyond Python (pyproject.toml lists them); `make test-fast` leaves
those tests out. A test that starts LibreOffice, Chromium or a whole run without its marker fails
(`_declared`), so the split stays declared rather than guessed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_inputs"


@pytest.fixture(autouse=True)
def _run_in_tmp_path(tmp_path, monkeypatch):
    """Every test runs with its tmp_path as the working directory: a file written under a
    relative name by mistake lands there, never in the repository."""
    monkeypatch.chdir(tmp_path)


# ---------------------------------------------------------------- markers, checked

# marker -> (what a test without it must not do, the command lines that do it)
_STARTS = {
    "libreoffice": ("starts LibreOffice", re.compile(r"^\S*\b(soffice|libreoffice)(\.bin)?(\s|$)")),
    "chromium": ("starts headless Chromium", re.compile(r"^\S*\b(chromium|chromium-browser|google-chrome)(\s|$)")),
    "whole_run": ("runs the whole tool in a process of its own", re.compile(r"(equity_xlsx\.cli|equity-xlsx)\W+run\b")),
}


@pytest.fixture(autouse=True)
def _declared(request, monkeypatch):
    """A test without the marker for what it starts fails at once, naming the marker."""
    marks = {m.name for m in request.node.iter_markers()}
    if "whole_run" not in marks:
        from equity_xlsx.batch import Run

        def undeclared_run(self, *args, **kwargs):
            pytest.fail("this test runs the whole tool: mark it @pytest.mark.whole_run", pytrace=False)

        monkeypatch.setattr(Run, "go", undeclared_run)
    missing = {name: check for name, check in _STARTS.items() if name not in marks}
    if not missing:
        return
    popen_init = subprocess.Popen.__init__

    def checked_init(self, args, *rest, **kwargs):
        line = " ".join(map(str, args)) if isinstance(args, (list, tuple)) else str(args)
        for name, (what, starts) in missing.items():
            if starts.search(line):
                pytest.fail(f"this test {what}: mark it @pytest.mark.{name}", pytrace=False)
        popen_init(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", checked_init)


def pytest_collection_modifyitems(items):
    """Tests that read the sample run are whole-run tests (the run is theirs, though shared)."""
    for item in items:
        if "sample_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.whole_run)


# ---------------------------------------------------------------- workbooks and LibreOffice

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


# ---------------------------------------------------------------- the ledger store

def pytest_configure(config):
    """Under pytest-xdist each worker gets a PostgreSQL database of its own (the server's
    database name + ``_gw0``, ``_gw1``…), made on first use, so workers never meet in one
    schema. Test modules read EQUITY_TEST_PG_URL after this, and so do the processes they start."""
    worker = getattr(config, "workerinput", {}).get("workerid")
    base = os.environ.get("EQUITY_TEST_PG_URL")
    if worker and base:
        os.environ["EQUITY_TEST_PG_URL"] = _worker_database(base, worker)


def _worker_database(base: str, worker: str) -> str:
    import sqlalchemy as sa

    url = sa.make_url(base)
    name = f"{url.database}_{worker}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        try:
            conn = engine.connect()
        except sa.exc.DBAPIError:
            return base  # no server: the PostgreSQL tests say so themselves
        with conn:
            for attempt in range(40):
                if conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).first():
                    break
                try:
                    conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
                    break
                except sa.exc.DBAPIError:
                    # Workers creating their databases at once: the template is busy for a moment.
                    if attempt == 39:
                        raise
                    time.sleep(0.25)
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request, tmp_path):
    """(store, county): a fresh ledger store and a county name no other test uses.

    SQLite under a folder with Chinese characters and spaces, always; the CI PostgreSQL when
    EQUITY_TEST_PG_URL names one. Tests of one worker share that database: the unique county
    keeps them apart.
    """
    from equity_xlsx.store import LedgerStore

    if request.param == "postgres":
        pg_url = os.environ.get("EQUITY_TEST_PG_URL")
        if not pg_url:
            pytest.skip("EQUITY_TEST_PG_URL not set: no PostgreSQL server to test against")
        store = LedgerStore(pg_url)
    else:
        store = LedgerStore(tmp_path / "大祥区 输出" / "equity-ledger.sqlite")
    county = f"大祥区 {uuid.uuid4().hex[:8]}"
    yield store, county
    store.delete_county(county)
    store.close()


# ---------------------------------------------------------------- the sample run

@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> Path:
    """The output folder of one run of the command line on all of sample_inputs/ (17 files,
    6 counties, two worker processes): summary.json, each county's workbook and brief,
    运行报告.xlsx, the roll-up and the ledger store.

    Made once per test session (once per xdist worker) for every test that reads the sample
    outputs. Read it, never write into it: a test that runs again on it works on a copy
    (``shutil.copytree``).
    """
    from typer.testing import CliRunner

    from equity_xlsx.cli import app

    out = tmp_path_factory.mktemp("sample_run")
    result = CliRunner().invoke(app, ["run", str(SAMPLES), "--out", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    return out
