"""Filing a run's inputs under their counties.

Each input gives pieces (one per county it holds: a collection table or a school workbook one,
a stage export one per county). Collection tables and exports are filed under the county their
piece names; a school workbook under the county of its folder (the folder's name, else the
county most of its schools give); a workbook that could not be read in a folder of school
workbooks is that county's missing school. A county named only by its file name
(``CountyId.source == "file"``) that the ledger store does not know is recognised by its
schools: when most of them are a stored county's (by name or by 学校标识码, on both sides), it
is filed under that county, with a warning, so renaming the file never starts a second ledger.

One source per county: two inputs claiming one county are both refused (a "（修订）" copy beside
the original would otherwise write one ledger in turns), unless ``--prefer`` names one.
"""

from __future__ import annotations

import pickle
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

from .identity import CountyId, resolve
from .inputs import InputFile, UsageError
from .intake.header import norm
from .intake.part import WorkbookPart
from .intake.place import county_from_text
from .outcome import CountyOutcome
from .problems import Code, Problem
from .rulebook import Rules


@dataclass(frozen=True)
class Roster:
    """The schools of a county (or of one input's part of it) as (name, 学校标识码) pairs:
    names as matched against headers (no spaces, half-width brackets); either may be ""."""

    schools: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def of(cls, part: WorkbookPart) -> Roster:
        """The schools a part's records name (a school workbook without records: its school)."""
        pairs = {(norm(r.text.get("name", "")), r.text.get("code", "").strip()) for r in part.records}
        if not pairs and part.school:
            pairs = {(norm(part.school), "")}
        return cls(frozenset(p for p in pairs if any(p)))

    @property
    def names(self) -> set[str]:
        return {name for name, _ in self.schools if name}

    @property
    def codes(self) -> set[str]:
        return {code for _, code in self.schools if code}

    def __or__(self, other: Roster) -> Roster:
        return Roster(self.schools | other.schools)

    def to_json(self) -> list[list[str]]:
        return [list(p) for p in sorted(self.schools)]

    @classmethod
    def from_json(cls, doc: Iterable[Iterable[str]]) -> Roster:
        return cls(frozenset((str(name), str(code)) for name, code in doc))


@dataclass(frozen=True)
class Likeness:
    """How many schools two rosters share, and by what (学校名称 or 学校标识码)."""

    same: int
    of: int  # the schools of the roster being recognised
    by: str


def likeness(mine: Roster, theirs: Roster) -> Likeness | None:
    """The schools ``mine`` shares with ``theirs`` when they are most of the schools on both
    sides, by name or by 学校标识码 (the larger count); None otherwise. Both sides: a one-school
    table is not taken for a county of thirty because that school is among them."""
    best = None
    for by, a, b in (("学校名称", mine.names, theirs.names), ("学校标识码", mine.codes, theirs.codes)):
        same = len(a & b)
        if 2 * same > max(len(a), len(b)) and (best is None or same > best.same):
            best = Likeness(same, len(a), by)
    return best


@dataclass(frozen=True)
class Piece:
    """What one input gives for one county: who, the part pickled for the evaluation (None
    when the input is known from the cache and not read tonight), and its schools."""

    county: CountyId
    payload: bytes | None = None
    roster: Roster = Roster()


def school_folder(f: InputFile) -> str:
    """The folder of a school workbook, relative to its input ("" at the top)."""
    return Path(f.name).parent.as_posix().removeprefix(".")


@dataclass
class County:
    """The inputs filed under one county in this run, with what each is (``kinds``: county,
    school or export), its schools (``rosters``) and the notes made while filing them."""

    id: CountyId
    inputs: list[InputFile] = field(default_factory=list)
    payloads: dict[str, bytes] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    rosters: dict[str, Roster] = field(default_factory=dict)
    notes: list[Problem] = field(default_factory=list)

    @property
    def roster(self) -> Roster:
        """The schools of all its inputs."""
        out = Roster()
        for r in self.rosters.values():
            out |= r
        return out

    def sources(self) -> set[str]:
        """The distinct sources claiming this county (more than one is a clash)."""
        return {self.source_of(f) for f in self.inputs}

    def source_of(self, f: InputFile) -> str:
        """Which whole a file belongs to: itself (a collection table), its folder of school
        workbooks, or the stage exports. A county takes its data from one source."""
        kind = self.kinds.get(f.name, "county")
        if kind == "school":
            return f"folder:{school_folder(f)}"
        return "export" if kind == "export" else f"file:{f.name}"


