"""Records -> Sections: stages, 口径 (exclusions), whole-school splits, composites, checks.

All rules come from the standards file (``std.scope``, ``std.split``, ``std.units``) and
the alias table (stage words, school types, composites); nothing here is a threshold.

Where a 九年一贯制 初中部's 生均教学仪器设备值 comes from: the 初中部 row's own equipment
value, or — when the school gives one amount for the whole school (a cell merged over its
section rows, a value on one row only, or a column not qualified by stage) — that amount
× w_junior·P_junior / Σ w·P (``split_amount``), with weights from ``[split]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..model import STAGE_LABEL, Exclusion, Section, Source, Split, split_amount, weights_text
from ..standards import Standard
from .header import Vocabulary, norm
from ..problems import Code, ProblemLog
from .table import Cell, Record

COMPULSORY = ("primary", "junior")


@dataclass
class _Part:
    """One section of a school as read (before checks)."""

    stage: str
    record: Record
    values: dict[str, Cell]


@dataclass
class _School:
    key: str
    name: str
    code: str = ""
    school_type: str = ""
    ownership: str = ""
    counted: str = ""  # 是否计校数 as written ("否": a 教学点 that is not counted as a school)
    parts: dict[str, _Part] = field(default_factory=dict)
    whole: dict[str, Cell] = field(default_factory=dict)
    first: Record | None = None


def school_kind(text: str, vocab: Vocabulary) -> str | None:
    """School-type text (or a name) -> key of ``aliases.school_types`` by its longest word."""
    memo = vocab.kind_memo
    if text in memo:
        return memo[text]
    t = norm(text)
    best, best_len = None, 0
    for kind, words in vocab.aliases.school_types.items():
        for w in words:
            w = norm(w)
            if w and w in t and len(w) > best_len:
                best, best_len = kind, len(w)
    if len(memo) < 50_000:
        memo[text] = best
    return best


def _excluded_type(rec: Record, std: Standard) -> bool:
    texts = (rec.text.get("school_type", ""), rec.text.get("name", ""))
    return any(w in t for w in std.scope.excluded_types for t in texts if t)


def _stage_of_record(rec: Record, vocab: Vocabulary, problems: ProblemLog, quiet: bool = False) -> str | None:
    stage_text = rec.text.get("stage", "")
    if stage_text:
        st = vocab.stage_of(stage_text) or vocab.stage_in(stage_text)
        if st:
            return st
        src = rec.text_src["stage"]
        problems.add_at(Code.UNKNOWN_STAGE, _at(rec, src.column), stage_text=stage_text)
        return None
    if rec.sheet_stage:
        return rec.sheet_stage
    for text in (rec.text.get("school_type", ""), rec.text.get("name", "")):
        kind = school_kind(text, vocab) if text else None
        if kind in vocab.aliases.stages:
            return kind
        if kind:
            break  # a multi-stage type needs a 学段 per row; guessing from the name would be wrong
    if quiet:
        return None
    col = rec.origin.column
    problems.add_at(Code.NO_STAGE, _at(rec, col), school=rec.text.get("name", ""))
    return None


def build_sections(records: list[Record], std: Standard, vocab: Vocabulary, file: str,
                   problems: ProblemLog) -> tuple[list[Section], list[Exclusion], list[Split]]:
    """Normalise all records of one workbook (see module doc)."""
    schools = _group(records, vocab, std, problems)
    _drop_cross_school_merges(schools, problems)
    sections: list[Section] = []
    exclusions: list[Exclusion] = []
    splits: list[Split] = []
    for school in schools.values():
        _normalise_school(school, std, vocab, file, problems, sections, exclusions, splits)
    return sections, exclusions, splits


def _group(records: list[Record], vocab: Vocabulary, std: Standard, problems: ProblemLog) -> dict[str, _School]:
    schools: dict[str, _School] = {}
    for rec in records:
        name = rec.text["name"]
        code = rec.text.get("code", "")
        key = code or norm(name)
        if rec.staged:
            parts = []
            for st, vals in rec.staged.items():
                parts.append(_Part(st, rec, dict(vals)))
        else:
            # A special/vocational school needs no stage: it is excluded either way.
            excluded = _excluded_type(rec, std)
            st = _stage_of_record(rec, vocab, problems, quiet=excluded)
            if st is None:
                if not excluded:
                    continue
                st = ""
            parts = [_Part(st, rec, dict(rec.values))]
        school = schools.get(key)
        if school is None:
            school = schools[key] = _School(key=key, name=name, code=code, first=rec)
        for k in ("school_type", "ownership", "counted"):
            if rec.text.get(k) and not getattr(school, k):
                setattr(school, k, rec.text[k])
        if rec.staged:
            neutral = rec.values
            if len(parts) == 1:
                parts[0].values = {**neutral, **parts[0].values}
            else:
                for f, cell in neutral.items():
                    school.whole.setdefault(f, cell)
        for part in parts:
            prev = school.parts.get(part.stage)
            if prev is not None:
                problems.add_at(Code.DUPLICATE_SCHOOL, _at(rec), school=name,
                             stage=STAGE_LABEL.get(part.stage, part.stage), first_sheet=prev.record.sheet,
                             first_row=prev.record.row)
                continue
            school.parts[part.stage] = part
    return schools


def _drop_cross_school_merges(schools: dict[str, _School], problems: ProblemLog) -> None:
    owners: dict[int, set[str]] = {}
    cells: dict[int, Cell] = {}
    for school in schools.values():
        for part in school.parts.values():
            for cell in part.values.values():
                if cell.rows:
                    owners.setdefault(id(cell), set()).add(school.key)
                    cells[id(cell)] = cell
    bad = {cid for cid, keys in owners.items() if len(keys) > 1}
    if not bad:
        return
    for cid in bad:
        cell = cells[cid]
        src = cell.source
        problems.add_at(Code.MERGE_ACROSS_SCHOOLS, src,
                     range=f"{src.column}{cell.rows[0]}:{src.column}{cell.rows[1]}")
    for school in schools.values():
        for part in school.parts.values():
            for f in [f for f, c in part.values.items() if id(c) in bad]:
                del part.values[f]


def _exclusion_reason(school: _School, std: Standard, students: float | None) -> str | None:
    scope = std.scope
    texts = [("办学类型", school.school_type), ("学校名称", school.name)]
    for label, text in texts:
        for w in scope.excluded_types:
            if text and w in text:
                return f"{label}“{text}”含“{w}”：特殊教育学校、职业学校不参与资源配置计算"
    if not scope.include_private:
        for label, text in [("办别", school.ownership)] + texts:
            for w in scope.private_words:
                if text and w in text:
                    return f"{label}“{text}”为民办：按所选标准，民办学校不纳入计算"
    min_tp = scope.teaching_point_min_students
    if min_tp is not None and students is not None:
        if school.counted.strip() == "否" and students < min_tp:
            return f"教学点（是否计校数为“否”），在校生 {students:g} 人，少于 {min_tp} 人：按所选标准不纳入计算"
        for label, text in texts:
            for w in scope.teaching_point_words:
                if text and w in text and students < min_tp:
                    return f"教学点（{label}“{text}”），在校生 {students:g} 人，少于 {min_tp} 人：按所选标准不纳入计算"
    return None


def _split_rule(kind: str | None, stages: set[str], std: Standard) -> tuple[str, dict[str, float]] | None:
    rules = std.split.weights
    if kind in rules and stages <= set(rules[kind]):
        return kind, rules[kind]
    for name, weights in rules.items():
        if set(weights) == stages:
            return name, weights
    for name, weights in rules.items():
        if stages <= set(weights):
            return name, weights
    return None


def _split_eligible(std: Standard, aliases) -> set[str]:
    """Fields that may be split: ``[split] fields`` plus the parts of a composite among them
    (体育馆 + 运动场地 given for the whole school split like 体育运动场馆面积)."""
    eligible = set(std.split.fields)
    for target, options in aliases.composites.items():
        if target in eligible:
            for opt in options:
                eligible.update(opt)
    return eligible


def _normalise_school(school: _School, std: Standard, vocab: Vocabulary, file: str, problems: ProblemLog,
                      sections: list[Section], exclusions: list[Exclusion], splits: list[Split]) -> None:
    aliases = vocab.aliases
    parts = school.parts
    if not parts:
        return
    name = school.name
    # Students first: exclusion, every other check and the split weights need them.
    students: dict[str, float] = {}
    for st, part in parts.items():
        cell = part.values.get("students")
        if cell is not None and cell.value > 0:
            students[st] = cell.value
    reason = _exclusion_reason(school, std, sum(students.values()) if students else None)
    if reason:
        for st, part in parts.items():
            exclusions.append(Exclusion(name, st, school.school_type, students.get(st), reason,
                                        part.record.origin))
        return
    for st, part in parts.items():
        cell = part.values.get("students")
        rec = part.record
        label = STAGE_LABEL.get(st, st)
        if cell is None:
            if "students" not in rec.invalid:  # an unusable cell was reported where it was read
                problems.add_at(Code.STUDENTS_MISSING, _at(rec), school=name, stage=label)
        elif cell.value <= 0:
            problems.add_at(Code.STUDENTS_NOT_POSITIVE, cell.source,
                         school=name, stage=label, value=cell.value)
        elif not float(cell.value).is_integer():
            problems.add_at(Code.STUDENTS_FRACTION, cell.source,
                         school=name, stage=label, value=cell.value)

    kind = school_kind(school.school_type, vocab) if school.school_type else None
    if kind is None:
        kind = school_kind(name, vocab)
    eligible = _split_eligible(std, aliases)

    values: dict[str, dict[str, float]] = {st: {} for st in parts}
    sources: dict[str, dict[str, Source]] = {st: {} for st in parts}
    notes: dict[str, list[str]] = {st: list(dict.fromkeys(text for p in _records(school) for on, text in p.notes
                                                          if on in (None, st))) for st in parts}
    fields_seen = {f for p in parts.values() for f in p.values} | set(school.whole)
    multi = len(parts) > 1
    for f in sorted(fields_seen):
        per = {st: p.values[f] for st, p in parts.items() if f in p.values}
        whole: Cell | None = school.whole.get(f)
        if whole is None and multi and per:
            distinct = {id(c) for c in per.values()}
            if len(per) >= 2 and len(distinct) == 1:
                whole = next(iter(per.values()))  # one cell merged over the section rows
            elif len(per) == 1 and f in eligible:
                whole = next(iter(per.values()))  # given once, on one row
        if whole is None:
            if multi and len(per) >= 2 and f in eligible and len({c.value for c in per.values()}) == 1:
                c = next(iter(per.values()))
                problems.add_at(Code.SAME_VALUE_EACH_STAGE, c.source,
                             school=name, field=aliases.fields[f].label, value=c.value)
            for st, c in per.items():
                values[st][f] = c.value
                sources[st][f] = c.source
            continue
        src = whole.source
        if f not in eligible:
            problems.add_at(Code.WHOLE_NOT_SPLITTABLE, src, school=name,
                         field=aliases.fields[f].label, where=_where(whole))
            continue
        if set(students) != set(parts):
            problems.add_at(Code.SPLIT_NO_STUDENTS, src, school=name,
                         field=aliases.fields[f].label, where=_where(whole))
            continue
        rule = _split_rule(kind, set(students), std)
        if rule is None:
            stages_txt = "、".join(STAGE_LABEL.get(s, s) for s in students)
            problems.add_at(Code.SPLIT_NO_WEIGHTS, src, school=name,
                         field=aliases.fields[f].label, stages=stages_txt)
            continue
        rule_name, weights = rule
        shares = split_amount(whole.value, students, weights)
        rule_text = weights_text({s: weights[s] for s in students})
        for st, amount in shares.items():
            values[st][f] = amount
            sources[st][f] = src
            notes[st].append(f"{aliases.fields[f].label}为全校数 {whole.value:.10g}（{_where(whole)}），"
                             f"按加权学生数拆分（{rule_text}），本学段 {amount:.1f}")
        splits.append(Split(name, f, whole.value,
                            tuple((st, students[st], shares[st]) for st in students),
                            tuple((st, weights[st]) for st in students)))

    for st, part in parts.items():
        if st not in students:
            continue
        vals, srcs = values[st], sources[st]
        _composites(name, st, vals, srcs, notes[st], aliases, problems, part.record)
        _check_equipment(name, st, vals, srcs, std, problems)
        if st not in COMPULSORY:
            exclusions.append(Exclusion(name, st, school.school_type, students[st],
                                        f"{STAGE_LABEL.get(st, st)}不属于义务教育，只用于拆分全校数据的加权学生数",
                                        part.record.origin))
            continue
        sections.append(Section(school=name, stage=st, school_type=school.school_type, code=school.code,
                                values=vals, sources=srcs, notes=notes[st], origin=part.record.origin))
        _report_blanks(name, st, vals, part.record, std, aliases, problems)


def _report_blanks(name: str, stage: str, vals: dict[str, float], rec: Record, std: Standard, aliases,
                   problems: ProblemLog) -> None:
    """An empty cell that leaves an indicator of this section without data, named where it is.

    Checked on the finished section: a whole-school amount given on one row of a 一贯制 school
    is split to the other row, so that row's empty cell is no gap.
    """
    found: dict[tuple, tuple[Source, str, list]] = {}
    for ind in std.indicators:
        if ind.numerator in vals:
            continue
        fields = [ind.numerator] + [p for opt in aliases.composites.get(ind.numerator, ()) for p in opt]
        for f in dict.fromkeys(fields):
            src = None if f in vals else rec.blanks.get((stage, f)) or rec.blanks.get((None, f))
            if src is not None:
                key = (src.sheet, src.row, src.column)
                found.setdefault(key, (src, f, []))[2].append(ind)
    for src, f, inds in found.values():
        problems.add_at(Code.BLANK_VALUE, replace(src, label=""), school=name, stage=STAGE_LABEL.get(stage, stage),
                        header=src.label or aliases.fields[f].label, field=f,
                        indicators="、".join(dict.fromkeys(i.name for i in inds)),
                        indicator_ids=sorted({i.id for i in inds}))


def _records(school: _School) -> list[Record]:
    return list({id(p.record): p.record for p in school.parts.values()}.values())


def _at(rec: Record, column: str | None = None) -> Source:
    """The row of a record as a problem location (its own file: parts come from several)."""
    return Source(rec.origin.file, rec.sheet, rec.row, column if column is not None else rec.origin.column)


def _where(cell: Cell) -> str:
    s = cell.source
    if s.label:  # a statistics form: the sheet and what the cell is
        return f"{s.sheet} {s.label}"
    if cell.rows:
        return f"合并单元格 {s.column}{cell.rows[0]}:{s.column}{cell.rows[1]}"
    return f"单元格 {s.column}{s.row}"


def _composites(name: str, stage: str, vals: dict[str, float], srcs: dict[str, Source], notes: list[str],
                aliases, problems: ProblemLog, rec: Record) -> None:
    for target, options in aliases.composites.items():
        complete = next((opt for opt in options if all(p in vals for p in opt)), None)
        if target in vals:
            if complete and abs(sum(vals[p] for p in complete) - vals[target]) > 1e-6:
                src = srcs[target]
                parts_txt = "+".join(aliases.fields[p].label for p in complete)
                problems.add_at(Code.COMPOSITE_MISMATCH, src, school=name,
                             field=aliases.fields[target].label, value=vals[target], parts=parts_txt,
                             total=sum(vals[p] for p in complete))
            continue
        if complete is None:
            partial = list(dict.fromkeys(p for opt in options for p in opt if p in vals))
            if partial:
                # One warning per sheet and target: a table missing a column would
                # otherwise repeat it for every school.
                src = srcs[partial[0]]
                need = " 或 ".join("+".join(aliases.fields[p].label for p in opt) for opt in options)
                problems.add_at(Code.COMPOSITE_PARTIAL, replace(src, row=None, column=None, label=""), field=aliases.fields[target].label,
                             present="、".join(aliases.fields[p].label for p in partial), need=need)
            continue
        vals[target] = sum(vals[p] for p in complete)
        srcs[target] = srcs[complete[0]]
        notes.append(f"{aliases.fields[target].label} = " + " + ".join(aliases.fields[p].label for p in complete))


def _check_equipment(name: str, stage: str, vals: dict[str, float], srcs: dict[str, Source], std: Standard,
                     problems: ProblemLog) -> None:
    plausible = std.units.equipment_per_student_plausible
    if not plausible or "equipment_value" not in vals or not vals.get("students"):
        return
    lo, hi = plausible
    per = vals["equipment_value"] / vals["students"]
    if lo <= per <= hi or per == 0:  # 0 is no unit mistake: the school has none (and fails the item)
        return
    src = srcs["equipment_value"]
    suspected, hint = "", ""
    if per < lo and lo <= per * 10000 <= hi:
        suspected, hint = "万元", "，疑似按万元填写但表头未注明“（万元）”"
    elif per > hi and lo <= per / 10000 <= hi:
        suspected, hint = "元", "，疑似按元填写但表头写的是万元"
    problems.add_at(Code.EQUIPMENT_IMPLAUSIBLE, src, school=name,
                 stage=STAGE_LABEL.get(stage, stage), per=per, low=lo, high=hi, hint=hint,
                 suspected_unit=suspected)
    del vals["equipment_value"]
    del srcs["equipment_value"]
