"""The county's name from a sheet title ("大祥区2025年义务教育…统计表") or the file name."""

from __future__ import annotations

import re

from .header import norm

# Administrative names are read as a chain from the start of a title: 湖南省 邵阳市 大祥区 …
# The last link is the most specific place; a county-level one (县/区/旗/市) is the county.
_LINK = re.compile(r"[\u4e00-\u9fff]{1,9}?(?:特别行政区|自治区|自治州|自治县|自治旗|地区|省|市|州(?!市)|盟|县|区|旗)")
_COUNTY_END = ("自治县", "自治旗", "县", "区", "旗", "市")
_LEAD = re.compile(r"^(?:\d{4}(?:-\d{4})?年度?|\d{4}-\d{4}学年(?:度)?|填报单位[:：]?|单位[:：]?)")
# Words that end in 区/市 but are not places: 城区, 校区, 学区, 片区 …
_NOT_PLACE = ("城区", "校区", "学区", "片区", "园区", "社区", "辖区", "本区", "全区", "全县", "全市", "本县", "本市")


def county_from_text(text: str) -> str | None:
    """"邵阳市大祥区2025年…" -> "大祥区"; None when the text does not start with a place."""
    t = norm(text)
    while True:
        m = _LEAD.match(t)
        if not m or not m.group(0):
            break
        t = t[m.end():]
    links = []
    pos = 0
    while True:
        m = _LINK.match(t, pos)
        if not m:
            break
        link = m.group(0)
        if link in _NOT_PLACE or any(link.endswith(w) for w in ("城区", "校区", "学区", "片区")):
            break
        links.append(link)
        pos = m.end()
    for link in reversed(links):
        if link.endswith(_COUNTY_END) and len(link) >= 2:
            return link
    return None


def county_in_titles(titles: list[str]) -> str | None:
    """The first county-level place named in the title rows (or a 填报单位 line), else None."""
    for t in titles:
        for line in re.split(r"[\n\r]+", t):
            found = county_from_text(line)
            if found:
                return found
            idx = line.find("填报单位")
            if idx >= 0:
                found = county_from_text(line[idx:])
                if found:
                    return found
    return None


_YEAR = re.compile(r"(20\d{2})\s*(?:[-－—至/／]\s*20\d{2}\s*)?(?:学年|年度|年)")


def year_in(texts: list[str]) -> int | None:
    """The data year a title or a file name states: "大祥区2025年…", "2025-2026学年…" or the
    forms' "（2020 /2021 学年初）" -> the first year (the autumn the school year starts)."""
    for t in texts:
        m = _YEAR.search(norm(t) if t else "")
        if m:
            return int(m.group(1))
    return None
