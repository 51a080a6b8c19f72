"""The parts of one county -> its CountyData: the one place every input shape is normalised.

A collection table (one "county" part), a folder of per-school 基层表 workbooks (a "school"
part each) and a county's rows of the stage exports (an "export" part per file) all become
sections here, by the same rules (口径, 一贯制 split, composites, checks).

Before the shared normalising, for the 基层表 parts: a school given twice (the same 学校标识码
in two workbooks, or twice in one stage export) keeps its first occurrence; a 九年一贯制
school's two stage-export rows become one school whose whole-school facilities are taken
once (and compared); a school of a multi-stage type missing one of its stages (a 十二年一贯制
school without its 高中 pupils) cannot have its facilities split, so they are left out with a
warning rather than credited to the stages found.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from ..model import STAGE_LABEL, CountyData
from ..problems import Code, ProblemLog, internal_detail
from ..rulebook import Rules
from ..standards import Aliases, Standard
from .header import Vocabulary, norm
from .normalise import COMPULSORY, build_sections, school_kind
from .part import WorkbookPart
from .table import Record


def assemble(parts: list[WorkbookPart], rules: Rules) -> CountyData:
    """Normalise every part of one county together (see the module doc)."""
    first = parts[0]
    years = Counter(p.data_year for p in parts if p.data_year)
    data = CountyData(file=first.file, county=first.county, identity=first.identity,
                      generation=first.generation, data_year=years.most_common(1)[0][0] if years else None)
    problems = ProblemLog(first.file)
    unmatched: dict[str, list[str]] = {}
    for p in parts:
        data.problems.extend(p.problems)
        data.conversions.extend(c for c in p.conversions if c not in data.conversions)
        for name, value in p.county_figures.items():
            if name not in data.county_figures:
                data.county_figures[name] = value
                data.county_sources[name] = p.county_sources[name]
        unmatched.update(p.unmatched)
        data.form_mappings += [m for m in p.form_mappings if m not in data.form_mappings]
        data.mapped_figures += p.mapped_figures
    vocab = Vocabulary.of(rules.aliases)
    tables = [rec for p in parts if p.kind == "county" for rec in p.records]
    forms = _one_per_school([p for p in parts if p.kind != "county"], rules, problems)
    forms = [_drop_unsplittable(rec, rules, vocab, problems) for rec in forms]
    try:
        sections, exclusions, splits = build_sections(tables + forms, rules.standard, vocab, first.file, problems)
    except Exception as exc:
        problems.add(Code.INTERNAL, during="整理学校数据", consequence="没有学校参与计算", detail=internal_detail(exc))
        sections, exclusions, splits = [], [], []
    data.sections, data.exclusions, data.splits = sections, exclusions, splits
    if tables:
        _report_missing_fields(tables, rules.standard, rules.aliases, unmatched, problems)
    if first.kind == "county" and first.identity is not None and first.identity.source == "file" and (
            sections or exclusions):
        problems.add(Code.COUNTY_FROM_FILE_NAME, name=first.identity.name)
    data.problems.extend(problems.items)
    return data


def _report_missing_fields(records: list[Record], std: Standard, aliases: Aliases,
                           unmatched: dict[str, list[str]], problems: ProblemLog) -> None:
    """An indicator's field found in no sheet of a collection table is a problem naming the
    headers that were not recognised, so the user sees what to rename (never silently 未提供数据)."""
    present = {f for rec in records for f in (*rec.values, *rec.invalid, *(k for v in rec.staged.values() for k in v))}
    leftovers = "；".join(f"{sheet}：{'、'.join(texts[:12])}{' 等' if len(texts) > 12 else ''}"
                          for sheet, texts in unmatched.items() if texts) or "（没有）"
    for ind in std.indicators:
        name = ind.numerator
        parts = {p for option in aliases.composites.get(name, ()) for p in option}
        if name in present or parts & present:  # a partial composite is reported where it is summed
            continue
        spec = aliases.fields[name]
        examples = "、".join(f"“{a}”" for a in (spec.label, *spec.aliases[:2]))
        problems.add(Code.FIELD_NOT_FOUND, field=spec.label, indicator=ind.name, unmatched=leftovers,
                     examples=examples)


def _key(rec: Record) -> str:
    return rec.text.get("code") or norm(rec.text.get("name", ""))


def _one_per_school(parts: list[WorkbookPart], rules: Rules, problems: ProblemLog) -> list[Record]:
    """Records keyed by school: stage-export rows of one school merged; a repeat dropped."""
    labels = {name: spec.label for name, spec in rules.aliases.fields.items()}
    out: dict[str, Record] = {}
    for part in parts:
        for rec in part.records:
            key = _key(rec)
            prev = out.get(key)
            if prev is None:
                out[key] = rec
                continue
            if part.kind != "export" or set(prev.staged) & set(rec.staged):
                code = rec.text.get("code") or "（无）"
                problems.add_at(Code.DUPLICATE_CODE, rec.origin, code=code, school=rec.text.get("name", ""),
                                first_school=prev.text.get("name", ""), first_file=prev.origin.file)
                continue
            out[key] = _merge_rows(prev, rec, labels, problems)
    return list(out.values())


def _merge_rows(first: Record, other: Record, labels: dict[str, str], problems: ProblemLog) -> Record:
    """A school's rows of two stage exports: each stage's own figures, the whole-school ones once."""
    merged = replace(first, staged={**first.staged, **other.staged}, values=dict(first.values),
                     notes=list(dict.fromkeys([*first.notes, *other.notes])))
    for field, cell in other.values.items():
        mine = merged.values.get(field)
        if mine is None:
            merged.values[field] = cell
        elif abs(mine.value - cell.value) > 1e-6:
            problems.add_at(Code.EXPORT_WHOLE_DIFFERS, cell.source, school=first.text.get("name", ""),
                            field=labels.get(field, field), first_file=mine.source.file, first=mine.value,
                            other_file=cell.source.file, other=cell.value)
    return merged


def _drop_unsplittable(rec: Record, rules: Rules, vocab: Vocabulary, problems: ProblemLog) -> Record:
    """A school of a multi-stage type (九年一贯制, 十二年一贯制, 完全中学) missing one of the
    stages its split weights name: its whole-school facilities cannot be divided by weighted
    students (the missing stage's pupils would be counted as none, and its share credited to
    the others), so they are not used for any stage."""
    if not rec.values or not rec.staged:
        return rec
    text = rec.text.get("school_type", "")
    kind = school_kind(text, vocab) if text else None
    weights = rules.standard.split.weights.get(kind or "", {})
    missing = [s for s in weights if s not in rec.staged]
    if len(weights) < 2 or not missing:
        return rec
    order = (*COMPULSORY, "senior")
    found = [s for s in order if s in rec.staged]
    where = "没有该学段的导出表" if rec.form is False else "工作簿中没有该学段的学生数表"
    problems.add_at(Code.ONE_STAGE_ONLY, rec.origin, school=rec.text.get("name", ""), school_type=text,
                    found="、".join(STAGE_LABEL.get(s, s) for s in found),
                    missing="、".join(STAGE_LABEL.get(s, s) for s in order if s in missing), where=where)
    return replace(rec, values={})
