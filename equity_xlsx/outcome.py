"""The typed result of one county in one run: what summary.json serialises, the cache keeps,
and the run table stores (so a city roll-up can read every county's last result from the store).

``CountyOutcome.to_json`` gives the summary.json ``workbooks[]`` element (schema
``equity-xlsx/summary/1``: keys are a contract — add, never rename). ``CountyOutcome.from_json``
reads it back, and is the one place that tolerates what older versions wrote (the cache, the
store's run table) or what a script hands over: a missing key, a number stored as text, a stage
without ``schools_failing`` or ``cv_over_limit``, an entry without ``ledger_totals``, a problem
code this version no longer knows. Everything after it works on typed values.

Units as in summary.json: indicator values per 100 students ×100, m², 元; CVs and limits are
plain ratios; floats unrounded.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Mapping

from .indicators import Evaluation, StageResult
from .problems import Code, Level, Problem, count_codes


# ------------------------------------------------------------------ tolerant readers (JSON -> typed)

def as_dict(x: Any) -> dict:
    """``x`` when it is a JSON object, else an empty one."""
    return x if isinstance(x, dict) else {}


def as_list(x: Any) -> list:
    """``x`` as a list when it is a JSON array, else an empty one."""
    return list(x) if isinstance(x, (list, tuple)) else []


def as_number(x: Any) -> float | int | None:
    """A finite number (an int stays an int), or None for anything else: None, a bool, NaN,
    an infinity, an int too large for a float, text that is no number ("1.5" is 1.5)."""
    if isinstance(x, bool) or x is None:
        return None
    try:
        value = float(x)
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(value):
        return None
    return x if isinstance(x, (int, float)) else value


def as_int(x: Any) -> int | None:
    """A count: a number rounded to a whole one, None when it is no number."""
    value = as_number(x)
    return value if isinstance(value, int) or value is None else int(round(value))


def as_text(x: Any) -> str | None:
    """Text as given (anything else as its ``str``), None for None."""
    return x if isinstance(x, str) or x is None else str(x)


def as_bool(x: Any) -> bool | None:
    return x if isinstance(x, bool) else None


_READERS = {"float": as_number, "int": as_int, "str": as_text, "bool": as_bool}


def read_flat(cls: type, doc: Any) -> Any:
    """A record of plain fields (numbers, counts, text, flags) from its JSON object, each field
    read by its declared type; what is missing or odd is None."""
    doc = as_dict(doc)
    return cls(**{f.name: _READERS[str(f.type).split(" |")[0]](doc.get(f.name)) for f in fields(cls)})


def float_or_none(value: float | int | None) -> float | None:
    """A typed number as a float (an int standard of the rules reads like the others); None
    stays None. Not a reader: odd JSON goes through ``as_number`` first."""
    return None if value is None else float(value)


# ------------------------------------------------------------------ the evaluation

@dataclass
class IndicatorOutcome:
    """One 资源配置 indicator of one stage: the county value against the standard, the CV
    against its limit (``cv_ok`` the unrounded verdict), schools meeting the standard."""

    county_value: float | None
    standard: float | None
    cv: float | None
    cv_limit: float | None
    cv_ok: bool | None
    schools_meeting: int | None

    @property
    def cv_status(self) -> str:
        """ok / bad / na: the CV within its limit, over it, or unknown."""
        if self.cv is None or self.cv_ok is None:
            return "na"
        return "ok" if self.cv_ok else "bad"

    @classmethod
    def from_json(cls, doc: Any) -> IndicatorOutcome:
        doc = as_dict(doc)
        cv, limit = as_number(doc.get("cv")), as_number(doc.get("cv_limit"))
        ok = as_bool(doc.get("cv_ok"))
        if ok is None and cv is not None and limit is not None:  # written without its verdict
            ok = cv <= limit
        return cls(as_number(doc.get("county_value")), as_number(doc.get("standard")), cv, limit, ok,
                   as_int(doc.get("schools_meeting")))


@dataclass
class StageOutcome:
    """One stage (小学 / 初中) of a county: schools, students, the 资源配置 verdict of 办法 第六条
    (``resource_pass``: every school section passes and every CV within its limit) and what
    stands in its way (``schools_failing``, ``cv_over_limit`` indicator ids)."""

    schools: int | None
    students: int | None
    schools_passing: int | None
    indicators: dict[str, IndicatorOutcome]
    resource_pass: bool | None = False
    schools_failing: int | None = 0
    cv_over_limit: list[str] = field(default_factory=list)

    @classmethod
    def from_result(cls, st: StageResult) -> StageOutcome:
        """A stage of an evaluation (unrounded floats, 元, per 100)."""
        return cls(
            schools=len(st.sections), students=int(round(st.students)), schools_passing=st.schools_passing,
            indicators={str(s.indicator.id): IndicatorOutcome(
                float_or_none(s.county_value), s.standard, float_or_none(s.cv_value), s.cv_limit, s.cv_ok,
                s.schools_meeting) for s in st.indicators},
            resource_pass=st.resource_pass, schools_failing=len(st.schools_failing),
            cv_over_limit=[str(i) for i in st.cv_over_limit])

    @classmethod
    def from_json(cls, doc: Any) -> StageOutcome:
        """A stage as summary.json has it; what an older version left out is worked out from
        the rest: ``schools_failing`` = schools − schools passing, ``cv_over_limit`` = the
        indicators whose CV is over its limit."""
        doc = as_dict(doc)
        indicators = {str(k): IndicatorOutcome.from_json(v) for k, v in as_dict(doc.get("indicators")).items()}
        schools, passing = as_int(doc.get("schools")), as_int(doc.get("schools_passing"))
        failing = as_int(doc.get("schools_failing"))
        if failing is None and schools is not None and passing is not None:
            failing = schools - passing
        over = doc.get("cv_over_limit")
        if isinstance(over, (list, tuple)):
            over = [str(i) for i in over]
        else:
            over = [k for k, ind in indicators.items() if ind.cv_status == "bad"]
        return cls(schools, as_int(doc.get("students")), passing, indicators,
                   as_bool(doc.get("resource_pass")), failing, over)

    @classmethod
    def from_trend_json(cls, doc: Any) -> StageOutcome:
        """A stage of a trend row (``{"cv": {id: …}, "county_value": {id: …}, "schools",
        "schools_passing", "resource_pass"}``)."""
        doc = as_dict(doc)
        cvs, values = as_dict(doc.get("cv")), as_dict(doc.get("county_value"))
        indicators = {str(k): IndicatorOutcome(as_number(values.get(k)), None, as_number(cvs.get(k)), None, None,
                                               None) for k in dict.fromkeys([*cvs, *values])}
        rest = cls.from_json({k: v for k, v in doc.items() if k not in ("cv", "county_value")})
        return replace(rest, indicators=indicators)

    @property
    def cv_limit(self) -> float | None:
        """The stage's CV limit (the same for its seven indicators; the first one given)."""
        return next((ind.cv_limit for ind in self.indicators.values() if ind.cv_limit is not None), None)

    def cvs(self) -> dict[str, float | None]:
        """Indicator id -> its CV (None: no data)."""
        return {k: ind.cv for k, ind in self.indicators.items()}


