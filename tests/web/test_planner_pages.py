"""The planner's quarterly hotspot page and the leaders' view, driven through their forms."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, mapping

from tests.conftest import basic
from tests.helpers import put, small_county, square

Q = "2026Q4"          # the quarter being listed
PERIOD = "2026Q3"     # its analysis period
PAGE = f"/planner/hotspots?quarter={Q}"
ADD_FIRST = f"{PAGE}&add=1"   # the page with the first candidate's 加入清单 form open
CLUSTER = (111.031, 33.031)


class Forms(HTMLParser):
    """Every form of a page: action, data-confirm and the fields it submits (by id too)."""

    def __init__(self, page: str):
        super().__init__()
        self.forms: list[dict] = []
        self.by_id: dict[str, dict] = {}
        self._current = None
        self._select = None
        self._elsewhere: dict[str, dict] = {}     # fields of form="id", wherever they stand
        self.feed(page)
        for form_id, fields in self._elsewhere.items():
            self.by_id[form_id]["fields"].update(fields)

    def _target(self, attrs):
        if attrs.get("form"):
            return {"fields": self._elsewhere.setdefault(attrs["form"], {})}
        return self._current

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._current = {"action": a.get("action"), "method": a.get("method", "get"), "fields": {},
                             "class": a.get("class", ""), "id": a.get("id"), "confirm": a.get("data-confirm")}
            self.forms.append(self._current)
            if a.get("id"):
                self.by_id[a["id"]] = self._current
        elif tag == "input" and a.get("name") and self._target(a) is not None:
            self._target(a)["fields"][a["name"]] = a.get("value") or ""
        elif tag == "select" and self._target(a) is not None:
            self._select = (self._target(a), a["name"])
        elif tag == "option" and self._select and ("selected" in a or self._select[1] not in self._select[0]["fields"]):
            self._select[0]["fields"][self._select[1]] = a.get("value")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None

    def post_forms(self, css: str = "", action: str = "") -> list[dict]:
        return [f for f in self.forms if f["method"] == "post" and css in f["class"] and action in (f["action"] or "")]


def incidents(n_cluster: int, n_spread: int, day: str, seed: int, prefix: str) -> list[dict]:
    """A cluster of thefts in 甲镇 and incidents spread over the county, on one day."""
    rng = np.random.default_rng(seed)
    pts = [Point(CLUSTER[0] + dx, CLUSTER[1] + dy) for dx, dy in rng.normal(0, 0.0015, (n_cluster, 2))]
    pts += [Point(x, y) for x, y in rng.uniform([111.0, 33.0], [111.2, 33.1], (n_spread, 2))]
    stamp = pd.Timestamp(f"{day} 10:00:00", tz="Asia/Shanghai")
    return [{"code": f"{prefix}{i}", "occurred_at": stamp, "category": "theft" if i < n_cluster else "dispute",
             "geometry": p} for i, p in enumerate(pts)]


@pytest.fixture
def county(app, conn):
    small_county(conn)
    put(conn, "incidents", incidents(40, 60, "2026-08-10", 1, "q3-") + incidents(10, 60, "2026-05-10", 2, "q2-"))
    return app


def tips(html: str) -> list[str]:
    """The tooltip texts of the map's features, as embedded in its script."""
    script = html.split("<script>")[-1]
    return [json.loads(f'"{t}"') for t in re.findall(r'"tip": "((?:[^"\\]|\\.)*)"', script)]


def overlays(html: str) -> list[str]:
    """The titles in the map's layer control, in order."""
    block = re.search(r"overlays\s*:\s*\{(.*?)\},\s*\};", html, re.S).group(1)
    return [json.loads(k) for k in re.findall(r'("(?:[^"\\]|\\.)*")\s*:\s*\w+,', block)]


def login(client, role: str) -> None:
    resp = client.post("/login", data={"name": role, "password": "test-password-1"})
    assert resp.status_code == 302, resp.get_data(as_text=True)


def page(client, url: str = PAGE) -> str:
    """The page, with its map's overlays (fetched after the page in a browser) appended."""
    from tests.web.test_page_layers import with_layers

    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    return with_layers(client, resp.get_data(as_text=True))


