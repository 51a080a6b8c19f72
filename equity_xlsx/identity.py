"""A county's identity: the key its ledger, its cache and its output are filed under.

In order of trust: the 6-digit 行政区划代码 written in the data, or given by the
``counties.toml`` mapping for the name found in the title rows; else that name alone; and
only as a last resort the file name, with a warning that says so. Renaming an input file
then never starts a second ledger: the title (or a code) names the county, or else its schools
are those of a county the ledger store knows (``filing.py``: source "schools").

The county's level word (县 / 区 / 市 / 旗) comes from its name and decides the wording of
every sheet: 全县 / 全区, 县教育局 / 区教育局 (domain.md §8).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .standards import RULES_DIR, RuleError, build, read_rules_file, setting

COUNTIES_FILE = RULES_DIR / "counties.toml"

# Name endings -> level word, longest first (自治县 is a 县, 自治旗 a 旗).
_LEVELS = (("自治县", "县"), ("自治旗", "旗"), ("林区", "区"), ("特区", "区"), ("县", "县"), ("区", "区"),
           ("旗", "旗"), ("市", "市"))
SOURCE_LABEL = {"data": "数据中的行政区划代码", "mapping": "县名（标题）及 counties.toml 中的代码",
                "title": "表格标题中的县名", "file": "文件名", "schools": "学校名单（与台账库中已有的县相同）"}


@dataclass(frozen=True)
class CountyId:
    """Who a result belongs to. ``key`` files the ledger and outputs: the code when known."""

    name: str
    code: str | None = None
    source: str = "title"  # data | mapping | title | file | schools (see SOURCE_LABEL)

    @property
    def key(self) -> str:
        return self.code or self.name

    @property
    def level(self) -> str:
        """县, 区, 市 or 旗, from the end of the name (县 when the name says nothing)."""
        for ending, word in _LEVELS:
            if self.name.endswith(ending):
                return word
        return "县"

    @property
    def area_word(self) -> str:
        """全县 / 全区 / 全市 / 全旗: how the county names itself as a whole."""
        return "全" + self.level

    @property
    def bureau(self) -> str:
        """县教育局 / 区教育局 …"""
        return self.level + "教育局"

    def describe(self) -> str:
        code = f"（{self.code}）" if self.code else ""
        return f"{self.name}{code}，依据{SOURCE_LABEL.get(self.source, self.source)}"


@dataclass(frozen=True)
class CountyEntry:
    code: str = setting(help="6 位县级行政区划代码")
    name: str = setting(help="县（市、区、旗）名称，如 大祥区")
    city: str = setting("", help="所属地级市，如 邵阳市（同名县区时用于区分）")
    province: str = setting("", help="所属省份")


@dataclass(frozen=True)
class Counties:
    """The name ↔ code mapping (``rules/counties.toml``, or a county's own file)."""

    entries: tuple[CountyEntry, ...] = ()

    def by_code(self, code: str) -> CountyEntry | None:
        return next((e for e in self.entries if e.code == code), None)

    def by_name(self, name: str, context: str = "") -> CountyEntry | None:
        """The entry named ``name``; when several share it, the one whose city is in ``context``."""
        found = [e for e in self.entries if e.name == name]
        if len(found) > 1:
            found = [e for e in found if e.city and e.city in context]
        return found[0] if len(found) == 1 else None


@lru_cache(maxsize=None)
def load_counties(path: str | None = None) -> Counties:
    """Load the mapping; a malformed file is a RuleError naming the entry."""
    file = Path(path) if path else COUNTIES_FILE
    data = read_rules_file(file)
    where = f"县区代码文件 {file.name}"
    unknown = [k for k in data if k != "county"]
    if unknown:
        raise RuleError(f"{where} 有无法识别的节：{'、'.join(unknown)}（应为 [[county]]）")
    entries = tuple(build(CountyEntry, raw, f"{where} [[county]] 第 {i} 项")
                    for i, raw in enumerate(data.get("county", []), 1))
    for e in entries:
        if not re.fullmatch(r"\d{6}", e.code):
            raise RuleError(f"{where} 中 {e.name} 的代码 {e.code} 不是 6 位数字")
    return Counties(entries)


_CODE_IN_TEXT = re.compile(r"(?:行政区划代码|区划代码|县区代码|县\(区\)代码)[:：]?\s*(\d{6})(?:\d{3}|\d{6})?(?!\d)")


def code_in_text(texts: list[str]) -> str | None:
    """"行政区划代码：430503" in a title or note row -> "430503" (a 9/12-digit 统计用区划代码 is cut to 6)."""
    for t in texts:
        m = _CODE_IN_TEXT.search(t.replace(" ", "").replace("（", "(").replace("）", ")"))
        if m:
            return m.group(1)
    return None


def normalise_code(text: str | None) -> str | None:
    """A 6-, 9- or 12-digit 区划代码 -> its 6-digit county part; anything else -> None."""
    digits = re.sub(r"\s", "", str(text or ""))
    return digits[:6] if re.fullmatch(r"\d{6}|\d{9}|\d{12}", digits) else None


def resolve(*, code: str | None, title_name: str | None, file_stem: str, counties: Counties,
            context: str = "", file_name_fallback: str | None = None) -> CountyId:
    """The county's identity from what the data says (see the module docstring for the order).

    ``title_name`` is the county found in the title rows (None when none was found);
    ``file_name_fallback`` the place found in the file name, else the stem itself is used.
    """
    code = normalise_code(code)
    if code:
        entry = counties.by_code(code)
        name = entry.name if entry else (title_name or file_name_fallback or file_stem)
        return CountyId(name, code, "data")
    if title_name:
        entry = counties.by_name(title_name, context)
        return CountyId(title_name, entry.code, "mapping") if entry else CountyId(title_name, None, "title")
    name = file_name_fallback or file_stem
    entry = counties.by_name(name, context)
    return CountyId(name, entry.code if entry else None, "file")
