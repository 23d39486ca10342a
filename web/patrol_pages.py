"""Pages (being written)."""
from flask import Blueprint

bp = Blueprint("patrol_pages", __name__)


@bp.route("/commander/patrol")
def index():
    """Placeholder until the commander's patrol page lands."""
    return "巡防页面建设中"