def submit(client, form: dict, **changes) -> str:
    """POST a form as the browser would, follow the redirect, return the page."""
    from tests.web.test_page_layers import with_layers

    resp = client.post(form["action"], data={**form["fields"], **changes}, follow_redirects=True)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    return with_layers(client, resp.get_data(as_text=True))


def flashes(html: str) -> str:
    block = re.search(r'<div class="flash">(.*?)</div>', html, re.S)
    return block.group(1) if block else ""


def api_list(client, quarter: str, first_name: str = "乱点0") -> dict:
    """A published list for ``quarter`` through the API: 10 county-level squares in 甲镇, 5
    township-level in each township."""
    lst = client.post("/api/hotspots/lists", json={"quarter": quarter}, headers=basic("planner")).get_json()
    items = [("county", 111.005 + 0.004 * i, 33.005) for i in range(10)]
    items += [("township", x0 + 0.004 * i + 0.001, 33.08) for x0 in (111.0, 111.1) for i in range(5)]
    for n, (level, x, y) in enumerate(items):
        body = {"name": first_name if n == 0 else f"乱点{n}", "level": level, "unit": "城关派出所",
                "geometry": mapping(square(x, y, 0.003))}
        assert client.post(f"/api/hotspots/lists/{lst['id']}/items", json=body,
                           headers=basic("planner")).status_code == 201
    assert client.post(f"/api/hotspots/lists/{lst['id']}/publish", json={},
                       headers=basic("planner")).status_code == 200
    return lst


def test_page_defaults_to_the_coming_quarter_and_renders_for_every_role(county, client):
    login(client, "planner")
    resp = client.get("/planner/hotspots?category=theft")
    assert resp.status_code == 302 and "category=theft" in resp.headers["Location"]
    assert re.search(r"quarter=20\d\dQ[1-4]", resp.headers["Location"])
    html = page(client)
    assert "2026Q4 清单依据上一季度" in html and "2026Q3（2026-07-01 至 2026-09-30）" in html
    # 加入清单: each row carries its defaults; without a script its link opens the page with
    # that row's form (the page does not carry a form per candidate)
    assert Forms(html).post_forms("add-form") == []
    names = re.findall(r'<details class="add" data-name="([^"]*)"', html)
    assert names[0].startswith("甲镇") and len(set(names)) == len(names) > 1   # readable and distinct
    assert f'href="/planner/hotspots?quarter={Q}&amp;add=1#cand-1"' in html
    adds = Forms(page(client, ADD_FIRST)).post_forms("add-form")
    assert len(adds) == 1 and adds[0]["fields"]["rank"] == "1" and adds[0]["fields"]["name"] == names[0]
    assert adds[0]["fields"]["level"] == "county" and adds[0]["fields"]["deadline"] == "2026-12-31"
    for bad in ("add=0", "add=x", "add=NaN", "add=1e9", "add=-1"):
        resp = client.get(f"{PAGE}&{bad}")
        assert resp.status_code == 400 and "add" in resp.get_data(as_text=True), bad
    # the candidates table: rank 1 is the cluster, significant, with its counts and category
    first = re.search(r'<tr id="cand-1" class="significant" data-rank="1"[^>]*>(.*?)</tr>', html, re.S).group(1)
    assert "甲镇" in first and "盗窃" in first and "显著" in first
    assert "不显著" in html                                   # quota-forced picks are labelled
    # the map: grid, density, candidate, last quarter and draft overlays, local assets only
    for css in ("pl-grid", "pl-density", "pl-candidate", "pl-townships"):
        assert f'"className": "{css}"' in html, css
    assert overlays(html) == ["乡镇界", "Gi* 热点分析（2026Q3）", "核密度（2026Q3）",
                              "上季度乱点（2026Q3，按状态）（无）", "候选乱点"]   # the draft: drawn by planner.js
    assert any(t.startswith("第1名 甲镇") and "不显著" not in t for t in tips(html))
    assert any(t.endswith(" 不显著") for t in tips(html))
    assert "cdn" not in html.lower() and "https://" not in html
    # the quota panel: nothing selected yet, every township short
    assert 'data-scope="county"' in html and "县级乱点 0 个，少于 10 个" in html
    for role in ("leader", "commander"):
        other = client.application.test_client()
        login(other, role)
        html = page(other)
        assert "候选乱点" in html and "配额检查" in html and "只读" in html
        forms = Forms(html)
        assert [f for f in forms.post_forms() if "logout" not in f["action"]] == []
        assert 'name="revision"' not in html and "加入清单</button>" not in html
        # and the page's POST routes refuse them
        token = forms.post_forms(action="logout")[0]["fields"]["csrf_token"]
        for action in ("publish", "items", "draft", "draft/discard", "status/H2026Q3-001"):
            resp = other.post(f"/planner/hotspots/{action}?quarter={Q}", data={"csrf_token": token, "rank": "1"})
            assert resp.status_code == 403, action
    assert client.get(f"{PAGE}&category=nonsense").status_code == 400
    assert client.get(f"{PAGE}&cell_m=20").status_code == 400
    # the panel planner.js refreshes from: every role reads it; bad analyses are refused
    panel = client.get(f"/planner/hotspots/panel?quarter={Q}").get_json()
    assert panel["draft"] is None and "配额检查" in panel["quota_html"] and panel["items"]["features"] == []
    for bad in ("quarter=2026Q9", "quarter=2026Q4&cell_m=NaN", "quarter=2026Q4&focus=x", ""):
        assert client.get(f"/planner/hotspots/panel?{bad}").status_code == 400, bad


