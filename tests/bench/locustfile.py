"""The crowd of a county's working day, for Locust (``make bench`` runs it headless).

Browser users sign in with the form and keep their session cookie, as people do; they
open their role's pages and the API calls those pages make, with 1 s of thinking between
requests. Desktop GIS clients (QGIS and the like) read the OGC API and the analyses with
HTTP Basic on every request. A clerk changes a camera's status now and then, so the
kept pages are built again under load. Every request is named by its group (page, api, ogc)
and its route; at the end each group's percentiles go to LOCUST_SUMMARY (JSON).

Each simulated person has an account of their own, as in the county: PREFIX + role + n
(bench_leader1 … bench_leader20 by default), all with the same password.

Environment: LOCUST_PASSWORD (every account's), LOCUST_SUMMARY (where the summary goes),
LOCUST_QUARTER (the planner's quarter), LOCUST_USER_PREFIX and LOCUST_ACCOUNTS (accounts
per role).
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from collections import defaultdict

from locust import HttpUser, between, constant, events, task

PASSWORD = os.environ.get("LOCUST_PASSWORD", "")
PREFIX = os.environ.get("LOCUST_USER_PREFIX", "bench_")
ACCOUNTS = int(os.environ.get("LOCUST_ACCOUNTS", "20"))  # per role: bench_leader1 … bench_leader20
_next = itertools.count()
SUMMARY = os.environ.get("LOCUST_SUMMARY", "locust-summary.json")
QUARTER = os.environ.get("LOCUST_QUARTER", "2026Q4")
CAMERAS = [f"C{i:05d}" for i in range(1, 1916)]
LAYERS = ["incidents", "cameras", "villages", "schools", "roads", "hotspots", "patrol_routes"]
BBOX = (111.2, 33.5, 112.0, 34.1)  # the demo county's extent, about
_times: dict[str, list[float]] = defaultdict(list)
_failures: dict[str, int] = defaultdict(int)


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, **kwargs):
    group = name.split(" ", 1)[0]
    _times[group].append(response_time)
    if exception is not None:
        _failures[group] += 1


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


@events.quitting.add_listener
def _summarise(environment, **kwargs):
    summary = {group: {"requests": len(times), "failures": _failures[group],
                       "p50_ms": _percentile(times, 0.50), "p95_ms": _percentile(times, 0.95),
                       "p99_ms": _percentile(times, 0.99), "max_ms": max(times)}
               for group, times in _times.items()}
    total = environment.stats.total
    summary["all"] = {"requests": total.num_requests, "failures": total.num_failures,
                      "rps": total.total_rps, "p50_ms": total.get_response_time_percentile(0.5),
                      "p95_ms": total.get_response_time_percentile(0.95),
                      "p99_ms": total.get_response_time_percentile(0.99)}
    with open(SUMMARY, "w", encoding="utf-8") as out:
        json.dump(summary, out, indent=1)


def account(role: str) -> str:
    """This simulated person's own account."""
    return f"{PREFIX}{role}{next(_next) % ACCOUNTS + 1}"


def _bbox() -> str:
    x = random.uniform(BBOX[0], BBOX[2] - 0.1)
    y = random.uniform(BBOX[1], BBOX[3] - 0.1)
    return f"{x:.4f},{y:.4f},{x + 0.1:.4f},{y + 0.1:.4f}"


class Browser(HttpUser):
    """Someone at a desk with the app open in a browser, signed in by the form."""

    abstract = True
    wait_time = constant(1)
    role = ""

    def on_start(self):
        page = self.client.get("/login", name="page /login").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        with self.client.post("/login", name="page /login [POST]", allow_redirects=False, catch_response=True,
                              data={"csrf_token": token, "name": account(self.role), "password": PASSWORD}) as resp:
            if resp.status_code != 302:
                resp.failure(f"sign-in answered {resp.status_code}")

    def page(self, path: str, name: str | None = None):
        self.client.get(path, name=f"page {name or path}")

    def api(self, path: str, name: str | None = None):
        self.client.get(path, name=f"api {name or path}", headers={"Accept": "application/json"})


