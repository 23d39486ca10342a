"""Maps drawn with folium (Leaflet): the shell every page uses, the overview of every
layer, and each page's own map. No database and no request here: pages hand in
features and plain values."""
from web.maps.overview import SECTOR_TITLE, build_map, join_tracks, overview_parts, township_list
from web.maps.shell import LocalMap, add_overlay, feature, figure_parts, fit_bounds, page_map
from web.maps.text import display_value, safe_text

__all__ = ["SECTOR_TITLE", "LocalMap", "add_overlay", "build_map", "display_value", "feature",
           "figure_parts", "fit_bounds", "join_tracks", "overview_parts", "page_map", "safe_text",
           "township_list"]