# The store's schools: county key -> (county name, its roster); asked for only when needed.
KnownSchools = Callable[[], Mapping[str, tuple[str, Roster]]]


class Filing:
    """The inputs of one run filed under their counties (``counties``, by county key).

    ``take`` each input's pieces as they are known (read, or from the cache) and ``fail`` each
    input that could not be read; then ``settle`` once."""

    def __init__(self, rules: Rules):
        self.rules = rules
        self.counties: dict[str, County] = {}
        self._schools: list[tuple[InputFile, Piece]] = []
        self._failed: list[tuple[InputFile, CountyOutcome]] = []

    def take(self, f: InputFile, kind: str, pieces: Iterable[Piece]) -> None:
        """What input ``f`` gives: a school workbook waits for its folder to be known; the
        others are filed under each piece's county."""
        for piece in pieces:
            if kind == "school":
                self._schools.append((f, piece))
            else:
                self._file(f, piece.county, kind, piece.payload, roster=piece.roster)

    def fail(self, f: InputFile, failure: CountyOutcome) -> None:
        """Input ``f`` could not be read (``failure`` says why)."""
        self._failed.append((f, failure))

    def settle(self, order: Mapping[str, int], known: KnownSchools) -> list[CountyOutcome]:
        """File the school workbooks by folder, each failed input of a folder of school
        workbooks as that county's missing school, and recognise the counties named only by a
        file name by their schools (``known``). Returns the failures filed under no county,
        in input ``order``."""
        folders = self._file_schools()
        alone = []
        for f, failure in sorted(self._failed, key=lambda x: order[x[0].name]):
            county = folders.get(school_folder(f))
            if county is None:
                alone.append(failure)
            else:
                self._file_missing_school(f, county, failure)
        self._recognise(known)
        return alone

    def _file(self, f: InputFile, county: CountyId, kind: str, payload: bytes | None = None,
              note: Problem | None = None, roster: Roster | None = None) -> None:
        entry = self.counties.setdefault(county.key, County(county))
        entry.inputs.append(f)
        entry.kinds[f.name] = kind
        if payload is not None:
            entry.payloads[f.name] = payload
        if roster is not None:
            entry.rosters[f.name] = entry.rosters.get(f.name, Roster()) | roster
        if note is not None:
            entry.notes.append(note)

    def _file_schools(self) -> dict[str, CountyId]:
        """File each school workbook under its folder's county: the county the folder is named
        after, else the one most of its schools give. A school that says another county is
        filed by its folder all the same, with a warning. Returns folder -> county."""
        by_folder: dict[str, list[tuple[InputFile, Piece]]] = {}
        for item in self._schools:
            by_folder.setdefault(school_folder(item[0]), []).append(item)
        chosen: dict[str, CountyId] = {}
        for folder, items in by_folder.items():
            ids = [piece.county for _, piece in items]
            named = county_from_text(Path(folder).name) if folder else None
            if named:
                county = next((c for c in ids if c.name == named), None) or resolve(
                    code=None, title_name=named, file_stem=named, counties=self.rules.counties)
            else:
                key = Counter(c.key for c in ids).most_common(1)[0][0]
                county = next(c for c in ids if c.key == key)
            chosen[folder] = county
            for f, piece in items:
                cid, note = piece.county, None
                if cid.key != county.key:
                    note = Problem(Code.SCHOOL_COUNTY_DIFFERS, f.name, params={
                        "school_county": cid.name + (f"（{cid.code}）" if cid.code else ""), "folder": folder or "（输入文件夹）",
                        "folder_county": county.name})
                self._file(f, county, "school", piece.payload, note, piece.roster)
        return chosen

    def _file_missing_school(self, f: InputFile, county: CountyId, failure: CountyOutcome) -> None:
        """A workbook that could not be read, in a county's folder of school workbooks: the
        county is evaluated without it and says which school is missing."""
        reason = failure.errors[0].message if failure.errors else "无法读取"
        data = WorkbookPart(file=f.name, kind="school", county=county.name, identity=county, school=Path(f.name).stem)
        data.problems = [Problem(Code.SCHOOL_FILE_FAILED, f.name, params={
            "school": Path(f.name).stem, "reason": reason, "level": county.level})]
        self._file(f, county, "school", pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))

    def _recognise(self, known: KnownSchools) -> None:
        """A county named only by a file name that the store does not know, whose schools are
        mostly a stored county's, is that county: filed under it (one ledger, one output
        name) with a warning. When that county has its own input tonight too, the two are a
        clash (settle_clash), as any two inputs of one county are."""
        by_file = [c for c in self.counties.values() if c.id.source == "file"]
        if not by_file:
            return
        stored = known()
        for county in by_file:
            mine = county.roster
            if county.id.key in stored or not mine.schools:
                continue
            found = [(like, key) for key, (_, theirs) in stored.items() if (like := likeness(mine, theirs))]
            if not found:
                continue
            like, key = max(found, key=lambda x: (x[0].same, x[1]))
            name = stored[key][0] or key
            target = CountyId(name, key if key != name else None, "schools")
            first = county.inputs[0].name
            county.notes.append(Problem(Code.COUNTY_KNOWN_BY_SCHOOLS, first, params={
                "file_county": county.id.name, "county": name, "same": like.same, "total": like.of, "by": like.by}))
            self._refile(county, target)

    def _refile(self, county: County, target: CountyId) -> None:
        """Move every input of ``county`` under ``target`` (joining its inputs, if any)."""
        del self.counties[county.id.key]
        entry = self.counties.setdefault(target.key, County(target))
        entry.inputs += county.inputs
        entry.payloads.update(county.payloads)
        entry.kinds.update(county.kinds)
        entry.rosters.update(county.rosters)
        entry.notes += county.notes