def test_a_candidate_added_through_the_form_is_on_the_draft(county, client, conn):
    login(client, "planner")
    form = Forms(page(client, ADD_FIRST)).post_forms("add-form")[0]
    assert not form["confirm"]          # no confirmation dialog for each add
    html = submit(client, form, name="团结街夜市", level="county", unit="城关派出所")
    assert "已将第 1 名候选乱点加入清单" in flashes(html)
    quota = client.get(f"/api/hotspots/quota?quarter={Q}", headers=basic("planner")).get_json()
    assert quota["county"]["selected"] == 1 and quota["list"]["state"] == "draft"
    items = client.get(f"/api/hotspots/lists/{quota['list']['id']}", headers=basic("planner")).get_json()
    item = items["items"]["features"][0]["properties"]
    assert (item["name"], item["level"], item["source"], item["significant"]) == ("团结街夜市", "county", "candidate", True)
    assert item["township_code"] == "410999001" and item["incident_count"] >= 20 and item["gi_z"] > 2
    assert item["deadline"] == "2026-12-31"
    # the page shows it on the draft, marks the candidate as listed, counts it in the quota
    assert "团结街夜市" in html and '已在清单（<span class="on-code">H2026Q4-001</span>）' in html
    assert re.search(r'data-scope="county"><td>[^<]*</td><td class="selected">1</td>', html)
    # the same (now stale) form again is refused, not applied
    html = submit(client, form, name="重复")
    assert "未保存" in flashes(html) and "重复" not in html
    # a fresh form cannot put the same candidate on twice
    fresh = Forms(page(client, ADD_FIRST)).post_forms("add-form")[0]
    assert fresh["fields"]["draft_id"]   # the on-list candidate's form stays (hidden) for when it is removed
    html = submit(client, fresh, **{k: form["fields"][k] for k in ("rank", "township_code", "count")})
    assert "已在清单中" in flashes(html) and "重复" not in html
    # edit and remove through the draft's forms
    forms = Forms(html)
    edit = forms.by_id["edit-H2026Q4-001"]
    assert edit["fields"]["name"] == "团结街夜市" and edit["fields"]["level"] == "county"
    html = submit(client, edit, name="团结街", level="township", deadline="2026-11-30")
    assert "已修改 H2026Q4-001" in flashes(html)
    props = client.get(f"/api/hotspots/lists/{quota['list']['id']}", headers=basic("planner")).get_json()["items"]["features"][0]["properties"]
    assert (props["name"], props["level"], props["deadline"]) == ("团结街", "township", "2026-11-30")
    assert "甲镇（乡镇级）</td><td class=\"selected\">1</td>" in html
    assert "未保存" in flashes(submit(client, edit, name="旧表单"))     # stale revision
    remove = Forms(page(client)).post_forms(action="/remove")[0]
    html = submit(client, remove)
    assert "已从清单移除 H2026Q4-001" in flashes(html) and "清单中还没有乱点" in html


