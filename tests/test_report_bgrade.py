"""B类 scoring on 任务清单, recalculated by LibreOffice (domain.md §5).

Each B item must score at least 80 % of its points and the total at least 80:
80–85 合格, 86–90 良好, 91–100 优秀. Points: 8 (10), 9 (5), 23 (5), 27 (10), 29 (10),
30 (10), 32 (20), 33 (10), 34 (10), 35 (10).
"""

from __future__ import annotations

import openpyxl
import pytest
from recalc import SOFFICE, compare_recalculated, recalculate_many
from report_county import evaluation

from equity_xlsx.rulebook import Rules
from equity_xlsx.report import write_report

RULES = Rules.of(evaluation().standard)

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")]

# Every item at exactly 80 % of its points: 8+4+4+8+8+8+16+8+8+8 = 80.
AT_80 = {"8": 8, "9": 4, "23": 4, "27": 8, "29": 8, "30": 8, "32": 16, "33": 8, "34": 8, "35": 8}
FULL = {"8": 10, "9": 5, "23": 5, "27": 10, "29": 10, "30": 10, "32": 20, "33": 10, "34": 10, "35": 10}

CASES = {
    "total_79": ({**AT_80, "35": 7}, 79, "不合格"),
    "total_80": (AT_80, 80, "合格"),
    "total_85": ({**AT_80, "8": 10, "32": 19}, 85, "合格"),
    "total_86": ({**AT_80, "8": 10, "32": 20}, 86, "良好"),
    "total_90": ({**AT_80, "8": 10, "32": 20, "27": 10, "29": 10}, 90, "良好"),
    "total_91": ({**AT_80, "8": 10, "32": 20, "27": 10, "29": 10, "30": 9}, 91, "优秀"),
    # 98 points, but item 9 has 3 of 5 (60 %): fails the per-item rule.
    "one_item_short": ({**FULL, "9": 3}, 98, "不合格"),
}


def b_result(ws) -> dict[str, object]:
    """{label: value} of the B类 result block under the table (label in E — on the second
    printed page, beside the scores — value in H)."""
    return {ws.cell(r, 5).value: ws.cell(r, 8).value for r in range(1, ws.max_row + 1)
            if str(ws.cell(r, 5).value or "").startswith("B类")}


def test_hand_scores_add_up():
    for scores, total, _ in CASES.values():
        assert sum(scores.values()) == total


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bgrade")
    paths = []
    for name, (scores, _, _) in CASES.items():
        path = tmp / f"{name}.xlsx"
        write_report(evaluation(), path, rules=RULES, scores=scores)
        paths.append(path)
    partial = tmp / "partial.xlsx"
    write_report(evaluation(), partial, rules=RULES, scores={"8": 10})
    paths.append(partial)
    outs = recalculate_many(paths, tmp / "lo")
    return dict(zip([*CASES, "partial"], zip(paths, outs)))


@pytest.mark.parametrize("case", list(CASES))
def test_grade_formula_recalculated_by_libreoffice(recalculated, case):
    _, total, grade = CASES[case]
    original, out = recalculated[case]
    result = b_result(openpyxl.load_workbook(out, data_only=True)["任务清单"])
    assert result["B类指标得分合计"] == pytest.approx(total)
    assert result["B类等级（合格 / 良好 / 优秀）"] == grade
    assert result["B类各项得分均不低于分值的 80%"] == ("否" if case in ("total_79", "one_item_short") else "是")
    # Python's cached values agree with LibreOffice everywhere (grade, item checks, statuses).
    assert compare_recalculated(original, out) == []


def test_item_under_80_percent_is_marked_short(recalculated):
    _, out = recalculated["one_item_short"]
    ws = openpyxl.load_workbook(out, data_only=True)["任务清单"]
    row = next(r for r in range(5, 41) if str(ws.cell(r, 2).value).startswith("9."))
    heads = [c.value for c in ws[4]]
    assert ws.cell(row, heads.index("单项得分\n≥80%") + 1).value == "不足"
    assert ws.cell(row, heads.index("当前状态") + 1).value == "未达标"


def test_grade_waits_until_every_b_item_is_scored(recalculated):
    _, out = recalculated["partial"]
    result = b_result(openpyxl.load_workbook(out, data_only=True)["任务清单"])
    assert result["B类指标得分合计"] == 10
    assert result["B类等级（合格 / 良好 / 优秀）"] == "未评分"
