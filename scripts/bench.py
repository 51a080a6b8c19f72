"""Benchmark (``make bench``): the whole run against a bare read + bare write of the same size.

Generates 100 county workbooks of 300 schools (cached in bench_out/inputs), then times
  (a) ``equity-xlsx run bench_out/inputs --out bench_out/out --jobs N`` (fresh output folder),
  (b) a bare python-calamine read of the same files (every sheet, ``to_python``),
  (c) a bare xlsxwriter write of as many cells as the outputs hold (numbers, strings and
      formulas with cached values, counted on one output),
  (d) a second run on the unchanged inputs (should skip everything),
  (e) peak memory of each run (largest single process, ru_maxrss),
  (f) one county of 5000 schools run alone,
  (g) one county given as a folder of 300 per-school 基层表 workbooks (教基 forms), and
  (h) what the pictures cost per county, in this process: the workbook written with and without
      its charts (概览 CV charts, 图表, 趋势), the one-page brief, and the 市级 roll-up
      (市级汇总.xlsx + 市级简报.html) over the run's counties.
(b) and (c) use the same number of processes as the run, so the ratio compares like with like.

    .venv/bin/python scripts/bench.py [--counties 100] [--schools 300] [--big 5000] [--jobs N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import samplegen as g  # noqa: E402

try:  # peak memory needs POSIX wait4/getrusage; the bench still times on other systems
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None

ROOT = Path(__file__).resolve().parent.parent
SEED = 7100
BIN = Path(sys.executable).parent


# ------------------------------------------------------------------------- inputs

def _gen_one(args: tuple[str, int, int, str, str]) -> int:
    path, seed, n, layout, county = args
    return g.write_random_county(Path(path), random.Random(seed), n, layout, county)


def _fingerprint(**params) -> str:
    src = (Path(g.__file__).read_bytes())
    return hashlib.sha256(json.dumps(params, sort_keys=True).encode() + src).hexdigest()[:16]


def _cached(folder: Path, stamp: Path, fingerprint: str, files: int) -> int | None:
    """The sections of an identical set already in ``folder``; else None, the folder emptied."""
    existing = sorted(folder.glob("*.xlsx"))
    if stamp.exists() and len(existing) == files:
        meta = json.loads(stamp.read_text(encoding="utf-8"))
        if meta.get("fingerprint") == fingerprint:
            return meta["sections"]
    for old in existing:
        old.unlink()
    return None


def generate(folder: Path, counties: int, schools: int, jobs: int, first_layout: str = "A") -> tuple[int, bool]:
    """Write ``counties`` workbooks into ``folder`` unless an identical set is already there.

    Returns (school sections written, whether the cache was used).
    """
    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / ".bench-params.json"
    fp = _fingerprint(counties=counties, schools=schools, seed=SEED, layout=first_layout)
    cached = _cached(folder, stamp, fp, counties)
    if cached is not None:
        return cached, True
    layouts = "AB" if first_layout == "A" else "BA"
    tasks = [(str(folder / f"基准{i:03d}县2025年学校数据.xlsx"), SEED + i, schools, layouts[i % 2], f"基准{i:03d}县")
             for i in range(counties)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        sections = sum(pool.map(_gen_one, tasks))
    stamp.write_text(json.dumps({"fingerprint": fp, "sections": sections}), encoding="utf-8")
    return sections, False


def _form_one(args: tuple[str, int]) -> int:
    import jicenggen as j

    path, i = args
    rng = random.Random(SEED * 7 + i)
    county = j.County("基准县", "480599", "基准市")
    kind = ("urban", "town", "rural")[i % 3]
    if i % 10 == 9:
        school = j.make_school(rng, county, f"基准县第{i:03d}学校", "九年一贯制学校", kind,
                               {"primary": rng.randint(200, 900), "junior": rng.randint(150, 600)}, i % 100)
    elif i % 3 == 2:
        school = j.make_school(rng, county, f"基准县第{i:03d}中学", "初级中学", kind, {"junior": rng.randint(200, 1500)},
                               i % 100)
    else:
        school = j.make_school(rng, county, f"基准县第{i:03d}小学", "小学", kind, {"primary": rng.randint(80, 2000)},
                               i % 100)
    school.code = f"2148059{i:03d}"
    j.write_school_workbook(Path(path), school, "jiaoji-2021")
    return len(school.sections)


def generate_forms(folder: Path, schools: int, jobs: int) -> tuple[int, bool]:
    """``schools`` per-school 教基 workbooks of one county in ``folder`` (cached like ``generate``)."""
    import jicenggen

    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder.parent / ".bench-forms.json"
    fp = hashlib.sha256(json.dumps({"n": schools, "seed": SEED}).encode() + Path(jicenggen.__file__).read_bytes()
                        ).hexdigest()[:16]
    cached = _cached(folder, stamp, fp, schools)
    if cached is not None:
        return cached, True
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        sections = sum(pool.map(_form_one, [(str(folder / f"学校{i:03d}.xlsx"), i) for i in range(schools)]))
    stamp.write_text(json.dumps({"fingerprint": fp, "sections": sections}), encoding="utf-8")
    return sections, False


# ------------------------------------------------------------------------ timings

def run_measured(cmd: list[str]) -> tuple[float, float | None, int, str]:
    """Run ``cmd``; return (seconds, peak RSS in MiB of its largest process, exit code, stderr tail).

    ``os.wait4`` gives this child's own rusage (it includes the worker processes it waited
    for), so earlier phases do not leak into the figure the way RUSAGE_CHILDREN would.
    ru_maxrss is KiB on Linux.
    """
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            peak = usage.ru_maxrss / 1024
        else:  # pragma: no cover
            proc.wait()
            peak = None
        elapsed = time.perf_counter() - t0
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-2000:]
    return elapsed, peak, proc.returncode, tail


def _read_one(path: str) -> int:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    cells = 0
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python()
        cells += sum(len(r) for r in rows)
    return cells


def bare_read(files: list[Path], jobs: int) -> tuple[float, int]:
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        cells = sum(pool.map(_read_one, [str(f) for f in files], chunksize=4))
    return time.perf_counter() - t0, cells


def count_output_cells(path: Path) -> dict[str, int]:
    """Cells in one output workbook by kind: number, string, formula."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    counts = {"number": 0, "string": 0, "formula": 0}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if v is None:
                    continue
                if c.data_type == "f" or (isinstance(v, str) and v.startswith("=")):
                    counts["formula"] += 1
                elif isinstance(v, str):
                    counts["string"] += 1
                else:
                    counts["number"] += 1
    wb.close()
    return counts


