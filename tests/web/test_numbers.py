"""Numbers for people (issue 12, item 6): 朝向 181°, 62.4%, 850 m / 1.2 km, 1,915; a missing
value is "—"; a bearing of 359.6° reads 0° (north) — see web/numbers.py."""
from decimal import Decimal

import numpy as np
import pytest

from web.numbers import count, decimal, degrees, distance, share

MISSING = [None, float("nan"), np.nan, float("inf"), "abc", True]


@pytest.mark.parametrize("fn", [degrees, share, distance, count, decimal])
@pytest.mark.parametrize("value", MISSING)
def test_missing_values_read_as_a_dash(fn, value):
    assert fn(value) == "—"


@pytest.mark.parametrize("value, text", [(180.7549852341149, "181°"), (0, "0°"), (0.4, "0°"), (359.4, "359°"),
                                         (359.6, "0°"), (360, "0°"), (np.float64(90.2), "90°"),
                                         (Decimal("45.5"), "46°"), (-0.4, "0°")])
def test_bearings_are_whole_degrees_from_0_to_359(value, text):
    assert degrees(value) == text


def test_an_angle_that_is_not_a_bearing_keeps_360():
    assert degrees(360, bearing=False) == "360°" and degrees(59.6, bearing=False) == "60°"


@pytest.mark.parametrize("value, text", [(0.624, "62.4%"), (0, "0.0%"), (1, "100.0%"), (0.98, "98.0%"),
                                         (0.99949, "99.9%"), (np.float32(0.5), "50.0%")])
def test_shares_have_one_decimal(value, text):
    assert share(value) == text


@pytest.mark.parametrize("value, text", [(0, "0 m"), (850.4, "850 m"), (999, "999 m"), (999.4, "999 m"),
                                         (999.6, "1.0 km"), (1000, "1.0 km"), (1234, "1.2 km"),
                                         (12_345.6, "12.3 km"), (np.int64(80), "80 m")])
def test_distances_in_metres_below_a_kilometre_then_km(value, text):
    assert distance(value) == text


@pytest.mark.parametrize("value, text", [(0, "0"), (999, "999"), (1915, "1,915"), (1_234_567.4, "1,234,567")])
def test_counts_have_a_thousands_separator(value, text):
    assert count(value) == text


def test_measures_with_fixed_decimals():
    assert decimal(12.345) == "12.3" and decimal(2, 2) == "2.00"


def test_registered_as_template_filters(app):
    env = app.jinja_env
    assert env.from_string("{{ a|degrees }} {{ s|share }} {{ d|distance }} {{ n|count }}").render(
        a=180.7549852341149, s=0.624, d=1234, n=1915) == "181° 62.4% 1.2 km 1,915"


def test_layer_popups_round_camera_numbers():
    from layers.catalog import Column
    from web.maps.text import display_value

    assert display_value(Column("azimuth", "float", "朝向(度)"), 180.7549852341149) == "181°"
    assert display_value(Column("fov", "float", "视场角(度)"), 360.0) == "360°"
    assert display_value(Column("range_m", "float", "可视距离(米)"), 1234.0) == "1.2 km"
    assert display_value(Column("azimuth", "float", "朝向(度)"), None) == ""
