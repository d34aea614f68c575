"""No shown count is small, and no hidden count can be worked out from the shown cells and totals."""

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.reports.suppression import Equation, one_way, rows_and_columns, suppress

K = 10


def attacker(cells, equations) -> dict:
    """Solves every equation with a single unknown, again and again, as a reader with a calculator would."""
    known = {k: c.count for k, c in cells.items() if not c.suppressed}
    progress = True
    while progress:
        progress = False
        for eq in equations:
            members = (eq.total, *eq.parts)
            unknown = [m for m in members if m not in known]
            if len(unknown) == 1:
                u = unknown[0]
                known[u] = (known[eq.total] - sum(known[p] for p in eq.parts if p != u)) if u != eq.total \
                    else sum(known[p] for p in eq.parts)
                progress = True
    return known


def check(values, equations, k=K):
    cells = suppress(values, equations, k)
    for key, cell in cells.items():
        assert cell.suppressed or not 0 < cell.count < k, (key, cell)      # nothing small is shown
        if values[key] >= k and all(v == 0 or v >= k for v in values.values()):
            assert not cell.suppressed                                      # nothing needless is hidden
    solved = attacker(cells, equations)
    for key, cell in cells.items():
        if cell.suppressed:
            assert key not in solved, (key, values[key])                    # nothing hidden is recoverable
    for key, n in values.items():
        if n == 0:
            assert not cells[key].suppressed or any(key in eq.parts for eq in equations)
    return cells


counts = st.integers(min_value=0, max_value=40)


@given(st.dictionaries(st.sampled_from("abcdefgh"), counts, min_size=1))
@settings(max_examples=300, deadline=None)
def test_one_way_tables(parts):
    values, equations = one_way("total", parts)
    check(values, equations)


@given(st.dictionaries(st.sampled_from("abcdef"), counts, min_size=1), st.integers(min_value=0, max_value=15))
@settings(max_examples=200, deadline=None)
def test_one_way_tables_with_an_unpublished_remainder(parts, rest):
    values, equations = one_way("total", parts, total=sum(parts.values()) + rest)
    check(values, equations)


@given(st.lists(st.lists(counts, min_size=1, max_size=6), min_size=1, max_size=6).filter(
    lambda rows: len({len(r) for r in rows}) == 1))
@settings(max_examples=300, deadline=None)
def test_two_way_tables_with_row_and_column_totals(rows):
    cells = {(r, c): n for r, row in enumerate(rows) for c, n in enumerate(row)}
    values, equations = rows_and_columns(cells, range(len(rows)), range(len(rows[0])),
                                         row_key=lambda r: ("row", r), column_key=lambda c: ("col", c), grand="grand")
    check(values, equations)


def test_a_small_part_takes_a_second_part_with_it():
    cells = suppress({"total": 45, "a": 3, "b": 30, "c": 12}, [Equation("total", ("a", "b", "c"))], K)
    assert cells["a"].suppressed and cells["c"].suppressed and not cells["b"].suppressed
    assert cells["total"].count == 45 and cells["c"].count is None


def test_zero_is_shown_and_large_counts_stay():
    cells = suppress({"total": 20, "a": 0, "b": 20}, [Equation("total", ("a", "b"))], K)
    assert {k: c.count for k, c in cells.items()} == {"total": 20, "a": 0, "b": 20}


def test_a_small_total_hides_the_table():
    cells = suppress({"total": 7, "a": 7, "b": 0}, [Equation("total", ("a", "b"))], K)
    assert cells["total"].suppressed and cells["a"].suppressed and not cells["b"].suppressed
