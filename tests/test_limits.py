"""Hostile and absurdly large files are refused quickly and alone, before calamine parses them,
with a Chinese message naming the limit.

The files are written here with zipfile, part by part and streaming, so the layout under test
is visible and a million-row sheet costs a few MB of disk. Speed is measured and reported,
not asserted.
"""

from __future__ import annotations

import tracemalloc
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from equity_xlsx.intake import read_workbook
from equity_xlsx.intake.grid import open_book
from equity_xlsx.intake.limits import LimitExceeded, Limits, check_workbook
from equity_xlsx.rulebook import Rules
from equity_xlsx.standards import RuleError, load_standard

STD = load_standard("national-2017")
RULES = Rules.of(STD)
SAMPLES = Path(__file__).parent.parent / "sample_inputs"
MB = 1 << 20
EXCEL_ROWS = 1_048_576

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def write_xlsx(path: Path, sheets: dict[str, Iterable[bytes]], dimensions: dict[str, str] | None = None,
               level: int = 1, hidden: tuple[str, ...] = ()) -> Path:
    """A minimal .xlsx by hand: each sheet's <sheetData> is streamed from an iterable of byte
    chunks (so a million rows never sit in memory); ``dimensions`` gives a sheet its
    <dimension ref>, or none; ``level`` is the deflate level; ``hidden`` sheets are hidden."""
    names = list(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(names) + 1))
    parts = {
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>",
        "_rels/.rels":
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml":
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            + "".join(f'<sheet name="{n}" sheetId="{i}" state="{"hidden" if n in hidden else "visible"}" r:id="rId{i}"/>'
                      for i, n in enumerate(names, 1))
            + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels":
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, len(names) + 1))
            + "</Relationships>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
        for i, name in enumerate(names, 1):
            with zf.open(f"xl/worksheets/sheet{i}.xml", "w") as fh:
                dim = (dimensions or {}).get(name)
                fh.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'.encode())
                if dim:
                    fh.write(f'<dimension ref="{dim}"/>'.encode())
                fh.write(b"<sheetData>")
                for chunk in sheets[name]:
                    fh.write(chunk)
                fh.write(b"</sheetData></worksheet>")
    return path


def numbered_rows(n: int, cols: str = "A", batch: int = 20_000) -> Iterator[bytes]:
    """``<row r="n"><c r="An"><v>1</v></c></row>`` for rows 1..n (one cell per letter of
    ``cols``), in chunks of ``batch`` rows."""
    row = b'<row r="%d">' + b"".join(b'<c r="%s%%d"><v>1</v></c>' % c.encode() for c in cols) + b"</row>"
    for first in range(1, n + 1, batch):
        yield b"".join(row % ((r,) * (len(cols) + 1)) for r in range(first, min(first + batch, n + 1)))


def write_ods(path: Path, tables: dict[str, str]) -> Path:
    """A minimal .ods by hand: ``tables`` maps a sheet name to the XML of its rows."""
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    body = "".join(f'<table:table table:name="{name}">{rows}</table:table>' for name, rows in tables.items())
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{office}" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")  # stored, first
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content)
    return path


def value_row(*values: int, repeat: int = 1) -> str:
    cells = "".join(f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p>'
                    f"</table:table-cell>" for v in values)
    rep = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{rep}>{cells}</table:table-row>"


def empty_row(repeat: int = 1) -> str:
    rep = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-row{rep}><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'


@pytest.fixture
def calamine_calls(monkeypatch) -> list:
    """Records every attempt to open a workbook with calamine (and makes it fail)."""
    import equity_xlsx.intake.grid as grid

    calls: list = []

    class NoCalamine:
        @staticmethod
        def from_filelike(*args, **kwargs):
            calls.append(args)
            raise RuntimeError("calamine must not be reached")

    monkeypatch.setattr(grid.pc, "CalamineWorkbook", NoCalamine)
    return calls


@pytest.fixture
def inflated(monkeypatch) -> list[int]:
    """Counts the bytes zipfile inflates from any member."""
    counts: list[int] = []
    real_read = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        data = real_read(self, n)
        counts.append(len(data))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    return counts


