"""The typed result of one county in one run: what summary.json serialises, the cache keeps,
and the run table stores (so a city roll-up can read every county's last result from the store).

``CountyOutcome.to_json`` gives the summary.json ``workbooks[]`` element (schema
``equity-xlsx/summary/1``: keys are a contract — add, never rename); ``from_json`` reads it
back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .indicators import Evaluation
from .problems import Code, Level, Problem, count_codes


def _num(value: float | None) -> float | None:
    return None if value is None else float(value)


@dataclass
class IndicatorOutcome:
    county_value: float | None
    standard: float
    cv: float | None
    cv_limit: float
    cv_ok: bool | None
    schools_meeting: int


@dataclass
class StageOutcome:
    schools: int
    students: int
    schools_passing: int
    indicators: dict[str, IndicatorOutcome]
    resource_pass: bool = False  # every school section passes and every CV within its limit
    schools_failing: int = 0
    cv_over_limit: list[str] = field(default_factory=list)  # indicator ids


@dataclass
class SchoolOutcome:
    name: str
    stage: str
    students: int
    values: dict[str, float | None]
    met: int
    passes: bool


@dataclass
class CountyOutcome:
    """One county's result. ``status`` is "ok" or "error"; ``skipped`` when unchanged inputs were
    answered from the cache. ``extra`` carries the ledger and checks blocks (checks,
    ledger, recheck_on, ledger_changes) as their summary dicts."""

    input: str  # the first input (relative to INPUT); summary.json "input"
    status: str = "ok"
    inputs: list[str] = field(default_factory=list)
    output: str | None = None
    county: str | None = None
    county_code: str | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    stages: dict[str, StageOutcome] = field(default_factory=dict)
    schools: list[SchoolOutcome] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def add(self, problem: Problem) -> None:
        (self.errors if problem.level == Level.ERROR else self.warnings).append(problem)

    @classmethod
    def failed(cls, input_name: str, problem: Problem, inputs: list[str] | None = None, **kw: Any) -> CountyOutcome:
        return cls(input=input_name, status="error", inputs=inputs or [input_name], errors=[problem], **kw)

    def take_evaluation(self, ev: Evaluation) -> None:
        """Fill ``stages`` and ``schools`` from an evaluation (unrounded floats, 元, per 100)."""
        for stage, st in ev.stages.items():
            self.stages[stage] = StageOutcome(
                schools=len(st.sections), students=int(round(st.students)), schools_passing=st.schools_passing,
                indicators={str(s.indicator.id): IndicatorOutcome(
                    _num(s.county_value), s.standard, _num(s.cv_value), s.cv_limit, s.cv_ok, s.schools_meeting)
                    for s in st.indicators},
                resource_pass=st.resource_pass, schools_failing=len(st.schools_failing),
                cv_over_limit=[str(i) for i in st.cv_over_limit])
        self.schools = [SchoolOutcome(r.section.school, r.section.stage, int(round(r.section.students)),
                                      {str(k): _num(v) for k, v in r.values.items()}, r.met, r.passes)
                        for r in ev.sections]

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
            **self.extra,
        }
        if self.skipped:
            doc["skipped"] = True
        return doc

    @classmethod
    def from_json(cls, doc: dict) -> CountyOutcome:
        """The outcome a ``to_json`` document describes (the cache, the run table)."""
        known = {"input", "inputs", "output", "status", "county", "county_code", "errors", "warnings",
                 "problems", "stages", "schools", "skipped"}
        stages = {k: StageOutcome(**{**v, "indicators": {i: IndicatorOutcome(**ind) for i, ind in v["indicators"].items()}})
                  for k, v in doc.get("stages", {}).items()}
        return cls(
            input=doc["input"], status=doc["status"], inputs=list(doc.get("inputs") or [doc["input"]]),
            output=doc.get("output"), county=doc.get("county"), county_code=doc.get("county_code"),
            errors=[_problem(p) for p in doc.get("errors", [])],
            warnings=[_problem(p) for p in doc.get("warnings", [])],
            stages=stages, schools=[SchoolOutcome(**s) for s in doc.get("schools", [])],
            extra={k: v for k, v in doc.items() if k not in known}, skipped=bool(doc.get("skipped")))


def _problem(doc: dict) -> Problem:
    return Problem(Code(doc["code"]), doc.get("file", ""), doc.get("sheet"), doc.get("row"), doc.get("column"),
                   doc.get("params", {}), Level(doc["level"]))
