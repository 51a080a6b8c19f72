"""Read back what staff typed into last night's output, and keep a copy before replacing it.

Staff fill 责任人, 计划完成时间, 整改进展, 备注 (and sometimes set 状态 by hand) in the
整改台账 and 已销号 sheets of the workbook the tool wrote the night before. Before tonight's
run replaces that workbook, ``read_staff_entries`` collects those cells by 台账编号 so
``reconcile`` can keep them, and ``backup_previous`` copies the old file to ``备份/``.

Columns are found by their header text, never by position: people insert, move and add
columns, type notes under the table, and retype dates.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .model import LEDGER_COLUMNS, LedgerLine
from .standards import LedgerSettings
from .vocabulary import CountySheet, LedgerStatus

BACKUP_DIRNAME = "备份"

# The columns read back (by header text, from model.LEDGER_COLUMNS): the id, what staff
# type, and 状态 / 首次发现.
ID_COLUMN = next(c for c in LEDGER_COLUMNS if c.field == "id")
READ_COLUMNS = tuple(c for c in LEDGER_COLUMNS if c.typed or c.read_back)
SCORE_HEADER, ITEM_HEADER = "得分", "二级指标"
_ITEM_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.．、]")


@dataclass(frozen=True)
class ScoreCell:
    """A B类 得分 cell with something in it: where, and what (a number, or the text typed)."""

    sheet: str
    row: int  # Excel row
    column: str  # Excel letter
    value: float | None  # None: not a number
    text: str


@dataclass(frozen=True)
class Unmatched:
    """A ledger row whose typed cells cannot be put on a line: no 台账编号 (``no_id``), a sheet
    without the 台账编号 column (``no_id_column``), or an id already read on ``first_row``
    with a different value (``duplicate``). ``values``: field -> text of the typed cells."""

    sheet: str
    row: int  # Excel row
    reason: str
    line_id: str = ""
    first_row: int | None = None
    values: tuple[tuple[str, str], ...] = ()


@dataclass
class WorkbookEdits:
    """What one result workbook holds in the cells staff may type into, and when it was saved.

    ``lines``: see ``read_staff_entries``; ``scores``: B类 得分 by item id (typed numbers);
    ``score_cells``: every typed 得分 cell with its place (to report what is not used);
    ``saved_at``: the file's modification time (seconds since the epoch). ``ledger_sheet``: the
    sheet the ledger was read from (整改台账, or the name staff renamed it to; None when there
    is none); ``id_column``: False when that sheet has no 台账编号 column; ``where``: line id ->
    (sheet, Excel row) it was read from; ``unmatched``: rows whose typed cells were not placed.
    """

    file: str
    lines: dict[str, dict[str, str]] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    saved_at: float = 0.0
    unplaced: list = field(default_factory=list)  # Unplaced columns (their values cannot be kept)
    score_cells: dict[str, ScoreCell] = field(default_factory=dict)
    ledger_sheet: str | None = None
    id_column: bool = True
    where: dict[str, tuple[str, int]] = field(default_factory=dict)
    unmatched: list[Unmatched] = field(default_factory=list)
# How far down a person may have pushed the header (e.g. by inserting a title row).
HEADER_SEARCH_ROWS = 10


class UnreadableWorkbookError(Exception):
    """Last night's workbook exists but cannot be read (damaged, not a workbook, encrypted, locked).

    The batch turns this into a warning: the store still holds every value typed before,
    and the file itself is kept in 备份/ before it is replaced.
    """

    def __init__(self, path: str | os.PathLike[str], reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"无法读取上次的评估结果 {self.path.name}：{reason}。已保留台账数据库中的人工填写内容。")


def read_staff_entries(path: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    """The typed cells of the 整改台账 and 已销号 sheets, by 台账编号 (see ``read_edits``)."""
    return read_edits(path).lines


def read_edits(path: str | os.PathLike[str]) -> WorkbookEdits:
    """The cells staff may type into: 整改台账 and 已销号 by 台账编号, and 任务清单's B类 得分.

    ``lines`` is ``{line id: {field: text}}`` for every typed column (model.LEDGER_COLUMNS:
    责任人 …, 整改措施 …, 状态) and 首次发现, with
    a key present only when its column exists on the sheet (so "column deleted" and "cell
    left empty" can be told apart); an empty cell gives ``""``. Values are text: dates typed
    as Excel dates become ISO dates (``2024-06-30``), numbers become ``"12"`` / ``"3.5"``.
    Rows without a 台账编号 (notes, a person's own rows) are skipped. When an id appears twice,
    the first non-empty value of each column wins; 整改台账 is read before 已销号.

    A missing file or sheet gives an empty result. A file that exists but cannot be read
    raises ``UnreadableWorkbookError``.
    """
    path = Path(path)
    edits = WorkbookEdits(path.name)
    if not path.exists():
        return edits
    # Imported here so that importing this module (e.g. for backup_previous) stays cheap.
    import openpyxl

    wb = formulas = None
    try:
        edits.saved_at = path.stat().st_mtime
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        # The cells as typed too: text starting with "=" that a spreadsheet took for a formula
        # has no usable value (none, or #NAME?), and is kept as the text the person typed.
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
        names = {str(n).strip(): n for n in wb.sheetnames}
        ledger = names.get(CountySheet.LEDGER) or _renamed_ledger(wb, names)
        edits.ledger_sheet = None if ledger is None else str(ledger).strip()
        for name in (ledger, names.get(CountySheet.ARCHIVE)):
            if name is not None:
                found = _read_sheet(_typed_rows(wb[name], formulas[name]), str(name).strip(), edits)
                if name == ledger:
                    edits.id_column = found
        if CountySheet.TASKS in names:
            edits.score_cells = _read_scores(wb[names[CountySheet.TASKS]], names[CountySheet.TASKS])
            edits.scores = {item: c.value for item, c in edits.score_cells.items() if c.value is not None}
    except PermissionError as exc:
        raise UnreadableWorkbookError(path, f"文件被占用或无权读取（{exc.strerror or exc}）") from exc
    except Exception as exc:  # noqa: BLE001 - any damage must become a warning, never stop the run
        raise UnreadableWorkbookError(path, _describe(exc)) from exc
    finally:
        for book in (wb, formulas):
            if book is not None:
                # read_only keeps the file open until closed; Windows would refuse to replace it.
                book.close()
    return edits


EXCEL_ERRORS = frozenset({"#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#N/A", "#NULL!", "#SPILL!", "#CALC!"})


def _typed_rows(values_ws, formulas_ws):  # noqa: ANN001, ANN202
    """Rows of a sheet as staff see and typed them: the value, or — for a formula without a
    usable value — its text ("=见附件")."""
    for values, typed in zip(values_ws.iter_rows(values_only=True), formulas_ws.iter_rows(values_only=True)):
        yield tuple(t if isinstance(t, str) and t.startswith("=") and (v is None or v in EXCEL_ERRORS) else v
                    for v, t in zip(values, typed))


def _renamed_ledger(wb, names: dict[str, str]) -> str | None:  # noqa: ANN001
    """The ledger under another name: a sheet (not 已销号) whose header has 台账编号."""
    for stripped, name in names.items():
        if stripped == CountySheet.ARCHIVE:
            continue
        for index, row in enumerate(wb[name].iter_rows(values_only=True)):
            if index >= HEADER_SEARCH_ROWS:
                break
            if _header_columns(row) is not None:
                return name
    return None


_CLOSED_NOTE = re.compile(r"^已(?:于 \S+ )?销号；现值、差距、需补足为销号前[^；]*的数据；?")


def read_ledger_lines(path: str | os.PathLike[str]) -> list[LedgerLine]:
    """Every line of a result workbook's 整改台账 and 已销号 as LedgerLine records (county
    unset): what a lost ledger database is rebuilt from. Columns are found by header text."""
    import openpyxl

    from .model import STAGE_LABEL

    stages = {label: key for key, label in STAGE_LABEL.items()}
    numbers = {c.field for c in LEDGER_COLUMNS if c.kind == "number"}
    wanted = {_norm(h): c.field for c in LEDGER_COLUMNS for h in (c.header, *c.synonyms)}
    out: dict[str, LedgerLine] = {}
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for name in (CountySheet.LEDGER, CountySheet.ARCHIVE):
            if name not in wb.sheetnames:
                continue
            columns: dict[str, int] | None = None
            for row in wb[name].iter_rows(values_only=True):
                if columns is None:
                    found = {wanted[_norm(v)]: i for i, v in enumerate(row) if _norm(v) in wanted}
                    columns = found if "id" in found else None
                    continue
                get = {f: (row[i] if i < len(row) else None) for f, i in columns.items()}
                line_id = _text(get.get("id"))
                if not _looks_like_id(line_id) or line_id in out:
                    continue
                values = {f: (float(v) if isinstance(v, (int, float)) else None) if f in numbers else _text(v)
                          for f, v in get.items() if f != "id"}
                values["stage"] = stages.get(values.get("stage", ""), values.get("stage", ""))
                values["detail"] = _CLOSED_NOTE.sub("", values.get("detail", ""))
                status = values.get("status") or LedgerStatus.OPEN
                values["manual_status"] = "" if status in (LedgerStatus.OPEN, LedgerStatus.CLOSED) else status
                out[line_id] = LedgerLine(id=line_id, **values)
    finally:
        wb.close()
    return list(out.values())


def _read_scores(ws, sheet: str) -> dict[str, ScoreCell]:  # noqa: ANN001
    """B类 得分 typed on 任务清单: the item id from the 二级指标 text ("8.…"), the cell typed."""
    from .intake.cells import parse_number

    out: dict[str, ScoreCell] = {}
    cols: tuple[int, int] | None = None
    for index, row in enumerate(ws.iter_rows(values_only=True)):
        if cols is None:
            if index >= HEADER_SEARCH_ROWS:
                return out
            heads = [_norm(v) for v in row]
            score = next((i for i, h in enumerate(heads) if h.startswith(SCORE_HEADER)), None)
            if score is not None and ITEM_HEADER in heads:
                cols = (heads.index(ITEM_HEADER), score)
            continue
        item_col, score_col = cols
        if max(cols) >= len(row) or not isinstance(row[item_col], str):
            continue
        m = _ITEM_NUMBER.match(row[item_col])
        if not m or _text(row[score_col]) == "":
            continue
        value, err = parse_number(row[score_col])
        out[m.group(1)] = ScoreCell(sheet, index + 1, _letter(score_col), value if err is None else None,
                                    _text(row[score_col]))
    return out


EXTRA = "extra:"  # the key prefix of a column staff inserted: "extra:联系电话"


@dataclass(frozen=True)
class Unplaced:
    """A column staff typed into whose values cannot be kept: no header, or a header already used."""

    sheet: str
    column: str  # Excel letter
    header: str
    cells: int  # how many lines have something in it


def _read_sheet(rows, sheet: str, edits: WorkbookEdits) -> bool:  # noqa: ANN001
    """Read one ledger sheet's rows into ``edits``; False when it has a ledger header without
    the 台账编号 column (its rows are then reported, not placed)."""
    layout: _Columns | None = None
    counts: dict[int, int] = {}
    first_row: dict[str, int] = {}
    for index, row in enumerate(rows):
        excel_row = index + 1
        if layout is None:
            if index >= HEADER_SEARCH_ROWS:
                return True
            layout = _header_columns(row, need_id=False)
            continue
        cells = [(key, col) for key, col in [*layout.fields.items(), *((EXTRA + h, c) for c, h in layout.extras.items())]
                 if key != "id"]
        values = {key: (_text(row[col]) if col < len(row) else "") for key, col in cells}
        typed = tuple((k, v) for k, v in values.items() if v and k in TYPED_KEYS or k.startswith(EXTRA) and v)
        id_col = layout.fields.get("id")
        line_id = _text(row[id_col]) if id_col is not None and id_col < len(row) else ""
        if id_col is None or not _looks_like_id(line_id):
            if typed and not _is_note_row(row):
                edits.unmatched.append(Unmatched(sheet, excel_row, "no_id_column" if id_col is None else "no_id",
                                                 values=typed))
            continue
        found = edits.lines.setdefault(line_id, {})
        if line_id in first_row:
            clash = tuple((k, v) for k, v in typed if found.get(k) and found[k] != v)
            if typed:
                edits.unmatched.append(Unmatched(sheet, excel_row, "duplicate", line_id, first_row[line_id], clash))
        else:
            first_row[line_id] = excel_row
            edits.where[line_id] = (sheet, excel_row)
        for key, value in values.items():
            if not found.get(key):
                found[key] = value
        for col in layout.lost:
            if col < len(row) and _text(row[col]):
                counts[col] = counts.get(col, 0) + 1
    if layout is not None:
        for col, n in counts.items():
            edits.unplaced.append(Unplaced(sheet, _letter(col), layout.lost[col], n))
    return layout is None or "id" in layout.fields


# The fields a person types (their columns are unlocked): what an unplaced row would lose.
TYPED_KEYS = frozenset(c.field for c in LEDGER_COLUMNS if c.typed)


def _is_note_row(row: tuple) -> bool:
    """A note under the table ("注：…") rather than a line: text in its first cell only."""
    filled = [v for v in row if _text(v)]
    return len(filled) == 1 and isinstance(row[0], str) and bool(_text(row[0]))


@dataclass
class _Columns:
    fields: dict[str, int]  # known field -> column index
    extras: dict[int, str]  # column index -> header of a column staff inserted
    lost: dict[int, str]  # column index -> header (maybe "") of a column that cannot be kept


# How many of the ledger's own headers make a row its header when 台账编号 is missing.
MIN_HEADERS_WITHOUT_ID = 4


def _header_columns(row: tuple, need_id: bool = True) -> _Columns | None:
    """Where each column of the ledger is, found by header text (or a synonym), or None when
    ``row`` is no ledger header: 台账编号 is not in it (``need_id``), or — to tell a sheet whose
    台账编号 column was deleted — fewer than ``MIN_HEADERS_WITHOUT_ID`` of the ledger's headers
    are. Other headed columns are staff's own (kept by header); a column without a header, or
    repeating one, cannot be kept."""
    wanted = {_norm(h): c.field for c in LEDGER_COLUMNS for h in (c.header, *c.synonyms)}
    readable = {c.field for c in (ID_COLUMN, *READ_COLUMNS)}
    out = _Columns({}, {}, {})
    for col, cell in enumerate(row):
        key, text = wanted.get(_norm(cell)), _text(cell)
        if key is not None:
            if key in out.fields or (key not in readable and key in out.lost.values()):
                out.lost[col] = text
            elif key in readable:
                out.fields[key] = col
        elif not text:
            out.lost[col] = ""
        elif text in out.extras.values():
            out.lost[col] = text
        else:
            out.extras[col] = text
    if "id" in out.fields:
        return out
    known = sum(1 for cell in row if _norm(cell) in wanted)
    return out if not need_id and known >= MIN_HEADERS_WITHOUT_ID else None


def _letter(col: int) -> str:
    from .intake.grid import col_letter

    return col_letter(col)


# A 台账编号 is one short token ("TZ-04-3F9A2C"); a sentence in that column is a note
# ("注：…", "没有需要整改的条目。") that a person or the writer put under the table.
_NOT_ID = re.compile(r"[\s。，：；！？,:;]")


def _looks_like_id(text: str) -> bool:
    return bool(text) and len(text) <= 40 and not _NOT_ID.search(text)


_BRACKETS = re.compile(r"[（(][^）)]*[）)]")


def _norm(value: object) -> str:
    """A header as compared: no whitespace or line breaks, no bracketed note, no ``*``."""
    if value is None:
        return ""
    text = _BRACKETS.sub("", str(value))
    return re.sub(r"[\s\u3000*＊]", "", text)


def _text(value: object) -> str:
    """A cell as the text staff meant: dates as ISO, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value).strip()


