"""What a workbook's zip package says about itself, read with the standard library only.

Shared by ``grid`` (which cells calamine reads as empty) and ``limits`` (how big each
sheet is before calamine sees it), so neither depends on the other for these basics.
"""

from __future__ import annotations

import io
import re
import zipfile

_REL_RE = re.compile(rb'<Relationship\b[^>]*?/?>')
_ATTR_RE = re.compile(rb'(\w+(?::\w+)?)="([^"]*)"')
_SHEET_RE = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?/?>")


def xlsx_sheet_members(data: bytes) -> dict[str, str]:
    """Sheet name -> worksheet XML member, from workbook.xml and its rels (best effort)."""
    return {name: member for name, (member, _) in xlsx_sheets(data).items()}


def xlsx_sheets(data: bytes) -> dict[str, tuple[str, bool]]:
    """Sheet name -> (worksheet XML member, hidden?), from workbook.xml and its rels (best
    effort: {} if they cannot be read)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        rels = {}
        for m in _REL_RE.finditer(zf.read("xl/_rels/workbook.xml.rels")):
            attrs = dict(_ATTR_RE.findall(m.group(0)))
            target = attrs.get(b"Target", b"").decode()
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            rels[attrs.get(b"Id", b"").decode()] = target
        out = {}
        for m in _SHEET_RE.finditer(zf.read("xl/workbook.xml")):
            attrs = dict(_ATTR_RE.findall(m.group(0)))
            rid = next((v for k, v in attrs.items() if k.endswith(b":id")), b"").decode()
            name = xml_unescape(attrs.get(b"name", b"").decode())
            if rid in rels:
                out[name] = (rels[rid], attrs.get(b"state", b"visible") != b"visible")
        return out
    except Exception:
        return {}


def member_head(zf: zipfile.ZipFile, member: str, size: int) -> bytes:
    """The first ``size`` bytes of a member, inflating no more however large it is."""
    with zf.open(member) as fh:
        return fh.read(size)


def xml_unescape(s: str) -> str:
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")


def col_index(letters: str) -> int:
    """Excel column letters -> 0-based index ("A" -> 0, "XFD" -> 16383)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1
