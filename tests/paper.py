"""What a workbook looks like on paper: LibreOffice prints it to PDF, poppler reads it back.

``print_pdf`` converts a workbook with LibreOffice headless (every sheet, as its page set-up
says); ``read_pages`` returns each page's words with their boxes (``pdftotext -bbox``) and
the sheet it belongs to (the tool puts the sheet's name at the left of every footer).

Font size from a box: LibreOffice's PDF text boxes (Noto Sans CJK, Carlito, DejaVu) are
1.3 × the printed size high (measured: 10 pt text at 100 % → 13.0 pt boxes, at 50 % → 6.5).
Text rotated 90° (chart axis labels) comes as a box whose width is that line height and
whose height is the text's advance, so the size is read from the side that is not the
advance (CJK advance 1 em, Latin about 0.55 em).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
LINE_HEIGHT = 1.3  # box height / font size
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


@dataclass
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def measurable(self) -> bool:
        """A single narrow character ("/", ".") has no side to read a size from."""
        return len(self.text) > 1 or unicodedata.east_asian_width(self.text) in "WF"

    @property
    def size(self) -> float:
        """The printed font size (pt), horizontal or rotated."""
        h, w = self.y1 - self.y0, self.x1 - self.x0
        advance = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in self.text) or 1.0
        horizontal = abs(h / LINE_HEIGHT - w / advance)
        rotated = abs(h / advance - w / LINE_HEIGHT)
        return h / LINE_HEIGHT if horizontal <= rotated else w / LINE_HEIGHT


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list[Word] = field(default_factory=list)
    sheet: str = ""

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.words)


def print_pdf(workbook: Path, out_dir: Path, timeout: float = 300) -> Path:
    """``workbook`` printed to PDF by LibreOffice (a fresh profile, a copy under a plain name)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo_print_") as tmp:
        src = Path(tmp) / f"book{workbook.suffix}"
        shutil.copyfile(workbook, src)
        profile = Path(tmp) / "profile"
        subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(out_dir), str(src)],
                       capture_output=True, timeout=timeout, check=True)
    pdf = out_dir / "book.pdf"
    target = out_dir / f"{workbook.stem}.pdf"
    pdf.replace(target)
    return target


def read_pages(pdf: Path) -> list[Page]:
    """Every page's words; ``sheet`` from the footer's left part ("概览   第 1 页，共 9 页")."""
    html = subprocess.run([PDFTOTEXT, "-bbox", str(pdf), "-"], capture_output=True, check=True,
                          text=True).stdout
    pages = []
    for n, chunk in enumerate(html.split("<page ")[1:], start=1):
        width, height = (float(x) for x in re.search(r'width="([\d.]+)" height="([\d.]+)"', chunk).groups())
        page = Page(n, width, height, [Word(*map(float, m.groups()[:4]), m.group(5)) for m in _WORD.finditer(chunk)])
        marker = max((w for w in page.words if w.text == "第" and w.y0 > height - 60), key=lambda w: w.y0,
                     default=None)
        if marker is not None:
            line = [w for w in page.words if abs(w.y0 - marker.y0) < 1 and abs(w.y1 - marker.y1) < 1]
            left = min(line, key=lambda w: w.x0)
            page.sheet = left.text if left is not marker and left.x0 < 60 else ""
            page.words = [w for w in page.words if w not in line]
        pages.append(page)
    return pages


def by_sheet(pages: list[Page]) -> dict[str, list[Page]]:
    out: dict[str, list[Page]] = {}
    for p in pages:
        out.setdefault(p.sheet, []).append(p)
    return out


def squeezed(text: str) -> str:
    """Text without whitespace, for finding a wrapped cell's text in a page's words."""
    return re.sub(r"\s+", "", text)


def raw_text(pdf: Path) -> list[str]:
    """Each page's text in drawing order (``pdftotext -raw``): a wrapped cell's lines follow
    one another, so a cell's whole text can be looked for in its page's text."""
    out = subprocess.run([PDFTOTEXT, "-raw", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    return out.split("\f")