def _describe(exc: Exception) -> str:
    import zipfile

    if isinstance(exc, zipfile.BadZipFile):
        return "文件已损坏或不是 xlsx 工作簿"
    name = type(exc).__name__
    if name == "InvalidFileException":
        return "不是 xlsx 工作簿"
    return f"{name}: {exc}"


# -- backups -------------------------------------------------------------------------------

_STAMP = "%Y%m%d-%H%M%S"


def backup_previous(
    path: str | os.PathLike[str],
    *,
    keep: int | None = None,
    backup_dir: str | os.PathLike[str] | None = None,
    now: dt.datetime | None = None,
) -> Path | None:
    """Copy the workbook about to be replaced to ``备份/<stem>_<YYYYmmdd-HHMMSS>.xlsx``.

    ``backup_dir`` defaults to ``备份`` beside ``path``. Returns the copy, or None when there is
    nothing new to keep (no file yet, or the same content as the newest copy: backups are
    versions that differ, not ten copies of one file). Keeps the newest ``keep`` copies of this
    file (default: the ``[ledger] backups_kept`` setting's default) and deletes older ones;
    copies of other files in the folder are never touched. The copy is written under a
    temporary name and renamed, so a killed run never leaves half a backup.
    """
    if keep is None:
        keep = LedgerSettings().backups_kept
    path = Path(path)
    if not path.is_file():
        return None
    folder = Path(backup_dir) if backup_dir is not None else path.parent / BACKUP_DIRNAME
    folder.mkdir(parents=True, exist_ok=True)
    existing = _backups(folder, path.stem, path.suffix)
    if existing and filecmp.cmp(existing[-1], path, shallow=False):
        return None
    stamp = (now or dt.datetime.now()).strftime(_STAMP)
    target = folder / f"{path.stem}_{stamp}{path.suffix}"
    counter = 2
    while target.exists():  # two runs in the same second
        target = folder / f"{path.stem}_{stamp}-{counter}{path.suffix}"
        counter += 1
    tmp = folder / f".{path.stem}.{os.getpid()}.tmp{path.suffix}"
    shutil.copy2(path, tmp)
    tmp.replace(target)
    _prune(folder, path.stem, path.suffix, keep)
    return target


def backups_of(path: str | os.PathLike[str], backup_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """The backups of ``path``, oldest first."""
    path = Path(path)
    folder = Path(backup_dir) if backup_dir is not None else path.parent / BACKUP_DIRNAME
    return _backups(folder, path.stem, path.suffix)


def _backups(folder: Path, stem: str, suffix: str) -> list[Path]:
    if not folder.is_dir():
        return []
    # Exact pattern: the backups of "A" must not include those of "A_2".
    pattern = re.compile(rf"^{re.escape(stem)}_(\d{{8}}-\d{{6}})(?:-(\d+))?{re.escape(suffix)}$")
    found = []
    for child in folder.iterdir():
        m = pattern.match(child.name)
        if m and child.is_file():
            found.append(((m.group(1), int(m.group(2) or 1)), child))
    return [p for _, p in sorted(found)]


def _prune(folder: Path, stem: str, suffix: str, keep: int) -> None:
    old = _backups(folder, stem, suffix)
    for stale in old[: max(0, len(old) - keep)]:
        try:
            stale.unlink()
        except OSError:
            # A copy open in Excel cannot be deleted on Windows: leave it for the next run.
            pass