@pytest.fixture(scope="module")
def million_rows(tmp_path_factory) -> dict[str, Path]:
    """A 1,048,576-row sheet “数据”, with a correct <dimension> and with none."""
    folder = tmp_path_factory.mktemp("million")
    return {
        "dimension": write_xlsx(folder / "有维度.xlsx", {"数据": numbered_rows(EXCEL_ROWS)},
                                {"数据": f"A1:A{EXCEL_ROWS}"}),
        "no dimension": write_xlsx(folder / "无维度.xlsx", {"数据": numbered_rows(EXCEL_ROWS)}),
    }


def refusal(path: Path, limits: Limits | None = None) -> LimitExceeded:
    with pytest.raises(LimitExceeded) as info:
        open_book(path, limits)
    return info.value


@pytest.mark.parametrize("variant", ["dimension", "no dimension"])
def test_million_row_sheet_is_refused_before_calamine(million_rows, calamine_calls, inflated, variant):
    exc = refusal(million_rows[variant])
    assert exc.code == "too_many_rows" and exc.limit_name == "max_rows_per_sheet"
    assert exc.sheet == "数据" and exc.limit == Limits().max_rows_per_sheet
    assert "“数据”" in exc.message and "200,000" in exc.message and "max_rows_per_sheet" in exc.message
    assert calamine_calls == []
    sheet_xml = zipfile.ZipFile(million_rows[variant]).getinfo("xl/worksheets/sheet1.xml").file_size
    if variant == "dimension":  # refused from the first 8 KB
        assert exc.found == EXCEL_ROWS and sum(inflated) < 64 * 1024
    else:  # the stream stopped soon after the limit
        assert exc.at_least and exc.found > exc.limit and sum(inflated) < sheet_xml / 3


def test_refused_file_is_one_file_level_limit_error_and_no_sections(million_rows, calamine_calls):
    data = read_workbook(million_rows["no dimension"], RULES)
    assert data.sections == []
    (problem,) = data.problems
    assert (problem.level, problem.code) == ("error", "limit")
    assert (problem.sheet, problem.row, problem.column) == (None, None, None)
    assert "无维度.xlsx" in problem.message and "max_rows_per_sheet" in problem.message
    assert calamine_calls == []


