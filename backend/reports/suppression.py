"""Small-cell suppression, the one place it happens (official-statistics practice, domain.md):
a count from 1 to k-1 is hidden (primary suppression; zero may be shown), and wherever an equation of
the published tables (a total and its parts) would leave a single hidden cell, one more cell of that
equation is hidden (complementary suppression), repeated until no equation has exactly one.

Tables are described as named cells and the equations between them, so tables that share cells (the
prefecture total, the scene totals, the area totals) are protected together."""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    count: int | None
    suppressed: bool

    @classmethod
    def shown(cls, n: int) -> "Cell":
        return cls(n, False)


HIDDEN = Cell(None, True)


@dataclass(frozen=True)
class Equation:
    total: Hashable
    parts: tuple[Hashable, ...]


def suppress(values: Mapping[Hashable, int], equations: Iterable[Equation], k: int) -> dict[Hashable, Cell]:
    """Every cell of `values`, shown or hidden. Each equation must hold: values[total] == sum(parts)."""
    equations = list(equations)
    hidden = {key for key, n in values.items() if 0 < n < k}
    changed = True
    while changed:
        changed = False
        for eq in equations:
            members = (eq.total, *eq.parts)
            unknown = [m for m in members if m in hidden]
            if len(unknown) != 1:
                continue
            hidden.add(_complement(eq, hidden, values))
            changed = True
    return {key: HIDDEN if key in hidden else Cell.shown(n) for key, n in values.items()}


def _complement(eq: Equation, hidden: set, values: Mapping[Hashable, int]) -> Hashable:
    """The part that costs the least information: the smallest non-zero shown part (a hidden zero would
    tell that its partner is the whole difference); failing that any shown part; failing that the total."""
    shown = [p for p in eq.parts if p not in hidden]
    nonzero = [p for p in shown if values[p] > 0]
    pool = nonzero or shown
    if not pool:
        return eq.total
    return min(pool, key=lambda p: (values[p], repr(p)))


def one_way(total_key: Hashable, parts: Mapping[Hashable, int], *, total: int | None = None) -> tuple[dict, list[Equation]]:
    """A total and its parts as values and equations. Parts that do not add up to the total get an
    unpublished remainder cell, so it is protected like any other part."""
    values = dict(parts)
    total = sum(parts.values()) if total is None else total
    values[total_key] = total
    keys = tuple(parts)
    rest = total - sum(parts.values())
    if rest:
        values[(total_key, "remainder")] = rest
        keys = (*keys, (total_key, "remainder"))
    return values, [Equation(total_key, keys)]


def rows_and_columns(cells: Mapping[tuple[Hashable, Hashable], int], rows: Sequence[Hashable], columns: Sequence[Hashable],
                     *, row_key, column_key, grand: Hashable) -> tuple[dict, list[Equation]]:
    """A two-way table with its row totals, column totals and grand total."""
    values = {(r, c): cells.get((r, c), 0) for r in rows for c in columns}
    equations = []
    for r in rows:
        values[row_key(r)] = sum(values[(r, c)] for c in columns)
        equations.append(Equation(row_key(r), tuple((r, c) for c in columns)))
    for c in columns:
        values[column_key(c)] = sum(values[(r, c)] for r in rows)
        equations.append(Equation(column_key(c), tuple((r, c) for r in rows)))
    values[grand] = sum(values[row_key(r)] for r in rows)
    equations.append(Equation(grand, tuple(row_key(r) for r in rows)))
    equations.append(Equation(grand, tuple(column_key(c) for c in columns)))
    return values, equations
