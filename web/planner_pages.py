"""Pages (being written)."""
from flask import Blueprint

bp = Blueprint("planner_pages", __name__)


@bp.route("/planner/hotspots")
def hotspots():
    """Placeholder until the planner's hotspot page lands."""
    return "乱点清单页面建设中"