def zip_bomb(path: Path, zeros: int) -> Path:
    """A valid-looking .xlsx whose worksheet holds ``zeros`` bytes of zeros (deflate: ~1000:1)."""
    return write_xlsx(path, {"数据": (bytes(MB) for _ in range(zeros // MB))}, level=6)


def test_zip_bomb_is_refused_from_the_central_directory_without_inflating_it(tmp_path, calamine_calls, inflated):
    path = zip_bomb(tmp_path / "炸弹.xlsx", 200 * MB)
    assert path.stat().st_size < 1 * MB
    inflated.clear()
    tracemalloc.start()
    try:
        exc = refusal(path, Limits(max_uncompressed_bytes=100 * MB))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert exc.code == "uncompressed_too_large" and exc.found > 200 * MB
    assert "max_uncompressed_bytes" in exc.message
    assert peak < 5 * MB  # the file itself and the zip directory
    assert sum(inflated) == 0
    assert calamine_calls == []


def test_small_zip_bomb_is_refused_by_its_compression_ratio(tmp_path, calamine_calls):
    exc = refusal(zip_bomb(tmp_path / "小炸弹.xlsx", 20 * MB))
    assert exc.code == "compression_ratio" and exc.found > 200
    assert "xl/worksheets/sheet1.xml" in exc.message


def test_two_sheets_together_over_the_cell_limit(tmp_path, calamine_calls):
    path = write_xlsx(tmp_path / "两表.xlsx", {"小学": numbered_rows(600, "ABCDEFGHIJ"),
                                              "初中": numbered_rows(500, "ABCDEFGHIJ")},
                      {"小学": "A1:J600", "初中": "A1:J500"})
    exc = refusal(path, Limits(max_cells_per_workbook=10_000))
    assert exc.code == "too_many_cells" and exc.found == 11_000 and exc.sheet == "小学"
    assert calamine_calls == []
    check_workbook(path.read_bytes(), "xlsx", Limits(max_cells_per_workbook=11_000))


def test_two_cells_far_apart_are_refused_though_the_dimension_says_one(tmp_path, calamine_calls):
    # calamine would allocate every cell between A1 and XFD150000 (2.4 billion) and abort.
    rows = [b'<row r="1"><c r="A1"><v>1</v></c></row><row r="150000"><c r="XFD150000"><v>1</v></c></row>']
    exc = refusal(write_xlsx(tmp_path / "稀疏.xlsx", {"数据": rows}, {"数据": "A1"}))
    assert exc.code == "too_many_cells" and exc.found == 150_000 * 16_384
    assert calamine_calls == []


def table_rows(rows: list[list]) -> list[bytes]:
    """A small table as <sheetData> rows: strings inline, numbers as values."""
    def cell(ref: str, v) -> str:
        return f'<c r="{ref}"><v>{v}</v></c>' if isinstance(v, int) else f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>'
    return ["".join(f'<row r="{r}">' + "".join(cell(f"{chr(65 + c)}{r}", v) for c, v in enumerate(row)) + "</row>"
                    for r, row in enumerate(rows, 1)).encode()]


def test_hidden_sheet_is_not_measured_because_it_is_never_read(tmp_path):
    path = write_xlsx(tmp_path / "隐藏.xlsx", {"小学": table_rows([["学校名称", "在校生数"], ["甲校", 100]]),
                                              "旧表": numbered_rows(300_000)},
                      {"小学": "A1:B2", "旧表": "A1:A300000"}, hidden=("旧表",))
    data = read_workbook(path, RULES)
    assert [s.school for s in data.sections] == ["甲校"]
    assert not [p for p in data.problems if p.code == "limit"]


def test_file_larger_than_the_limit_is_not_even_read(monkeypatch):
    path = SAMPLES / "大祥区义务教育学校办学条件统计表.xlsx"
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the file was read"))
    exc = refusal(path, Limits(max_file_bytes=1000))
    assert exc.code == "file_too_large" and exc.found == path.stat().st_size


def test_ods_with_too_many_rows_is_refused(tmp_path, calamine_calls):
    path = write_ods(tmp_path / "长表.ods", {"小学": value_row(1, 2) + value_row(3, 4, repeat=300_000) + empty_row(748_575)})
    exc = refusal(path)
    assert (exc.code, exc.sheet) == ("too_many_rows", "小学") and exc.found == 300_001
    assert calamine_calls == []


def test_ods_trailing_empty_rows_to_the_bottom_of_the_sheet_do_not_count(tmp_path):
    # As LibreOffice saves every sheet: data, then one repeated empty row and one more.
    rows = value_row(1, 2, 3) + empty_row() + value_row(4) + empty_row(EXCEL_ROWS - 4) + empty_row()
    path = write_ods(tmp_path / "正常.ods", {"小学": rows, "初中": value_row(5) + empty_row(EXCEL_ROWS - 1)})
    check_workbook(path.read_bytes(), "ods", Limits(max_rows_per_sheet=3, max_cells_per_workbook=10))
    exc = refusal(path, Limits(max_rows_per_sheet=2))
    assert (exc.code, exc.sheet, exc.found) == ("too_many_rows", "小学", 3)


@pytest.mark.parametrize("name", ["大祥区义务教育学校办学条件统计表.xlsx", "示范县2025年学校基础数据.xls"])
def test_sample_workbooks_pass_the_default_limits(name):
    data = read_workbook(SAMPLES / name, RULES)
    assert data.sections and not [p for p in data.problems if p.code == "limit"]


def test_sheet_read_past_the_limit_is_refused_by_the_second_line():
    # .xls is measured only by its size before calamine; load_grid checks each sheet it reads.
    data = read_workbook(SAMPLES / "示范县2025年学校基础数据.xls", RULES, limits=Limits(max_rows_per_sheet=5))
    assert data.sections == []
    (problem,) = data.problems
    assert problem.code == "limit" and "max_rows_per_sheet" in problem.message


def test_limits_from_mapping_rejects_an_unknown_key():
    with pytest.raises(RuleError, match="bogus"):
        Limits.from_mapping({"max_rows_per_sheet": 10, "bogus": 1})


@pytest.mark.parametrize("value", [0, -1, 1.5, "100", True])
def test_limits_from_mapping_rejects_a_value_that_is_not_a_positive_whole_number(value):
    with pytest.raises(RuleError, match="max_rows_per_sheet"):
        Limits.from_mapping({"max_rows_per_sheet": value})


def test_limits_from_mapping_keeps_defaults_for_keys_left_out():
    limits = Limits.from_mapping({"max_rows_per_sheet": 10, "max_compression_ratio": 50.5})
    assert limits == Limits(max_rows_per_sheet=10, max_compression_ratio=50.5)
