"""Township rankings (geo.rankings): periods, normalisation, redistribution, ties, bottom
places, consecutive counting across years, flags."""
from datetime import date

import pytest

from geo import rankings as r


def test_periods_run_across_year_boundaries():
    assert r.next_period("2026-12") == "2027-01"
    assert r.previous_period("2027-01") == "2026-12"
    assert r.next_period("2026Q4") == "2027Q1"
    assert r.previous_period("2027Q1") == "2026Q4"
    assert r.period_dates("2026-12") == (date(2026, 12, 1), date(2027, 1, 1))
    assert r.period_dates("2026Q4") == (date(2026, 10, 1), date(2027, 1, 1))
    assert r.period_dates("2026-02") == (date(2026, 2, 1), date(2026, 3, 1))
    assert r.period_of(date(2026, 11, 26), "quarter") == "2026Q4"
    assert r.last_ended(date(2026, 1, 5), "month") == "2025-12"


@pytest.mark.parametrize("bad", ["2026-13", "2026Q5", "2026-1", "26Q1", "", "2026q1", "2026-00"])
def test_bad_periods_refused(bad):
    with pytest.raises(ValueError):
        r.period_kind(bad)


def test_normalise_scales():
    assert r.normalise({"a": 0.5, "b": None, "c": 1.0}, "share") == {"a": 50.0, "b": None, "c": 100.0}
    assert r.normalise({"a": 1.0, "b": 5.0, "c": 4.0}, "mean5") == {"a": 0.0, "b": 100.0, "c": 75.0}
    assert r.normalise({"a": 0, "b": 2, "c": 4}, "minmax", higher_is_better=False) == {"a": 100.0, "b": 50.0,
                                                                                      "c": 0.0}
    assert r.normalise({"a": 3, "b": 3}, "minmax") == {"a": 100.0, "b": 100.0}
    assert r.normalise({"a": float("nan")}, "share") == {"a": None}


def test_missing_input_weight_redistributed():
    # weights 1 and 3: with both, (1*40 + 3*80)/4 = 70; without the second, 40 alone
    assert r.weighted_score({"x": 40.0, "y": 80.0}, {"x": 1, "y": 3}) == 70.0
    assert r.weighted_score({"x": 40.0, "y": None}, {"x": 1, "y": 3}) == 40.0
    assert r.weighted_score({"x": None, "y": None}, {"x": 1, "y": 3}) is None
    assert r.weighted_score({"x": 40.0}, {"x": 0}) is None


def test_competition_ranks_with_ties():
    assert r.competition_ranks({"a": 90, "b": 80, "c": 80, "d": 70, "e": None}) == {
        "a": 1, "b": 2, "c": 2, "d": 4, "e": None}
    assert r.competition_ranks({"a": 80.001, "b": 79.999}) == {"a": 1, "b": 1}  # equal to 2 decimals


def test_tie_at_the_bottom_all_count():
    scores = {"a": 90, "b": 80, "c": 70, "d": 70}
    assert r.bottom_places(scores, 1) == {"c", "d"}
    assert r.bottom_places({"a": 90, "b": 80, "c": 80, "d": 70}, 2) == {"b", "c", "d"}
    assert r.bottom_places({"a": 90, "b": 80, "c": None}, 1) == {"b"}
    assert r.bottom_places({"a": None}, 1) == set()
    assert r.bottom_places({"a": 1, "b": 2}, 5) == {"a", "b"}


def test_flags_at_one_two_three_four():
    assert [r.flag(n) for n in (0, 1, 2, 3, 4)] == [None, "约谈", "挂牌督办", "一票否决", "一票否决"]


def _chain(periods, bottoms):
    """Consecutive counts along ``periods``, bottom in the given ones."""
    counts, previous = [], None
    for p in periods:
        previous = r.consecutive(p in bottoms, previous)
        counts.append(previous)
    return counts


def test_consecutive_months_across_a_year():
    months = ["2026-10", "2026-11", "2026-12", "2027-01", "2027-02"]
    assert [r.previous_period(m) for m in months[1:]] == months[:-1]
    assert _chain(months, {"2026-11", "2026-12", "2027-01", "2027-02"}) == [0, 1, 2, 3, 4]
    assert [r.flag(c) for c in _chain(months, set(months))] == ["约谈", "挂牌督办", "一票否决", "一票否决", "一票否决"]


def test_consecutive_quarters_across_a_year_and_reset():
    quarters = ["2026Q3", "2026Q4", "2027Q1", "2027Q2", "2027Q3"]
    assert [r.previous_period(q) for q in quarters[1:]] == quarters[:-1]
    assert _chain(quarters, {"2026Q3", "2026Q4", "2027Q2", "2027Q3"}) == [1, 2, 0, 1, 2]


def test_rank_townships_end_to_end():
    inputs = {"problems": {"a": 1.0, "b": 0.5, "c": None, "d": 0.5},
              "hotspots": {"a": 0, "b": 2, "c": 4, "d": 2}}
    scales = {"problems": ("share", True), "hotspots": ("minmax", False)}
    out = r.rank_townships(inputs, scales, {"problems": 1, "hotspots": 1}, 1, previous={"c": 1, "b": 5})
    assert {t: out[t]["score"] for t in out} == {"a": 100.0, "b": 50.0, "c": 0.0, "d": 50.0}
    assert {t: out[t]["rank"] for t in out} == {"a": 1, "b": 2, "c": 4, "d": 2}
    assert [t for t in out if out[t]["bottom"]] == ["c"]
    assert out["c"]["consecutive"] == 2 and out["c"]["flag"] == "挂牌督办"
    assert out["b"]["consecutive"] == 0 and out["b"]["flag"] is None  # not bottom: reset
    assert out["c"]["inputs"]["problems"] == {"value": None, "normalised": None, "weight": 1.0}
    only = r.rank_townships(inputs, scales, {"problems": 0, "hotspots": 2}, 1)
    assert only["c"]["score"] == 0.0 and only["a"]["score"] == 100.0