def settle_clash(county: County, prefer: Iterable[str], finish: Callable[[CountyOutcome], None]) -> County | None:
    """One source per county (a collection table, a folder of school workbooks, or the stage
    exports): when several claim the same county, keep the one ``prefer`` names (a file in it,
    or the folder), else none of them; each source left out becomes an error naming the others."""
    groups: dict[str, list[InputFile]] = {}
    for f in county.inputs:
        groups.setdefault(county.source_of(f), []).append(f)
    if len(groups) == 1:
        return county

    def named(source: str, files: list[InputFile]) -> bool:
        folder = source.removeprefix("folder:")
        return any(f.name in prefer or f.path.name in prefer for f in files) or (
            source.startswith("folder:") and (folder in prefer or Path(folder).name in prefer))

    preferred = [s for s, files in groups.items() if named(s, files)]
    keep = preferred[0] if len(preferred) == 1 else None
    label = {s: (s.removeprefix("folder:") + "/" if s.startswith("folder:") else "、".join(f.name for f in files))
             for s, files in groups.items()}
    for source, files in groups.items():
        if source == keep:
            continue
        others = "、".join(label[s] for s in groups if s != source)
        code = Code.COUNTY_CLASH_NOT_PREFERRED if keep else Code.COUNTY_CLASH
        first = files[0]
        finish(CountyOutcome.failed(first.name, Problem(code, first.name, params={
            "county": county.id.describe(), "others": others, "kept": label[keep] if keep else ""}),
            [f.name for f in files], county=county.id.name, county_code=county.id.code))
    if keep is None:
        return None
    kept = {f.name for f in groups[keep]}
    county.inputs = [f for f in county.inputs if f.name in kept]
    county.payloads = {k: v for k, v in county.payloads.items() if k in kept}
    county.rosters = {k: v for k, v in county.rosters.items() if k in kept}
    return county


def check_prefer(prefer: Iterable[str], files: list[InputFile]) -> None:
    """A UsageError for a --prefer value that names no input file and no folder of inputs
    (a typo would otherwise leave both clashing inputs unevaluated, night after night)."""
    names: set[str] = set()
    for f in files:
        names.update((f.name, f.path.name))
        for parent in Path(f.name).parents:
            if parent.name:
                names.update((parent.as_posix(), parent.name))
    unknown = [p for p in prefer if p not in names and p.rstrip("/\\") not in names]
    if unknown:
        examples = "、".join(sorted(f.name for f in files)[:5])
        raise UsageError(f"--prefer 指定的“{'”“'.join(unknown)}”不是任何输入文件或文件夹的名称，本次未运行；"
                         f"请写输入中的文件名或文件夹名，如：{examples}")
