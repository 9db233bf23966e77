"""The validation report: every input row is accepted or rejected with a reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and why it matters."""

    file: str
    row: int | None  # 1-based data row (header excluded); None for file-level problems
    column: str | None
    reason: str
    severity: str = "error"  # "error" rejects the row (or file); "warning" keeps it

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{self.severity.upper()}: {where}: {self.reason}"


@dataclass
class FileTally:
    file: str
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    file_error: bool = False

    @property
    def reconciles(self) -> bool:
        return self.read == self.accepted + self.rejected


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)
    tallies: dict[str, FileTally] = field(default_factory=dict)

    def tally(self, file: str) -> FileTally:
        return self.tallies.setdefault(file, FileTally(file))

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def rejected_rows(self, file: str) -> set[int]:
        return {p.row for p in self.errors if p.file == file and p.row is not None}

    def render(self) -> str:
        lines = []
        for t in self.tallies.values():
            if t.file_error:
                lines.append(f"{t.file}: not read (see below)")
            else:
                lines.append(
                    f"{t.file}: {t.read} rows read, {t.accepted} accepted, {t.rejected} rejected"
                )
        if self.problems:
            lines.append("")
            lines.extend(str(p) for p in self.problems)
        counts = Counter(p.severity for p in self.problems)
        lines.append("")
        lines.append(
            f"{counts.get('error', 0)} error(s), {counts.get('warning', 0)} warning(s)"
            + (": the data is valid." if self.ok else ".")
        )
        return "\n".join(lines)
