"""Pages for people: home, and one blueprint per user (commander, planner, leader, admin).

Templates live in ``templates/<user>/``. Every page reads through ``web.services`` and
draws its map with ``web.maps``; a form's refused change is rolled back and explained
(``web.pages.common.attempt``).
"""
from __future__ import annotations


def print_date() -> str:
    """Today (Asia/Shanghai) for the printed page's heading."""
    from geo.calendar import today

    return today().isoformat()


def register(app) -> None:
    from web import nav, numbers
    from web.pages import admin, commander, grids, home, leader, patrol, planner, problems, rankings, survey

    app.add_template_global(print_date, "print_date")
    nav.init_app(app)
    numbers.register(app)
    for module in (home, commander, planner, leader, admin, patrol, problems, survey, rankings, grids):
        app.register_blueprint(module.bp)
    from web.pages import disputes  # issue 16: dispute screening
    app.register_blueprint(disputes.bp)
    app.add_url_rule("/vendor/<path:filename>", "vendor", home.vendor)
