"""A brief printed and photographed by headless Chromium, read back with poppler.

Shared by the brief tests (a helper module, not a test module). ``@browser`` marks a test
``chromium`` and skips it where Chromium or poppler is missing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from equity_xlsx.brief import write_brief

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
POPPLER = shutil.which("pdfinfo") and shutil.which("pdftotext")
_needs = pytest.mark.skipif(not (CHROMIUM and POPPLER),
                            reason="needs headless Chromium (Debian: chromium) and poppler-utils (pdfinfo, pdftotext)")


def browser(test):
    """Mark ``test`` as printing with Chromium (``chromium``), skipped without Chromium or poppler."""
    return pytest.mark.chromium(_needs(test))


# What Chromium's own machinery logs on a box without a desktop session; never about the page.
NOISE = re.compile(r"dbus|gpu|vaapi|viz|gl_|angle|sandbox|zygote|upower|idle_linux|fontconfig|power_monitor")


def chromium(html_path: Path, *mode: str) -> str:
    """Run headless Chromium once on the saved page (file:// URL); return its stderr."""
    with tempfile.TemporaryDirectory() as profile:
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=2000",
               *mode, html_path.resolve().as_uri()]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stderr


def page_problems(stderr: str) -> list[str]:
    """Lines of Chromium's log that speak of the page: script errors, failed loads, errors."""
    out = []
    for line in stderr.splitlines():
        if "Uncaught" in line or "CONSOLE" in line or "net::ERR" in line:
            out.append(line)
        elif "ERROR:" in line and not NOISE.search(line):
            out.append(line)
    return out


def print_pdf(html: str, tmp_path: Path, name: str) -> tuple[dict, str]:
    """Save ``html``, print it with Chromium; return (pdfinfo fields, pdftotext text)."""
    page = write_brief(tmp_path / f"{name}.html", html)
    pdf = tmp_path / f"{name}.pdf"
    log = chromium(page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert page_problems(log) == []
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, v in fields.items()}, text


def assert_one_a4_page(info: dict) -> None:
    assert info["Pages"] == "1"
    width, height = map(float, re.match(r"([\d.]+) x ([\d.]+) pts", info["Page size"]).groups())
    assert abs(width - 595) <= 1 and abs(height - 842) <= 1