def estimate_output_cells(sections: int) -> dict[str, int]:
    """Used when no output exists yet: ~20 inputs + 20 formulas per school row, plus CV sheet."""
    return {"number": sections * 16, "string": sections * 4, "formula": sections * 34}


def _write_one(args: tuple[str, dict[str, int]]) -> int:
    import xlsxwriter

    path, counts = args
    wb = xlsxwriter.Workbook(path, {"constant_memory": False})
    ws = wb.add_worksheet("学校指标")
    fmt = wb.add_format({"num_format": "0.00", "border": 1})
    width = 40
    total = 0
    for kind in ("number", "string", "formula"):
        n = counts[kind]
        for i in range(n):
            r, c = divmod(total + i, width)
            if kind == "number":
                ws.write_number(r, c, i * 1.5, fmt)
            elif kind == "string":
                ws.write_string(r, c, f"大祥区第{i % 997}小学", fmt)
            else:
                ws.write_formula(r, c, f"=IFERROR(A{r + 1}*100/B{r + 1},\"\")", fmt, i * 0.5)
        total += n
    wb.close()
    return total


def bare_write(folder: Path, files: int, counts: dict[str, int], jobs: int) -> tuple[float, int]:
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        cells = sum(pool.map(_write_one, [(str(folder / f"w{i:03d}.xlsx"), counts) for i in range(files)],
                             chunksize=4))
    elapsed = time.perf_counter() - t0
    shutil.rmtree(folder, ignore_errors=True)
    return elapsed, cells