class Leader(Browser):
    weight = 10
    role = "leader"

    @task(3)
    def home(self):
        self.page("/leader/")

    @task(2)
    def coverage(self):
        self.page("/leader/coverage")

    @task(2)
    def remediation(self):
        self.page("/leader/remediation")

    @task(2)
    def hotspots(self):
        self.page(f"/leader/hotspots?quarter={QUARTER}", "/leader/hotspots")

    @task(3)
    def progress(self):
        self.api("/api/remediation/progress")


class Commander(Browser):
    weight = 12
    role = "commander"

    @task(3)
    def home(self):
        self.page("/commander/")

    @task(3)
    def patrol(self):
        self.page("/commander/patrol")

    @task(2)
    def cameras(self):
        self.page("/commander/cameras")

    @task(2)
    def camera(self):
        self.page(f"/commander/cameras/{random.choice(CAMERAS)}", "/commander/cameras/<code>")

    @task(4)
    def alerts(self):
        self.api("/api/patrol/alerts")

    @task(2)
    def staffing(self):
        self.api("/api/patrol/staffing")


class Planner(Browser):
    weight = 8
    role = "planner"

    @task(2)
    def home(self):
        self.page("/planner/")

    @task(3)
    def hotspots(self):
        self.page(f"/planner/hotspots?quarter={QUARTER}", "/planner/hotspots")

    @task(2)
    def remediation(self):
        self.page("/planner/remediation")

    @task(3)
    def quota(self):
        self.api(f"/api/hotspots/quota?quarter={QUARTER}", "/api/hotspots/quota")

    @task(2)
    def grid(self):
        self.api(f"/api/hotspots/grid?quarter={QUARTER}", "/api/hotspots/grid")

    @task(1)
    def candidates(self):
        self.api(f"/api/hotspots/candidates?quarter={QUARTER}", "/api/hotspots/candidates")


class GisClient(HttpUser):
    """QGIS or a script reading the OGC API and the analyses with HTTP Basic."""

    weight = 18
    wait_time = constant(1)

    def on_start(self):
        self.client.auth = (account(random.choice(["leader", "planner", "commander"])), PASSWORD)

    @task(1)
    def collections(self):
        self.client.get("/ogc/collections", name="ogc /ogc/collections")

    @task(6)
    def items_in_view(self):
        layer = random.choice(LAYERS)
        self.client.get(f"/ogc/collections/{layer}/items?limit=100&bbox={_bbox()}",
                        name="ogc /ogc/collections/<layer>/items?bbox")

    @task(2)
    def page_through(self):
        self.client.get(f"/ogc/collections/incidents/items?limit=500&offset={random.randrange(0, 20000, 500)}",
                        name="ogc /ogc/collections/incidents/items?offset")

    @task(3)
    def one_camera(self):
        self.client.get(f"/ogc/collections/cameras/items/{random.choice(CAMERAS)}",
                        name="ogc /ogc/collections/cameras/items/<code>")

    @task(2)
    def worst(self):
        self.client.get("/api/coverage/worst", name="api /api/coverage/worst")

    @task(1)
    def visits(self):
        self.client.get("/api/patrol/visits", name="api /api/patrol/visits")

    @task(1)
    def coverage(self):
        self.client.get("/api/coverage", name="api /api/coverage")


class Clerk(HttpUser):
    """The duty officer marking a camera faulty or working again, about once a minute and a
    half (a busy day: the county sees tens of status changes a day). Each change makes every
    page that shows cameras be built again."""

    weight = 2
    fixed_count = 1
    wait_time = between(60, 120)

    def on_start(self):
        self.client.auth = (account("commander"), PASSWORD)
        time.sleep(random.uniform(20, 60))  # the first change comes some time into the run

    @task
    def camera_status(self):
        code = random.choice(CAMERAS[:50])
        status = random.choice(["working", "faulty"])
        self.client.post(f"/api/cameras/{code}/status", json={"status": status, "note": "压测"},
                         name="api /api/cameras/<code>/status [POST]")