@dataclass
class SchoolOutcome:
    """One school section: its seven indicator values (None: no data), how many meet the
    standard, and whether it passes 第六条."""

    name: str | None
    stage: str | None
    students: int | None
    values: dict[str, float | None]
    met: int | None
    passes: bool | None

    @classmethod
    def from_json(cls, doc: Any) -> SchoolOutcome:
        doc = as_dict(doc)
        return cls(as_text(doc.get("name")), as_text(doc.get("stage")), as_int(doc.get("students")),
                   {str(k): as_number(v) for k, v in as_dict(doc.get("values")).items()}, as_int(doc.get("met")),
                   as_bool(doc.get("passes")))


# ------------------------------------------------------------------ checks and the ledger

@dataclass
class CheckOutcome:
    """One item of the task list as the checks found it: met / unmet / no_data / to_score, and
    how many schools do not meet it."""

    status: str | None
    schools_unmet: int | None


@dataclass
class LedgerItem:
    """One open 整改台账 line as summary.json lists it: the gap in the indicator's unit
    (``current``, ``standard``, ``shortfall``, ``unit``) and what must be added in real units
    (``need``, ``need_unit``, ``need_text``)."""

    id: str | None
    school: str | None
    stage: str | None
    indicator: str | None
    current: float | None
    standard: float | None
    shortfall: float | None
    unit: str | None
    item: str | None
    need: float | None
    need_unit: str | None
    need_text: str | None


@dataclass
class LedgerChanges:
    """The ledger since the last run: lines opened, closed (销号), reopened; lines open now."""

    opened: int | None
    closed: int | None
    reopened: int | None
    open: int | None