def test_publish_refused_with_the_shortfall_then_published(county, client):
    login(client, "planner")
    html = submit(client, Forms(page(client, ADD_FIRST)).post_forms("add-form")[0])
    publish = Forms(html).by_id["publish-form"]
    html = submit(client, publish)
    message = flashes(html)
    assert "未发布：清单未达到配额" in message and "县级乱点 1 个，少于 10 个（差 9 个）" in message
    assert "乙乡（410999002）乡镇级乱点 0 个，少于 5 个" in message
    assert "第 1 版，草稿" in html
    # a bad or stale discard form changes nothing
    discard = Forms(html).by_id["discard-form"]
    assert client.post(f"/planner/hotspots/draft/discard?quarter={Q}",
                       data={**discard["fields"], "draft_id": "abc"}).status_code == 400
    assert "未保存" in flashes(submit(client, discard, revision="99"))
    assert "第 1 版，草稿" in page(client)
    # fill the rest through the API, then publish from the page
    lst = client.get(f"/api/hotspots/quota?quarter={Q}", headers=basic("planner")).get_json()["list"]
    for n in range(19):
        level, x, y = ("county", 111.005 + 0.004 * n, 33.085) if n < 9 else \
            ("township", (111.0 if n < 14 else 111.1) + 0.004 * (n % 5) + 0.05, 33.005)
        body = {"name": f"乱点{n}", "level": level, "geometry": mapping(square(x, y, 0.003))}
        assert client.post(f"/api/hotspots/lists/{lst['id']}/items", json=body, headers=basic("planner")).status_code == 201
    html = page(client)
    assert "已达到配额，可以发布" in html
    html = submit(client, Forms(html).by_id["publish-form"])
    assert "已发布 2026Q4 第 1 版乱点清单（planner" in flashes(html)
    assert "第 1 版已于" in html and "publish-form" not in html
    for fmt in ("xlsx", "gpkg", "geojson"):
        assert f"/exports/hotspots/2026Q4.{fmt}" in html
        assert client.get(f"/exports/hotspots/2026Q4.{fmt}").status_code == 200


def test_status_changes_record_and_show_the_evaluation(county, client, conn):
    login(client, "planner")
    api_list(client, PERIOD)
    code = "H2026Q3-001"   # the first county-level square, at (111.005, 33.005)
    inside = Point(111.006, 33.006)
    stamp = lambda d: pd.Timestamp(f"{d} 09:00:00", tz="Asia/Shanghai")  # noqa: E731
    put(conn, "incidents", [{"code": f"in-b{i}", "occurred_at": stamp("2026-05-02"), "category": "theft",
                             "geometry": inside} for i in range(6)]
        + [{"code": f"in-a{i}", "occurred_at": stamp("2026-08-02"), "category": "theft", "geometry": inside}
           for i in range(2)])
    html = page(client)
    row = re.search(rf'<tr data-code="{code}">(.*?)</tr>\s*<tr class="eval" data-eval="{code}">(.*?)</tr>',
                    html, re.S).group(0)
    assert "挂牌" in row and "查看评估" in row
    fragment = client.get(f"/planner/hotspots/evaluation/{code}").get_data(as_text=True)
    assert "整治前 2026Q2 <b>6</b> 起" in fragment and "整治季 2026Q3 <b>2</b> 起" in fragment
    actions = [f for f in Forms(html).post_forms(action=f"/status/{code}")]
    assert [f["fields"]["status"] for f in actions] == ["remediating", "delisted", "carried_over"]
    html = submit(client, actions[0])
    assert f"已将 {code} 改为“整治中”" in flashes(html)
    delist = [f for f in Forms(html).post_forms(action=f"/status/{code}") if f["fields"]["status"] == "delisted"][0]
    html = submit(client, delist)
    assert "整治前 6 起，整治后 2 起" in flashes(html)
    row = re.search(rf'<tr data-code="{code}">(.*?)</tr>\s*<tr class="eval" data-eval="{code}">(.*?)</tr>',
                    html, re.S).group(0)
    assert "摘牌" in row and "整治前 2026Q2 <b>6</b> 起" in row and "变化 <b class=\"ok\">-4</b>" in row
    assert "WDQ" in row and "<form" not in row            # delisted: no further steps
    history = client.get(f"/api/hotspots/{code}/history", headers=basic("planner")).get_json()
    assert [h["after"] for h in history][:2] == ["delisted", "remediating"]
    assert history[0]["evaluation"]["R_after"] == 2
    # an impossible step is refused with the reason, nothing changes
    html = submit(client, delist)
    assert "状态变更未成功" in flashes(html)


