"""Maps drawn with folium (Leaflet): the shell every page uses, the overview of every
layer (drawn from vector tiles), and each page's own map. No database and no request
here: pages hand in features and plain values."""
from web.maps.overview import SECTOR_TITLE, township_list
from web.maps.shell import LocalMap, add_overlay, feature, figure_parts, fit_bounds, page_map
from web.maps.text import display_value, safe_text
from web.maps.tiled import tiled_map

__all__ = ["SECTOR_TITLE", "LocalMap", "add_overlay", "display_value", "feature", "figure_parts",
           "fit_bounds", "page_map", "safe_text", "tiled_map", "township_list"]
