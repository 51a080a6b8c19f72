"""Screenshot a brief the run wrote (简报), for the README.

``make run`` writes ``out/<县>_简报.html`` for every county and ``out/市级简报.html``; this takes
one of them and saves what headless Chromium shows (A4 at 96 dpi: 794 × 1123 px):

    .venv/bin/python scripts/brief_sample.py [--brief out/大祥区_简报.html] [--png docs/brief_sample.png]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def screenshot(html: Path, png: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("chromium is not on PATH")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={profile}", f"--screenshot={png}", "--window-size=794,1123",
                        "--hide-scrollbars", html.resolve().as_uri()], check=True, capture_output=True, timeout=60)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--brief", type=Path, default=ROOT / "out" / "大祥区_简报.html")
    ap.add_argument("--png", type=Path, default=ROOT / "docs" / "brief_sample.png")
    args = ap.parse_args()
    if not args.brief.exists():
        raise SystemExit(f"{args.brief} 不存在：请先 make run")
    screenshot(args.brief, args.png)
    print(f"截图 → {args.png}")


if __name__ == "__main__":
    main()