def test_leader_page_groups_the_list_by_township_with_r10_flags(county, client):
    login(client, "planner")
    api_list(client, PERIOD)
    code = "H2026Q3-001"
    client.post(f"/api/hotspots/{code}/status", json={"status": "remediating"}, headers=basic("planner"))
    client.post(f"/api/hotspots/{code}/status", json={"status": "carried_over"}, headers=basic("planner"))
    api_list(client, Q)                     # the draft starts with the carried-over hotspot
    leader = client.application.test_client()
    login(leader, "leader")
    assert "quarter=2026Q4" in leader.get("/leader/hotspots").headers["Location"]
    html = page(leader, f"/leader/hotspots?quarter={Q}")
    assert "全县共 <b>21</b> 个乱点" in html
    row = re.search(r'<tr class="supervision" data-township="410999001">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row)
    assert cells == ["甲镇", "11", "5", "16", "0", "0", "0", "挂牌督办"]
    assert "挂牌督办</b>：甲镇 乱点连续挂牌 2 个季度" in html
    row = re.search(r'<tr class="" data-township="410999002">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"<td>(.*?)</td>", row) == ["乙乡", "0", "5", "5", "0", "0", "0", ""]
    assert "<form method=\"post\"" not in html.split("</header>")[1]
    assert '"className": "pl-last"' in html
    assert "/exports/hotspots/2026Q4.xlsx" in html
    # last quarter: the carried-over one shows as such
    html = page(leader, f"/leader/hotspots?quarter={PERIOD}")
    assert "延续整治 <b>1</b> 个" in html


def test_data_text_is_not_evaluated_as_a_template(county, client):
    login(client, "planner")
    api_list(client, PERIOD, first_name="{{ 7*7 }}")
    add = Forms(page(client, ADD_FIRST)).post_forms("add-form")[0]
    html = submit(client, add, name="{% if 1 %}x{% endif %}{{ 8*8 }}", unit="{{ 9*9 }}")
    assert "已将第 1 名" in flashes(html)
    shown = tips(html)
    panel = client.get(f"/planner/hotspots/panel?quarter={Q}").get_json()   # the draft, for planner.js
    item = panel["items"]["features"][0]["properties"]
    assert (item["name"], item["unit"]) == ("{% if 1 %}x{% endif %}{{ 8*8 }}", "{{ 9*9 }}")
    assert 'value="{% if 1 %}x{% endif %}{{ 8*8 }}"' in panel["draft_html"]
    assert "H2026Q3-001<br>&#123;&#123; 7*7 &#125;&#125;<br>县级<br>城关派出所<br>挂牌" in shown
    # the side panel shows the text as typed (Jinja escapes, nothing evaluates)
    assert 'value="{% if 1 %}x{% endif %}{{ 8*8 }}"' in html and 'value="{{ 9*9 }}"' in html
    assert "<td>{{ 7*7 }}</td>" in html
    leader = client.application.test_client()
    login(leader, "leader")
    html = page(leader, f"/leader/hotspots?quarter={PERIOD}")
    assert "<td>{{ 7*7 }}</td>" in html
    assert "H2026Q3-001<br>&#123;&#123; 7*7 &#125;&#125;<br>县级<br>城关派出所<br>挂牌" in tips(html)


def test_a_county_without_incidents_still_renders(app, conn, client):
    small_county(conn)
    login(client, "planner")
    html = page(client)
    assert "2026Q3 没有候选乱点" in html and "候选乱点（无）" in overlays(html)
    token = Forms(html).post_forms(action="logout")[0]["fields"]["csrf_token"]
    unknown = {"action": f"/planner/hotspots/status/H0?quarter={Q}", "fields": {"csrf_token": token}}
    assert "状态变更未成功" in flashes(submit(client, unknown, status="delisted"))
