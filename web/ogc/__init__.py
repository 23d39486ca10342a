"""OGC API - Features, Part 1 Core (read), under /ogc.

Every layer of the catalog is a collection; items are GeoJSON in WGS 84 (CRS84),
filtered to the app's county. Formats: JSON (GeoJSON for features) for clients, HTML
for people (``f=json|html`` or the Accept header). The API description is an OpenAPI
3.0 document at ``/ogc/api``. ``documents``, ``params`` and ``openapi`` know nothing of
Flask; ``routes`` is the adapter. Sign-in is enforced for the whole app by ``web.auth``.
"""
from flask import Blueprint

from layers.db import reads_only

bp = reads_only(Blueprint("ogc", __name__, url_prefix="/ogc"))  # its GETs may read a replica (layers.db)

from web.ogc import routes  # noqa: E402,F401  (routes on bp)