def extras(files: list[Path], out: Path) -> list[tuple[str, str, str, str, str]]:
    """(h): the extra seconds per county of the charts, the brief and the roll-up."""
    import equity_xlsx.report as report
    from equity_xlsx.brief import CountyBrief, render_county_brief, write_brief
    from equity_xlsx.city_outputs import write_city_outputs
    from equity_xlsx.identity import CountyId
    from equity_xlsx.indicators import evaluate
    from equity_xlsx.intake import read_workbook
    from equity_xlsx.report import overview
    from equity_xlsx.rulebook import load_rules
    from equity_xlsx.outcome import CountyOutcome
    from equity_xlsx.store import LedgerStore
    from equity_xlsx.vocabulary import CountySheet

    rules = load_rules("national-2017")
    evs = [evaluate(read_workbook(f, rules), rules.standard) for f in files]
    tmp = Path(tempfile.mkdtemp())

    def write_all(tag: str) -> float:
        t0 = time.perf_counter()
        for i, ev in enumerate(evs):
            report.write_report(ev, tmp / f"{tag}{i}.xlsx", rules=rules)
        return (time.perf_counter() - t0) / len(evs)

    with_charts = write_all("a")
    full, chart_data, charts = report.SHEETS, overview._cv_chart_data, overview._cv_charts
    try:  # the same workbooks without any chart: no 图表/趋势 sheets, no 概览 charts
        report.SHEETS = tuple(s for s in full if s.name not in (CountySheet.CHARTS, CountySheet.TREND))
        overview._cv_chart_data = lambda *a, **k: None
        overview._cv_charts = lambda ws, ctx, row, blocks: row
        without = write_all("b")
    finally:
        report.SHEETS, overview._cv_chart_data, overview._cv_charts = full, chart_data, charts
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    entries = [o for o in map(CountyOutcome.from_json, summary["workbooks"]) if o.ok]
    t0 = time.perf_counter()
    for o in entries:
        data = CountyBrief.of(o, rules.standard, CountyId(o.county or "", o.county_code), generated="", trend=[])
        write_brief(tmp / f"{o.county}.html", render_county_brief(data))
    brief = (time.perf_counter() - t0) / max(1, len(entries))
    t0 = time.perf_counter()
    with LedgerStore(out) as store:
        write_city_outputs(tmp, entries, rules, store)
    rollup = time.perf_counter() - t0
    shutil.rmtree(tmp, ignore_errors=True)
    n = len(entries)
    return [
        ("(h) 图表（概览图、图表、趋势）每县", _fmt(with_charts - without, ".3f"), "", "",
         f"工作簿写出 {with_charts:.3f} 秒，无图 {without:.3f} 秒（{len(evs)} 县平均，单进程）"),
        ("    一页简报 每县", _fmt(brief, ".3f"), "", "", f"{n} 县平均"),
        ("    市级汇总与市级简报", _fmt(rollup, ".2f"), "", "", f"{n} 县一次，每县 {rollup / max(1, n):.3f} 秒"),
    ]


# --------------------------------------------------------------------------- main

def _cli() -> list[str] | None:
    exe = BIN / ("equity-xlsx.exe" if os.name == "nt" else "equity-xlsx")
    if exe.exists():
        return [str(exe)]
    return None


def _fmt(x: float | None, spec: str = ".2f") -> str:
    return "—" if x is None else format(x, spec)


