"""The OGC API's OpenAPI document is true to the server: schemathesis, in-process, finds nothing.

As ``st run --checks all`` would, against the app itself (WSGI, no network), signed in with
HTTP Basic, on a small loaded county: every phase (examples, coverage, fuzzing, stateful) and
every check (no server error, status codes, content types and headers documented, bodies
valid against the schemas, negative data refused, positive data accepted, authentication
enforced, Allow on 405 …).
"""
from __future__ import annotations

import time
from collections import Counter

import requests
import schemathesis
from schemathesis.engine import events, from_schema
from schemathesis.transport.wsgi import WSGITransport

from tests.conftest import PASSWORD, basic
from tests.web.test_maps import load_small_county

MAX_EXAMPLES = 40  # per operation and generation mode; the coverage phase adds its own cases
MIN_CASES = 2_000
SEED = 20261120
NETWORK_ONLY = ("max_redirects", "verify", "cert", "proxies")


def _config() -> schemathesis.Config:
    config = schemathesis.Config()
    config.update(seed=SEED, max_failures=None)
    project = config.projects.override
    project.update(basic_auth=("leader", PASSWORD))
    project.checks.update(included_check_names=["all"])
    project.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")
    return config


def _in_process_probes(monkeypatch) -> None:
    """schemathesis 4.32 sends ignored_auth's probes in-process with the network-only settings
    (max_redirects …) that Werkzeug's client refuses; drop them as it does for its own requests."""
    send = WSGITransport.send

    def without_network_settings(self, case, *, session=None, **kwargs):
        if not isinstance(session, requests.Session):
            for name in NETWORK_ONLY:
                kwargs.pop(name, None)
        return send(self, case, session=session, **kwargs)

    monkeypatch.setattr(WSGITransport, "send", without_network_settings)


def _no_sign_in_throttle(app, monkeypatch) -> None:
    """ignored_auth sends a wrong password with every operation: after ten the throttle
    (web.security) answers 429, as documented, where the check wants 401. Off here, as
    RATELIMIT_ENABLED=False turns it off; test_ogc.py sees the 429 itself."""
    monkeypatch.setattr(app.extensions["countymap_throttle"], "strategy", None)


def _describe(recorder, case_id: str, check) -> str:
    case = recorder.cases[case_id].value
    interaction = recorder.interactions.get(case_id)
    answer = interaction.response if interaction else None
    got = f"{answer.status_code} {answer.content[:300]!r}" if answer else "no response"
    failure = check.failure_info.failure
    return (f"{check.name}: {case.operation.label}: {failure.title}\n{failure.message[:600]}\n"
            f"{case.as_curl_command()}\n-> {got}")


def _document(app) -> dict:
    """The OpenAPI document, with one change: CQL2's grammar is no JSON Schema, so any
    string is a valid ``filter`` to the document but most are 400 to the server. Here the
    filter is pinned to the two expressions valid in CQL2 text and JSON alike;
    tests/web/test_ogc_filter.py tests the language, and fuzzes it for server errors."""
    doc = app.test_client().get("/ogc/api", headers=basic("leader")).get_json()
    doc["components"]["parameters"]["filter"]["schema"] = {"type": "string", "enum": ["true", "false"]}
    return doc


def _run(app) -> tuple[Counter, Counter, list[str]]:
    """Cases per phase, checks run per check, and one description per distinct failure."""
    # the WSGI transport asks for gzip and does not undo it: compression (transport, not
    # contract) is off here; tests/web/test_hardening.py checks it
    app.extensions["countymap_compress"].compress_mimetypes_set = set()
    schema = schemathesis.openapi.from_dict(_document(app), config=_config())
    schema.app, schema.location = app, "/ogc/api"
    phases, checked, found = Counter(), Counter(), {}
    for event in from_schema(schema).execute():
        if isinstance(event, (events.NonFatalError, events.FatalError)):
            found.setdefault(repr(event), f"error: {getattr(event, 'value', None) or event.exception!r}")
        if not isinstance(event, events.ScenarioFinished):
            continue
        phases[event.phase.value] += len(event.recorder.cases)
        for case_id, checks in event.recorder.checks.items():
            for check in checks:
                checked[check.name] += 1
                if check.failure_info is not None:
                    label = event.recorder.cases[case_id].value.operation.label
                    key = (check.name, label, check.failure_info.failure.title)
                    found.setdefault(key, _describe(event.recorder, case_id, check))
    return phases, checked, list(found.values())


def test_openapi_document_is_true_to_the_server(app, monkeypatch, capsys):
    load_small_county(app.config["RESOLVED_DATABASE_URL"])
    _in_process_probes(monkeypatch)
    _no_sign_in_throttle(app, monkeypatch)
    started = time.monotonic()
    phases, checked, found = _run(app)
    cases = sum(phases.values())
    with capsys.disabled():  # the figures show in every run, not only a failing one
        print(f"\nschemathesis: {cases} cases ({dict(phases)}), {time.monotonic() - started:.0f} s, "
              f"{len(checked)} checks run {sum(checked.values())} times, {len(found)} failures")
    assert not found, "\n\n".join(found)
    assert cases >= MIN_CASES
    assert {"not_a_server_error", "status_code_conformance", "content_type_conformance",
            "response_schema_conformance", "negative_data_rejection", "positive_data_acceptance",
            "ignored_auth", "unsupported_method"} <= set(checked)
