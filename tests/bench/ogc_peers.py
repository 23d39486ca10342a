"""The three OGC API - Features servers of tests/bench/test_bench_ogc_peers.py, each a
subprocess on a port of its own, on the same database and tables:

- ours: ``make run``'s gunicorn (gunicorn.conf.py: two workers with eight threads), signed
  in once per client (a session cookie, as QGIS keeps one);
- pygeoapi (requirements-peers-pygeoapi.txt): its PostgreSQL provider, a configuration
  written here, served by gunicorn with the same two workers of eight threads;
- tipg (requirements-peers-tipg.txt): uvicorn with two workers (one per core), its asyncpg
  pool.

Each venv is under PEERS_VENVS (``make bench`` sets it; default .venv): ``make peers``
builds them. Every server answers with its own defaults otherwise (gzip as each does it).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psutil
import requests
from psycopg2.extensions import parse_dsn

from layers.catalog import LAYERS
from tests.web.test_attack_server import free_port

ROOT = Path(__file__).resolve().parents[2]
PEERS = ROOT / os.environ.get("PEERS_VENVS", ".venv")  # relative: to the repository
TABLES = ("incidents", "cameras", "villages")
PYGEOAPI_VERSION, TIPG_VERSION = "0.24.0", "1.6.1"


def properties(table: str) -> list[str]:
    """The columns the peers serve: the catalog's (those ours serves) and props (the extra
    ones ours merges in). Never a second geometry (cameras.sector), which neither handles."""
    layer = LAYERS[table]
    return ["code"] + [c.name for c in layer.columns if c.name != "code"] + ["props"]


@dataclass
class Server:
    """A running server: how to ask it for a page of items or one item, and its clients."""

    name: str
    proc: subprocess.Popen
    base: str
    items_path: str          # "{layer}" replaced by the table
    fmt: str                 # the f= value of GeoJSON
    sessions: list = field(default_factory=list)
    log: Path | None = None

    def boots(self) -> int:
        """Workers gunicorn started so far (the first ones and those it recycled)."""
        return self.log.read_text(errors="replace").count("Booting worker") if self.log else 0

    def items(self, layer: str, query: str) -> str:
        return f"{self.base}{self.items_path.format(layer=layer)}?f={self.fmt}&{query}"

    def item(self, layer: str, code: str) -> str:
        return f"{self.base}{self.items_path.format(layer=layer)}/{quote(code)}?f={self.fmt}"

    def stop(self) -> None:
        for child in psutil.Process(self.proc.pid).children(recursive=True):
            child.terminate()
        self.proc.terminate()
        self.proc.wait(30)


def _spawn(command: list[str], env: dict, var: Path, ready: str) -> subprocess.Popen:
    """Start ``command`` (its output to var/server.log) and wait until ``ready`` answers 200."""
    var.mkdir(parents=True, exist_ok=True)
    log = (var / "server.log").open("wb")
    proc = subprocess.Popen(command, cwd=var, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(480):
        if proc.poll() is not None:
            break
        try:
            if requests.get(ready, timeout=5).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.25)
    proc.kill()
    raise AssertionError((var / "server.log").read_text(errors="replace")[-3000:])


def ours(url: str, var: Path, user: str, password: str, clients: int) -> Server:
    port = free_port()
    env = {"DATABASE_URL": url, "FLASK_SECRET_KEY": "bench", "FLASK_VAR_DIR": str(var),
           "BIND": f"127.0.0.1:{port}", "FLASK_RATELIMIT_ENABLED": "false"}
    base = f"http://127.0.0.1:{port}"
    proc = _spawn([str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
                   "--chdir", str(ROOT), "web:create_app()"], env, var, base + "/login")
    server = Server("ours", proc, base, "/ogc/collections/{layer}/items", "json", log=var / "server.log")
    server.sessions = [_signed_in(base, user, password) for _ in range(clients)]
    return server


def _signed_in(base: str, user: str, password: str) -> requests.Session:
    http = requests.Session()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', http.get(base + "/login").text).group(1)
    answer = http.post(base + "/login", data={"csrf_token": token, "name": user, "password": password},
                       allow_redirects=False)
    assert answer.status_code == 302, answer.text[:500]
    return http


def _pygeoapi_config(url: str, port: int) -> str:
    """pygeoapi's configuration: one collection per table, its PostgreSQL provider, id = code
    (the OGC id ours gives; pygeoapi orders by it, as ours does), the properties ours serves."""
    dsn = parse_dsn(url)
    conn = (f"postgresql+psycopg2://{quote(dsn.get('user', ''))}@/{quote(dsn['dbname'])}"
            f"?host={quote(dsn.get('host', '/tmp'))}")
    lines = ["server:", f"  bind: {{host: 127.0.0.1, port: {port}}}", f"  url: http://127.0.0.1:{port}",
             "  mimetype: application/json; charset=UTF-8", "  encoding: utf-8", "  language: en-US",
             "  limits: {default_items: 10, max_items: 10000}",
             "  map: {url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', attribution: osm}",
             "logging: {level: ERROR}", "metadata:",
             "  identification: {title: bench, description: bench, keywords: [bench], keywords_type: theme,"
             " terms_of_service: none, url: 'http://127.0.0.1'}",
             "  license: {name: CC-BY 4.0, url: 'https://creativecommons.org/licenses/by/4.0/'}",
             "  provider: {name: bench, url: 'http://127.0.0.1'}", "  contact: {name: bench}", "resources:"]
    for table in TABLES:
        lines += [f"  {table}:", "    type: collection", f"    title: {table}", f"    description: {table}",
                  f"    keywords: [{table}]",
                  "    extents: {spatial: {bbox: [-180, -90, 180, 90],"
                  " crs: 'http://www.opengis.net/def/crs/OGC/1.3/CRS84'}}",
                  "    providers:", "      - type: feature", "        name: PostgreSQL",
                  f"        data: '{conn}'", "        id_field: code", f"        table: {table}",
                  "        geom_field: geom", f"        properties: {json.dumps(properties(table))}"]
    return "\n".join(lines) + "\n"


def pygeoapi(url: str, var: Path, clients: int) -> Server:
    port = free_port()
    var.mkdir(parents=True, exist_ok=True)
    venv = PEERS / "peers-pygeoapi" / "bin"
    (var / "pygeoapi.yml").write_text(_pygeoapi_config(url, port))
    env = {"PYGEOAPI_CONFIG": str(var / "pygeoapi.yml"), "PYGEOAPI_OPENAPI": str(var / "openapi.yml")}
    subprocess.run([str(venv / "pygeoapi"), "openapi", "generate", str(var / "pygeoapi.yml"),
                    "--output-file", str(var / "openapi.yml")], env={**os.environ, **env}, check=True,
                   capture_output=True, cwd=var)
    base = f"http://127.0.0.1:{port}"
    proc = _spawn([str(venv / "gunicorn"), "--workers", "2", "--threads", "8", "--worker-class", "gthread",
                   "--bind", f"127.0.0.1:{port}", "--keep-alive", "5", "pygeoapi.flask_app:APP"], env, var,
                  base + "/collections?f=json")
    server = Server("pygeoapi", proc, base, "/collections/{layer}/items", "json")
    server.sessions = [requests.Session() for _ in range(clients)]
    return server


def tipg(url: str, var: Path, clients: int) -> Server:
    """tipg: the tables' key is code (TIPG_TABLE_CONFIG), it orders by it as ours does; it
    serves the same properties as pygeoapi."""
    port = free_port()
    dsn = parse_dsn(url)
    env = {"DATABASE_URL": f"postgresql://{quote(dsn.get('user', ''))}@{quote(dsn.get('host', '/tmp'), safe='')}"
                           f"/{quote(dsn['dbname'])}",
           "TIPG_DB_SCHEMAS": '["public"]', "TIPG_DB_TABLES": json.dumps([f"public.{t}" for t in TABLES]),
           **{f"TIPG_TABLE_CONFIG__public_{t}__PK": "code" for t in TABLES},
           **{f"TIPG_TABLE_CONFIG__public_{t}__GEOMCOL": "geom" for t in TABLES},
           **{f"TIPG_TABLE_CONFIG__public_{t}__PROPERTIES": json.dumps(properties(t)) for t in TABLES}}
    base = f"http://127.0.0.1:{port}"
    proc = _spawn([str(PEERS / "peers-tipg" / "bin" / "uvicorn"), "tipg.main:app", "--host", "127.0.0.1",
                   "--port", str(port), "--workers", "2", "--no-access-log", "--log-level", "warning"],
                  env, var, base + "/collections")
    server = Server("tipg", proc, base, "/collections/public.{layer}/items", "geojson")
    server.sessions = [requests.Session() for _ in range(clients)]
    return server
