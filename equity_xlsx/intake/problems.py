"""Collects Problems where they are found; formatting happens at the edge (report)."""

from __future__ import annotations

from ..model import Problem


class Problems:
    """A list of Problem for one workbook, with helpers that fill in the file name."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Problem] = []
        self._seen: set[tuple] = set()

    def error(self, sheet: str | None, row: int | None, column: str | None, message: str, code: str = "") -> None:
        self._add("error", sheet, row, column, message, code)

    def warning(self, sheet: str | None, row: int | None, column: str | None, message: str, code: str = "") -> None:
        self._add("warning", sheet, row, column, message, code)

    def _add(self, level, sheet, row, column, message, code) -> None:
        key = (level, sheet, row, column, message)
        if key in self._seen:  # a merged cell read from several rows reports once
            return
        self._seen.add(key)
        self.items.append(Problem(level, self.file, sheet, row, column, message, code))
