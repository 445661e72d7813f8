"""What an import reports: one outcome per row (new / update / unchanged / error) with its changed
columns or errors, the file-level problems, the counts and the time each phase took."""

from __future__ import annotations

from dataclasses import dataclass, field

from duijie.imports.kinds import Kind

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"


def _no_progress(phase: str, done: int, total: int) -> None:
    pass


class ImportFailed(Exception):
    pass


@dataclass(slots=True)
class RowResult:
    row: int
    outcome: str = NEW
    label: str = ""
    changes: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""
    # (header, the value as read) of every non-empty cell but personal data: shown beside the
    # outcome in the preview so a misread is visible (the first PREVIEW_VALUE_ROWS rows only).
    values: list[tuple[str, str]] = field(default_factory=list)


PREVIEW_VALUE_ROWS = 5000
VALUE_CHARS = 60  # a value shown in the preview is cut after this many characters


@dataclass
class Result:
    kind: Kind
    file_name: str
    file_type: str = ""
    encoding: str = ""
    header_row: int = 0
    notes: list[str] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    committed: bool = False
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase: read, plan, write

    @property
    def counts(self) -> dict[str, int]:
        counts = {"new": 0, "updated": 0, "unchanged": 0, "errors": 0}
        for r in self.rows:
            counts[{NEW: "new", UPDATE: "updated", UNCHANGED: "unchanged", ERROR: "errors"}[r.outcome]] += 1
        counts["errors"] += len(self.file_errors)
        return counts

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(r.outcome == ERROR for r in self.rows)

    def errors(self) -> list[tuple[int | None, str, str]]:
        """(row as Excel shows it, column header, reason); file-level problems have no row."""
        out: list[tuple[int | None, str, str]] = [(None, "", msg) for msg in self.file_errors]
        for r in self.rows:
            out.extend((r.row, col, reason) for col, reason in r.errors)
        return out
