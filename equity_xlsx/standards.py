"""Load and validate the rule files in ``rules/`` into typed objects.

A standards profile is a TOML file; ``extends = "other"`` merges it over another
profile of the bundled folder (tables merge key by key, everything else replaces).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).parent / "rules"
STANDARDS_DIR = RULES_DIR / "standards"
DEFAULT_STANDARD = "national-2017"


class RuleError(ValueError):
    """A rule file is missing or malformed; the message is Chinese, for the user."""


@dataclass(frozen=True)
class Shortfall:
    what: str
    unit: str
    whole: bool


@dataclass(frozen=True)
class Indicator:
    """One 资源配置 indicator: value = numerator × scale / students."""

    id: int
    name: str
    short: str
    numerator: str
    scale: float
    unit: str
    standard: dict[str, float]
    shortfall: Shortfall


@dataclass(frozen=True)
class Standard:
    name: str
    title: str
    description: str
    path: Path
    indicators: tuple[Indicator, ...]
    min_met: int
    floor_ratio: float
    cv_limit: dict[str, float]
    critical_margin: float
    display_decimals: int
    scope: dict[str, Any]
    split_fields: tuple[str, ...]
    split_weights: dict[str, dict[str, float]]
    units: dict[str, Any]
    checks: dict[str, Any]
    county_checks: dict[str, dict[str, Any]]
    b_scoring: dict[str, Any]
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    def indicator(self, ind_id: int) -> Indicator:
        for ind in self.indicators:
            if ind.id == ind_id:
                return ind
        raise KeyError(ind_id)


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise RuleError(f"找不到规则文件：{path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"规则文件格式错误：{path}：{exc}") from None


def _resolve(name_or_path: str) -> Path:
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return path
    return STANDARDS_DIR / f"{name_or_path}.toml"


def _load_raw(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    if path in seen:
        raise RuleError(f"标准文件循环继承：{path}")
    data = _read_toml(path)
    parent = data.pop("extends", None)
    if parent:
        data = _merge(_load_raw(_resolve(parent), seen + (path,)), data)
    return data


def _need(data: dict, key: str, where: str) -> Any:
    if key not in data:
        raise RuleError(f"标准文件缺少 {where}{key}")
    return data[key]


def _parse(data: dict, path: Path) -> Standard:
    profile = _need(data, "profile", "")
    inds = []
    for raw in _need(data, "indicator", ""):
        try:
            inds.append(
                Indicator(
                    id=int(raw["id"]),
                    name=raw["name"],
                    short=raw.get("short", raw["name"]),
                    numerator=raw["numerator"],
                    scale=float(raw.get("scale", 1)),
                    unit=raw.get("unit", ""),
                    standard={k: float(v) for k, v in raw["standard"].items()},
                    shortfall=Shortfall(**raw["shortfall"]),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RuleError(f"标准文件 {path.name} 的 [[indicator]] 有误：{exc}") from None
    inds.sort(key=lambda i: i.id)
    cv = _need(data, "cv", "")
    rule = _need(data, "pass_rule", "")
    split = data.get("split", {})
    return Standard(
        name=profile["name"],
        title=profile.get("title", profile["name"]),
        description=profile.get("description", ""),
        path=path,
        indicators=tuple(inds),
        min_met=int(rule["min_met"]),
        floor_ratio=float(rule["floor_ratio"]),
        cv_limit={k: float(v) for k, v in cv["limit"].items()},
        critical_margin=float(cv.get("critical_margin", 0.01)),
        display_decimals=int(cv.get("display_decimals", 3)),
        scope=data.get("scope", {}),
        split_fields=tuple(split.get("fields", ())),
        split_weights={k: v for k, v in split.items() if isinstance(v, dict)},
        units=data.get("units", {}),
        checks=data.get("checks", {}),
        county_checks=data.get("county_checks", {}),
        b_scoring=data.get("b_scoring", {}),
        raw=data,
    )


@lru_cache(maxsize=None)
def load_standard(name_or_path: str = DEFAULT_STANDARD) -> Standard:
    """Load a bundled profile by name (``national-2017``) or a profile file by path."""
    path = _resolve(name_or_path)
    if not path.exists():
        names = "、".join(bundled_standards())
        raise RuleError(f"找不到标准“{name_or_path}”。可用的内置标准：{names}")
    return _parse(_load_raw(path), path)


def bundled_standards() -> list[str]:
    return sorted(p.stem for p in STANDARDS_DIR.glob("*.toml"))


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str  # "number" | "text"
    unit: str  # unit family; "" for text
    aliases: tuple[str, ...]
    stage: str | None = None


@dataclass(frozen=True)
class Aliases:
    fields: dict[str, FieldSpec]
    composites: dict[str, tuple[tuple[str, ...], ...]]
    units: dict[str, dict[str, float]]
    total_words: tuple[str, ...]
    note_prefixes: tuple[str, ...]
    stages: dict[str, tuple[str, ...]]
    school_types: dict[str, tuple[str, ...]]
    county_fields: dict[str, dict[str, Any]]

    def canonical_unit(self, family: str) -> str:
        return next(iter(self.units[family]))


@lru_cache(maxsize=None)
def load_aliases(path: str | None = None) -> Aliases:
    """Load the header alias table (``rules/aliases.toml`` unless a path is given)."""
    data = _read_toml(Path(path) if path else RULES_DIR / "aliases.toml")
    fields = {}
    for name, raw in data["fields"].items():
        kind = raw.get("kind", "number")
        fields[name] = FieldSpec(
            name=name,
            label=raw["label"],
            kind=kind,
            unit=raw.get("unit", "" if kind == "text" else "count"),
            aliases=tuple(raw.get("aliases", ())),
            stage=raw.get("stage"),
        )
    return Aliases(
        fields=fields,
        composites={k: tuple(tuple(p) for p in v) for k, v in data.get("composites", {}).items()},
        units={k: {u: float(f) for u, f in v.items()} for k, v in data.get("units", {}).items()},
        total_words=tuple(data.get("rows", {}).get("total_words", ())),
        note_prefixes=tuple(data.get("rows", {}).get("note_prefixes", ())),
        stages={k: tuple(v) for k, v in data.get("stages", {}).items()},
        school_types={k: tuple(v) for k, v in data.get("school_types", {}).items()},
        county_fields=data.get("county_fields", {}),
    )
