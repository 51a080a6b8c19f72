"""The run cache in ``OUT/.equity-cache``: what the last runs learnt, so an unchanged night
costs little.

- ``inputs.json``: each input by content hash, with its kind and, per county in it, the
  county's identity and schools; an unchanged input is then filed without being read.
- one file per county: its last outcome, the fingerprint it was evaluated under (its inputs'
  hashes, the rules, the tool version, the data year) and the result workbooks as the tool
  left them. An unchanged county is answered from here, unless staff saved its result since.

Losing the cache costs one slower night, never a result: everything in it is derived.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import __version__
from .filing import Piece, Roster
from .identity import CountyId
from .inputs import InputFile, file_hash
from .outcome import CountyOutcome
from .outputs import CACHE_DIR, atomic_write, lock_exists, output_path
from .rulebook import Rules

INDEX_FILE = "inputs.json"


def rules_hash(rules: Rules) -> str:
    """A digest of the merged rules (standard with what it extends, aliases, tasks, county codes)."""
    text = repr((rules.standard, rules.aliases, rules.tasks, rules.counties))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(rules_digest: str, year: int | None, inputs: dict[str, str | None]) -> dict:
    """What a county's outcome depends on: its inputs (name -> hash), the rules, the tool and
    the data year given with --year. A cached outcome is used only under the same fingerprint."""
    return {"rules": rules_digest, "tool": __version__, "year": year, "inputs": inputs}


class RunCache:
    """What the last runs learnt (see the module doc), for output folder ``out_dir``."""

    def __init__(self, out_dir: Path):
        self.dir = out_dir / CACHE_DIR
        self.index: dict[str, dict] = self._load(self.dir / INDEX_FILE).get("inputs", {})

    @staticmethod
    def _load(path: Path) -> dict:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def pieces_of(self, f: InputFile, digest: str | None) -> tuple[str, list[Piece]] | None:
        """What an unchanged input was last time: its kind and, per county in it, a piece
        without its data (read again only if the county is evaluated). None when the input is
        new, changed, or was remembered before the cache kept each county's schools."""
        known = self.index.get(f.name)
        if digest is None or not known or known.get("hash") != digest:
            return None
        counties = known.get("counties") or []
        if not counties or any("schools" not in c for c in counties):
            return None
        return known.get("kind", "county"), [
            Piece(CountyId(c["name"], c.get("code"), c.get("source", "title")), None, Roster.from_json(c["schools"]))
            for c in counties]

    def remember_input(self, f: InputFile, digest: str | None, kind: str, pieces: list[Piece]) -> None:
        """Remember what input ``f`` (content ``digest``) gave; nothing for an unreadable file."""
        if digest is not None:
            self.index[f.name] = {"hash": digest, "kind": kind, "counties": [
                {"name": p.county.name, "code": p.county.code, "source": p.county.source,
                 "schools": p.roster.to_json()} for p in pieces]}

    def _county_file(self, key: str) -> Path:
        return self.dir / f"{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}.json"

    def outcome(self, key: str, fingerprint: dict, out_dir: Path, today: str) -> CountyOutcome | None:
        """Last run's outcome when the county's inputs, rules and tool are unchanged, its output
        still exists, and no greyed 已销号 line is due to move (``recheck_on``)."""
        cached = self._load(self._county_file(key))
        entry = cached.get("entry") or {}
        out, recheck, brief = entry.get("output"), entry.get("recheck_on"), entry.get("brief")
        if (not entry or cached.get("fingerprint") != fingerprint or (out and not (out_dir / out).exists())
                or (brief and not (out_dir / brief).exists())
                or (recheck is not None and today >= recheck)):
            return None
        outcome = CountyOutcome.from_json(entry)
        outcome.skipped = True
        return outcome

    def written(self, key: str) -> dict[str, str]:
        """The result workbooks of the county as the last evaluation left them: name -> sha256."""
        return dict(self._load(self._county_file(key)).get("written") or {})

    def remember_outcome(self, key: str, fingerprint: dict, outcome: CountyOutcome,
                         written: dict[str, str] | None = None) -> None:
        """Keep a county's outcome, its fingerprint and its result workbooks' hashes (``written``)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        doc = {"fingerprint": fingerprint, "entry": outcome.to_json(), "written": written or {}}
        atomic_write(self._county_file(key), lambda p: p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8"))

    def save(self) -> None:
        """Write the inputs' index (atomically)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        doc = json.dumps({"inputs": self.index}, ensure_ascii=False, indent=1)
        atomic_write(self.dir / INDEX_FILE, lambda p: p.write_text(doc, encoding="utf-8"))


def written_hashes(out_dir: Path, stem: str) -> dict[str, str]:
    """The county's result workbooks as they are now (name -> sha256): the result and its (新) copy."""
    out = {}
    for path in (output_path(out_dir, stem), output_path(out_dir, stem, busy=True)):
        try:
            out[path.name] = file_hash(path)
        except OSError:
            continue
    return out


def staff_may_have_typed(out_dir: Path, stem: str, written: dict[str, str]) -> bool:
    """True when a result workbook of ``stem`` is not as the tool left it (saved by a person,
    or new to the cache), or a (新) copy waits to be merged now that the result is closed."""
    result, busy = output_path(out_dir, stem), output_path(out_dir, stem, busy=True)
    if busy.exists() and not lock_exists(result):
        return True
    return written_hashes(out_dir, stem) != written
