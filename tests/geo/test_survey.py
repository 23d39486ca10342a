"""Opinion calls, the pure part: phone numbers, the day's check, largest remainder, weeks."""
from __future__ import annotations

from datetime import date

import pytest

from data.importer.phones import phone_hash, phone_key
from geo import survey


@pytest.mark.parametrize("raw", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "0086 13812345678",
                                 "+8613812345678", "8613812345678", " 138.1234.5678 "])
def test_formats_of_one_number_normalise_alike(raw):
    assert survey.normalise_phone(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["", "call me", "12", "1" * 16, None])
def test_what_is_not_a_number_is_none(raw):
    assert survey.normalise_phone(raw) is None


def test_the_same_number_hashes_alike_and_the_key_matters(tmp_path, monkeypatch):
    monkeypatch.delenv("SURVEY_PHONE_KEY", raising=False)
    key = phone_key(tmp_path)
    assert phone_key(tmp_path) == key and (tmp_path / "survey_phone.key").stat().st_mode & 0o077 == 0
    a, b = phone_hash("138 1234 5678", key), phone_hash("+86-13812345678", key)
    assert a == b and len(a) == 64 and "13812345678" not in a
    assert phone_hash("13812345679", key) != a
    monkeypatch.setenv("SURVEY_PHONE_KEY", "other")
    assert phone_hash("13812345678", phone_key(tmp_path)) != a


def test_fifty_is_met_fortynine_is_not():
    assert not survey.met(49) and survey.met(50) and survey.met(3, 3)


@pytest.mark.parametrize("total, weights, expected", [
    (10, {"a": 1, "b": 1, "c": 1}, {"a": 4, "b": 3, "c": 3}),
    (350, {"a": 2400, "b": 1500}, {"a": 215, "b": 135}),
    (7, {"a": 0, "b": 0}, {"a": 4, "b": 3}),
    (5, {"a": 100, "b": 0}, {"a": 5, "b": 0}),
    (0, {"a": 1}, {"a": 0}),
])
def test_largest_remainder_sums_exactly(total, weights, expected):
    shares = survey.largest_remainder(total, weights)
    assert shares == expected and sum(shares.values()) == total


def test_weeks():
    assert survey.parse_week("2026-W49") == date(2026, 11, 30)
    assert survey.week_of(date(2026, 12, 5)) == "2026-W49"
    assert survey.monday_of(date(2026, 12, 5)) == date(2026, 11, 30)
    assert survey.quarter_start(date(2026, 12, 5)) == date(2026, 10, 1)
    with pytest.raises(ValueError):
        survey.parse_week("2026-W54")