def main() -> int:
    ap = argparse.ArgumentParser(description="equity-xlsx benchmark")
    ap.add_argument("--counties", type=int, default=100)
    ap.add_argument("--schools", type=int, default=300)
    ap.add_argument("--big", type=int, default=5000, help="schools in the single large county (0: skip)")
    ap.add_argument("--forms", type=int, default=300, help="per-school 基层表 workbooks of one county (0: skip)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", type=Path, default=ROOT / "bench_out")
    args = ap.parse_args()
    base: Path = args.out
    inputs, out = base / "inputs", base / "out"
    rows: list[tuple[str, str, str, str, str]] = []  # label, seconds, schools/s, peak MiB, note

    t0 = time.perf_counter()
    sections, cached = generate(inputs, args.counties, args.schools, args.jobs)
    files = sorted(inputs.glob("*.xlsx"))
    rows.append((f"生成输入 {args.counties} 县 × {args.schools} 校", _fmt(time.perf_counter() - t0), "", "",
                 "已缓存" if cached else f"{sections} 个学校学段行"))

    cli = _cli()
    run_time = None
    if cli is None:
        rows.append(("(a) 完整运行", "—", "", "", "未找到 equity-xlsx 命令"))
    else:
        shutil.rmtree(out, ignore_errors=True)
        cmd = cli + ["run", str(inputs), "--out", str(out), "--jobs", str(args.jobs), "--quiet"]
        secs, peak, rc, err = run_measured(cmd)
        produced = len(list(out.glob("*_评估结果*.xlsx"))) if out.exists() else 0
        # exit code 1 means some workbooks failed; the timing only counts if most were written
        ok = rc in (0, 1) and produced >= 0.9 * len(files)
        run_time = secs if ok else None
        note = "" if rc == 0 else f"退出码 {rc}，写出 {produced}/{len(files)} 本"
        rows.append((f"(a) 完整运行 --jobs {args.jobs}", _fmt(secs), _fmt(sections / secs, ".0f"), _fmt(peak, ".0f"),
                     note))
        if not ok:
            print("完整运行未成功，以下为其错误输出的末尾：\n" + err, file=sys.stderr)

    read_time, read_cells = bare_read(files, args.jobs)
    rows.append((f"(b) calamine 读取（{args.jobs} 进程）", _fmt(read_time), _fmt(sections / read_time, ".0f"), "",
                 f"{read_cells} 格"))

    outputs = sorted(out.glob("*_评估结果*.xlsx")) if out.exists() else []
    if outputs:
        counts = count_output_cells(outputs[0])
        where = f"按输出 {outputs[0].name} 计"
    else:
        counts = estimate_output_cells(sections // max(1, len(files)))
        where = "按学校数估算"
    write_time, write_cells = bare_write(base / "bare_write", len(files), counts, args.jobs)
    rows.append((f"(c) xlsxwriter 写入（{args.jobs} 进程）", _fmt(write_time), "", "",
                 f"{write_cells} 格（每本 数字 {counts['number']}、文字 {counts['string']}、公式 {counts['formula']}；{where}）"))
    if run_time is not None:
        ratio = run_time / (read_time + write_time)
        rows.append(("    比值 运行 / (读 + 写)", _fmt(ratio), "", "", "达到目标 ≤ 2" if ratio <= 2 else "未达目标 ≤ 2"))

    if cli is not None and run_time is not None:
        cmd = cli + ["run", str(inputs), "--out", str(out), "--jobs", str(args.jobs), "--quiet"]
        secs, peak, rc, err = run_measured(cmd)
        rows.append(("(d) 第二次运行（输入未变）", _fmt(secs), "", _fmt(peak, ".0f"),
                     (f"为首次的 {secs / run_time:.0%}" if run_time else "") + ("" if rc == 0 else f"；退出码 {rc}")))

    if args.big and cli is not None:
        big_in, big_out = base / "big", base / "big_out"
        big_sections, big_cached = generate(big_in, 1, args.big, 1)
        shutil.rmtree(big_out, ignore_errors=True)
        cmd = cli + ["run", str(big_in), "--out", str(big_out), "--jobs", "1", "--quiet"]
        secs, peak, rc, err = run_measured(cmd)
        rows.append((f"(f) 单县 {args.big} 校", _fmt(secs), _fmt(big_sections / secs, ".0f"), _fmt(peak, ".0f"),
                     ("" if rc == 0 else f"退出码 {rc}")))
        if rc not in (0, 1):
            print(err, file=sys.stderr)

    if args.forms and cli is not None:
        forms_in, forms_out = base / "forms", base / "forms_out"
        n_forms, forms_cached = generate_forms(forms_in / "基准县2025年基层表", args.forms, args.jobs)
        shutil.rmtree(forms_out, ignore_errors=True)
        cmd = cli + ["run", str(forms_in), "--out", str(forms_out), "--jobs", str(args.jobs), "--quiet"]
        secs, peak, rc, err = run_measured(cmd)
        rows.append((f"(g) 单县 {args.forms} 个学校基层表工作簿", _fmt(secs), _fmt(n_forms / secs, ".0f"), _fmt(peak, ".0f"),
                     ("" if rc == 0 else f"退出码 {rc}")))
        if rc not in (0, 1):
            print(err, file=sys.stderr)

    if outputs:
        rows += extras(files[:5], out)

    if resource is not None:
        kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        rows.append(("(e) 全部子进程中的最大常驻内存", "", "", _fmt(kib / 1024, ".0f"), "RUSAGE_CHILDREN，ru_maxrss 单位 KiB"))

    head = ("项目", "秒", "学校/秒", "峰值内存 MiB", "说明")
    widths = [max(_w(r[i]) for r in rows + [head]) for i in range(4)]
    print()
    for r in [head] + rows:
        print("  ".join(_pad(r[i], widths[i]) for i in range(4)) + "  " + r[4])
    print(f"\n学校/秒 按学校学段行计（{sections} 行）；峰值内存为单个进程的最大值（Linux ru_maxrss, KiB→MiB）。")
    return 0


def _w(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _w(text))


if __name__ == "__main__":
    sys.exit(main())
