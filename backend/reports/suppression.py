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
    while True:
        _single_unknowns(equations, hidden, values)
        # an equation with one unknown is the obvious leak; combinations of equations are the others
        # (in a two-way table, a hidden cell bridging two groups of hidden cells), so check exactly
        fixed = determined(equations, hidden)
        if not fixed:
            break
        hidden.add(_widen(min(fixed, key=repr), equations, hidden, values))
    return {key: HIDDEN if key in hidden else Cell.shown(n) for key, n in values.items()}


def _single_unknowns(equations: list[Equation], hidden: set, values: Mapping[Hashable, int]) -> None:
    changed = True
    while changed:
        changed = False
        for eq in equations:
            if sum(1 for m in (eq.total, *eq.parts) if m in hidden) == 1:
                hidden.add(_complement(eq, hidden, values))
                changed = True


def _widen(cell: Hashable, equations: list[Equation], hidden: set, values: Mapping[Hashable, int]) -> Hashable:
    """One more cell next to a hidden cell the equations still fix: the smallest non-zero shown cell of
    an equation it is in (else of any equation)."""
    near = [m for eq in equations if cell in (eq.total, *eq.parts) for m in (eq.total, *eq.parts) if m not in hidden]
    pool = near or [m for eq in equations for m in (eq.total, *eq.parts) if m not in hidden]
    pool = [m for m in pool if values[m] > 0] or pool
    return min(pool, key=lambda m: (values[m], repr(m)))


P = (1 << 61) - 1  # elimination modulo a large prime: exact for these small 0/±1 systems, and fast


def determined(equations: Iterable[Equation], hidden: set) -> set:
    """The hidden cells whose values the shown cells and the equations fix (sparse Gauss-Jordan
    elimination over the hidden cells; a pivot row with nothing else in it fixes its cell)."""
    index = {key: i for i, key in enumerate(sorted(hidden, key=repr))}
    keys = {i: key for key, i in index.items()}
    pivots: dict[int, dict[int, int]] = {}
    for eq in equations:
        row: dict[int, int] = {}
        for key, sign in ((eq.total, 1), *((p, -1) for p in eq.parts)):
            if key in index:
                row[index[key]] = (row.get(index[key], 0) + sign) % P
        for column, pivot in pivots.items():
            if row.get(column):
                factor = row[column]
                for c, v in pivot.items():
                    row[c] = (row.get(c, 0) - factor * v) % P
        row = {c: v for c, v in row.items() if v}
        if not row:
            continue
        column = min(row)
        inverse = pow(row[column], P - 2, P)
        row = {c: v * inverse % P for c, v in row.items()}
        for other in pivots.values():
            if other.get(column):
                factor = other[column]
                for c, v in row.items():
                    other[c] = (other.get(c, 0) - factor * v) % P
                for c in [c for c, v in other.items() if not v]:
                    del other[c]
        pivots[column] = row
    return {keys[column] for column, row in pivots.items() if len(row) == 1}


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