@dataclass
class LedgerTotals:
    """The whole ledger now: lines open, and lines 已销号 (greyed and archived)."""

    open: int | None
    closed: int | None


@dataclass
class BScore:
    """The B类 score staff entered on 任务清单: the points in all, and how many items are scored."""

    total: float | None
    items: int | None


# ------------------------------------------------------------------ problems from older runs

@dataclass(frozen=True)
class RecordedProblem:
    """A problem as an earlier run recorded it, kept with the message it was shown with: its
    code is unknown to this version, or its parameters no longer fit the code's template.
    Same shape as ``Problem`` where the outcome is read (``code``, ``level``, ``message``)."""

    code: str
    level: str
    file: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    message: str = ""

    def as_dict(self) -> dict:
        return {"code": self.code, "level": self.level, "file": self.file, "sheet": self.sheet, "row": self.row,
                "column": self.column, "message": self.message, "params": dict(self.params)}


def _problem(doc: Any) -> Problem | RecordedProblem:
    doc = as_dict(doc)
    where = (as_text(doc.get("file")) or "", as_text(doc.get("sheet")), as_int(doc.get("row")),
             as_text(doc.get("column")))
    params = as_dict(doc.get("params"))
    try:
        problem = Problem(Code(doc.get("code")), *where, params, Level(doc.get("level")))
        problem.message  # noqa: B018 - the template must still fit what was recorded
        return problem
    except Exception:  # noqa: BLE001 - whatever an older version wrote, it is shown as it was
        return RecordedProblem(str(doc.get("code") or ""), str(doc.get("level") or Level.ERROR), *where, params,
                               as_text(doc.get("message")) or "")


# ------------------------------------------------------------------ the county

@dataclass
class TrendPoint:
    """One county at one data year (the latest run of that year): its stages, and the ledger's
    counts at that run. What 趋势, the roll-up's 趋势 and the brief's history show."""

    county: str | None
    county_code: str | None
    data_year: int | None
    run_at: str  # "YYYY-MM-DD HH:MM:SS" (the brief's rows may carry only a date)
    stages: dict[str, StageOutcome]
    ledger_open: int | None = None
    ledger_closed: int | None = None

    @classmethod
    def from_json(cls, doc: Any) -> TrendPoint:
        """A trend row as the roll-up's contract has it (``rollup_workbook`` docstring)."""
        doc = as_dict(doc)
        return cls(as_text(doc.get("county")), as_text(doc.get("county_code")), as_int(doc.get("data_year")),
                   as_text(doc.get("run_at")) or "",
                   {str(k): StageOutcome.from_trend_json(v) for k, v in as_dict(doc.get("stages")).items()},
                   as_int(doc.get("ledger_open")), as_int(doc.get("ledger_closed")))


