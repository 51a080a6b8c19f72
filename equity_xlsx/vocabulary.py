"""The words the tool writes and later reads back or compares against, each defined once.

A ledger line's 状态 and the names of the sheets are seen by county staff, typed over,
renamed and read back the next night. The writers (``report/``, ``rollup``, ``template``)
and the readers (``readback``, ``staff_edits``, ``reconcile``, ``store``) take them from
here, and so does every sentence that points at a sheet (见“数据问题”), so a word changed
here changes everywhere at once.

This module imports nothing of the package: the rules loader (``standards``) takes the
default 状态 choices from it, and ``model`` builds on ``standards``.
"""

from __future__ import annotations

from enum import StrEnum


class LedgerStatus(StrEnum):
    """状态 of a 整改台账 line, in the order of the sheet's drop-down list.

    ``OPEN`` is where every gap starts; ``IN_PROGRESS`` and ``DEFERRED`` are typed by staff
    and kept while the gap exists (a county may offer more in ``[ledger] status_choices``);
    ``CLOSED`` (销号) is decided by the data only, never by what is typed.
    """

    OPEN = "未整改"
    IN_PROGRESS = "整改中"
    DEFERRED = "暂缓"
    CLOSED = "已销号"


class CountySheet(StrEnum):
    """The sheets of a county's result workbook (``X_评估结果.xlsx``), in the order they appear."""

    OVERVIEW = "概览"
    SCHOOLS = "学校指标"
    CV = "差异系数"
    CHARTS = "图表"
    TREND = "趋势"
    LEDGER = "整改台账"
    TASKS = "任务清单"
    SCOPE = "口径说明"
    PROBLEMS = "数据问题"
    # Lines closed longer ago than the grey period (only when there are any): the sheet is
    # named after their 状态.
    ARCHIVE = LedgerStatus.CLOSED.value


class RunReportSheet(StrEnum):
    """The sheets of the run report (``运行报告.xlsx``)."""

    SUMMARY = "运行概况"
    PROBLEMS = "错误与警告"
    NOT_READ = "未读取的文件"


class RollupSheet(StrEnum):
    """The sheets of the city roll-up (``市级汇总.xlsx``)."""

    SUMMARY = "汇总"
    CHARTS = "图表"
    FAILING = "未达标学校"
    TREND = "趋势"


class TemplateSheet(StrEnum):
    """The sheets of the blank data-collection workbook (``equity-xlsx template``)."""

    DATA = "学校基础数据"
    COUNTY = "县级指标"
    GUIDE = "填表说明"
