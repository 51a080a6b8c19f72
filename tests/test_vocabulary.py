"""One vocabulary: a ledger line's 状态 and the sheet names are defined once
(``equity_xlsx/vocabulary.py``), and the writers and the read-back both take them from there."""

from __future__ import annotations

import ast
from pathlib import Path

import openpyxl
import xlsxwriter

from equity_xlsx import report
from equity_xlsx.model import LedgerLine
from equity_xlsx.readback import read_edits, read_ledger_lines
from equity_xlsx.report import ledger_sheet
from equity_xlsx.report.formats import Formats, ReportWorksheet
from equity_xlsx.standards import LedgerSettings
from equity_xlsx.template import write_template
from equity_xlsx.vocabulary import CountySheet, LedgerStatus, RollupSheet, RunReportSheet, TemplateSheet

PACKAGE = Path(__file__).resolve().parents[1] / "equity_xlsx"
WORDS = {w.value for enum in (LedgerStatus, CountySheet, RunReportSheet, RollupSheet, TemplateSheet) for w in enum}


def test_the_default_status_choices_are_the_four_statuses_in_sheet_order():
    assert LedgerSettings().status_choices == ("未整改", "整改中", "暂缓", "已销号")
    assert LedgerSettings().status_choices == tuple(LedgerStatus)
    # Plain text, like a county's own list: the run cache's rules digest is the repr of the rules.
    assert {type(s) for s in LedgerSettings().status_choices} == {str}
    assert LedgerLine(id="TZ-1").status == "未整改"


def test_the_archive_sheet_is_named_after_the_closed_status():
    assert CountySheet.ARCHIVE == LedgerStatus.CLOSED == "已销号"


def test_the_county_workbook_is_written_in_the_vocabularys_order():
    assert tuple(unit.name for unit in report.SHEETS) == tuple(CountySheet)
    assert tuple(CountySheet)[:9] == ("概览", "学校指标", "差异系数", "图表", "趋势", "整改台账", "任务清单",
                                      "口径说明", "数据问题")


def test_the_template_has_the_vocabularys_sheets(tmp_path):
    path = write_template(tmp_path / "模板.xlsx")
    assert openpyxl.load_workbook(path, read_only=True).sheetnames == ["学校基础数据", "县级指标", "填表说明"]
    assert list(TemplateSheet) == ["学校基础数据", "县级指标", "填表说明"]


def test_what_the_ledger_writer_writes_the_read_back_finds_by_the_same_names(tmp_path):
    open_line = LedgerLine(id="TZ-04-AAAAAA", school="城南小学", stage="primary", item="4", indicator="生均",
                           status=LedgerStatus.DEFERRED, first_seen="2024-03-01", owner="张三")
    old = LedgerLine(id="TZ-07-BBBBBB", school="城北小学", stage="junior", item="7", indicator="多媒体",
                     status=LedgerStatus.CLOSED, first_seen="2024-01-05", closed_on="2024-02-01", remark="已验收")
    path = tmp_path / "大祥区_评估结果.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    fm = Formats.build(wb)
    ledger_sheet.write_lines(wb.add_worksheet(CountySheet.LEDGER, ReportWorksheet), [open_line], fm,
                             status_choices=LedgerSettings().status_choices)
    ledger_sheet.write_lines(wb.add_worksheet(CountySheet.ARCHIVE, ReportWorksheet), [old], fm, archive=True)
    wb.close()
    edits = read_edits(path)
    assert edits.ledger_sheet == "整改台账"
    assert edits.where == {"TZ-04-AAAAAA": ("整改台账", 2), "TZ-07-BBBBBB": ("已销号", 2)}
    assert (edits.lines["TZ-04-AAAAAA"]["status"], edits.lines["TZ-04-AAAAAA"]["owner"]) == ("暂缓", "张三")
    rebuilt = {ln.id: ln for ln in read_ledger_lines(path)}
    # 暂缓 is a status a person chose and is kept as such; 已销号 is the data's and is not.
    assert (rebuilt["TZ-04-AAAAAA"].status, rebuilt["TZ-04-AAAAAA"].manual_status) == ("暂缓", "暂缓")
    assert (rebuilt["TZ-07-BBBBBB"].status, rebuilt["TZ-07-BBBBBB"].manual_status) == ("已销号", "")


def _constants(node: ast.AST) -> list[str]:
    """The string constants of ``node`` itself, or of a tuple/list/set literal of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [v for e in node.elts for v in _constants(e)]
    return []


def test_no_module_defines_or_compares_a_status_or_sheet_name_of_its_own():
    """A status or sheet name assigned to a name, compared with, or given as a setting's default
    anywhere but vocabulary.py is a second definition that can drift from the first."""
    offenders = []
    for source in sorted(PACKAGE.rglob("*.py")):
        if source.name == "vocabulary.py":
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            found: list[str] = []
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                found = _constants(node.value)
            elif isinstance(node, ast.Compare):
                found = [v for side in (node.left, *node.comparators) for v in _constants(side)]
            elif isinstance(node, ast.Call):
                found = [v for arg in node.args for v in _constants(arg)
                         if isinstance(node.func, ast.Name) and node.func.id == "setting"
                         or isinstance(node.func, ast.Attribute) and node.func.attr in ("add_worksheet", "get")]
            offenders += [f"{source.relative_to(PACKAGE)}:{node.lineno}: {v}" for v in found if v in WORDS]
    assert offenders == []