@dataclass
class CountyOutcome:
    """One county's result. ``status`` is "ok" or "error"; ``skipped`` when unchanged inputs were
    answered from the cache.

    An evaluated county (the ledger step ran: ``ledger_changes`` is set) also carries the A类
    ``checks``, the open ``ledger`` lines, ``recheck_on`` (the first day a greyed 已销号 line moves
    to the 已销号 sheet), ``ledger_changes``, ``ledger_totals``, ``data_year``, the ``b_score`` and
    the ``brief``'s file name. ``trace`` is a technical detail for the log, never serialised.
    """

    input: str  # the first input (relative to INPUT); summary.json "input"
    status: str = "ok"
    inputs: list[str] = field(default_factory=list)
    output: str | None = None
    county: str | None = None
    county_code: str | None = None
    errors: list[Problem | RecordedProblem] = field(default_factory=list)
    warnings: list[Problem | RecordedProblem] = field(default_factory=list)
    stages: dict[str, StageOutcome] = field(default_factory=dict)
    schools: list[SchoolOutcome] = field(default_factory=list)
    checks: dict[str, CheckOutcome] = field(default_factory=dict)
    ledger: list[LedgerItem] | None = None
    recheck_on: str | None = None
    ledger_changes: LedgerChanges | None = None
    ledger_totals: LedgerTotals | None = None
    data_year: int | None = None
    b_score: BScore | None = None
    brief: str | None = None
    skipped: bool = False
    trace: str | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def evaluated(self) -> bool:
        """True once the ledger step ran (its keys then appear in summary.json)."""
        return self.ledger_changes is not None

    def add(self, problem: Problem) -> None:
        (self.errors if problem.level == Level.ERROR else self.warnings).append(problem)

    @classmethod
    def failed(cls, input_name: str, problem: Problem, inputs: list[str] | None = None, **kw: Any) -> CountyOutcome:
        return cls(input=input_name, status="error", inputs=inputs or [input_name], errors=[problem], **kw)

    def take_evaluation(self, ev: Evaluation) -> None:
        """Fill ``stages`` and ``schools`` from an evaluation (unrounded floats, 元, per 100)."""
        for stage, st in ev.stages.items():
            self.stages[stage] = StageOutcome.from_result(st)
        self.schools = [SchoolOutcome(r.section.school, r.section.stage, int(round(r.section.students)),
                                      {str(k): float_or_none(v) for k, v in r.values.items()}, r.met, r.passes)
                        for r in ev.sections]

    def trend_point(self, data_year: int | None, run_at: str, totals: LedgerTotals | None = None) -> TrendPoint:
        """This result as the point of its data year (``run_at`` "YYYY-MM-DD HH:MM:SS"), with
        the ledger's ``totals`` (default: its own ``ledger_totals``)."""
        totals = totals or self.ledger_totals
        return TrendPoint(self.county, self.county_code, data_year, run_at, dict(self.stages),
                          totals.open if totals else None, totals.closed if totals else None)

    def to_json(self) -> dict:
        """The summary.json ``workbooks[]`` element."""
        doc = {
            "input": self.input,
            "inputs": self.inputs or [self.input],
            "output": self.output,
            "status": self.status,
            "county": self.county,
            "county_code": self.county_code,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
            "problems": count_codes([*self.errors, *self.warnings]),
            "stages": {k: asdict(v) for k, v in self.stages.items()},
            "schools": [asdict(s) for s in self.schools],
        }
        if self.evaluated:
            doc |= {
                "checks": {k: asdict(v) for k, v in self.checks.items()},
                "ledger": [asdict(ln) for ln in self.ledger or []],
                "recheck_on": self.recheck_on,
                "ledger_changes": asdict(self.ledger_changes),
                "ledger_totals": asdict(self.ledger_totals) if self.ledger_totals else None,
                "data_year": self.data_year,
                "b_score": asdict(self.b_score) if self.b_score else None,
                "brief": self.brief,
            }
        if self.skipped:
            doc["skipped"] = True
        return doc

    @classmethod
    def from_json(cls, doc: Any) -> CountyOutcome:
        """The outcome a ``to_json`` document describes — also one an older version wrote (the
        cache, the run table) or a script built: see the module docstring. Never raises."""
        doc = as_dict(doc)
        name = as_text(doc.get("input")) or ""
        changes = read_flat(LedgerChanges, doc["ledger_changes"]) if isinstance(doc.get("ledger_changes"), dict) \
            else None
        totals = doc.get("ledger_totals")
        if isinstance(totals, dict):
            totals = read_flat(LedgerTotals, totals)
        elif changes is not None:  # written before the totals were kept: open lines are known
            totals = LedgerTotals(changes.open, None)
        else:
            totals = None
        score = doc.get("b_score")
        ledger = doc.get("ledger")
        return cls(
            input=name, status=as_text(doc.get("status")) or "error",
            inputs=[str(i) for i in as_list(doc.get("inputs"))] or [name],
            output=as_text(doc.get("output")), county=as_text(doc.get("county")),
            county_code=as_text(doc.get("county_code")),
            errors=[_problem(p) for p in as_list(doc.get("errors"))],
            warnings=[_problem(p) for p in as_list(doc.get("warnings"))],
            stages={str(k): StageOutcome.from_json(v) for k, v in as_dict(doc.get("stages")).items()
                    if isinstance(v, dict)},
            schools=[SchoolOutcome.from_json(s) for s in as_list(doc.get("schools"))],
            checks={str(k): read_flat(CheckOutcome, v) for k, v in as_dict(doc.get("checks")).items()},
            ledger=[read_flat(LedgerItem, ln) for ln in ledger if isinstance(ln, dict)]
            if isinstance(ledger, (list, tuple)) else None,
            recheck_on=as_text(doc.get("recheck_on")), ledger_changes=changes, ledger_totals=totals,
            data_year=as_int(doc.get("data_year")),
            b_score=read_flat(BScore, score) if isinstance(score, dict) else None,
            brief=as_text(doc.get("brief")), skipped=bool(doc.get("skipped")))
