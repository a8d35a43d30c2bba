"""No input, however malformed, yields a 5xx: hand-picked junk and hypothesis-generated bodies."""

from __future__ import annotations

import json

import pytest
from calc_example import request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import create_app

PROBLEM = "application/problem+json"
ENDPOINTS = ("/api/v1/calculations", "/api/v1/ambitions")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    no_table = tmp_path_factory.mktemp("fuzz") / "allocations.csv"  # not the operator's (issue 15)
    return create_app({"TESTING": True, "ALLOCATIONS_FILE": str(no_table)}).test_client()


def check(response) -> None:
    """Never a 5xx; every error is problem+json with the RFC 9457 members."""
    assert response.status_code < 500, response.get_data(as_text=True)[:1000]
    if response.status_code >= 400:
        assert response.content_type == PROBLEM
        body = response.get_json()
        assert {"type", "title", "status", "detail"} <= set(body)
        assert body["status"] == response.status_code
    else:
        body = response.get_json()
        assert body["hwb_code"] and isinstance(body["metrics"], list)


JUNK_TEXTS = [
    "", " ", "{", "}", "[", "nul", "{'single': 'quotes'}", '{"a": 1,}', "\x00", "\ud800",
    '{"hwb_code": "\\ud800"}', "1" * 5000, "-" * 100, '{"hwb_code": 1e999999}',
    '{"metrics": {"metric": "delayed_transfers"}}', '{"metrics": [[]]}', '{"metrics": [null]}',
    '{"metrics": [{"metric": "delayed_transfers", "periods": []}]}',
    '{"metrics": [{"metric": "delayed_transfers", "periods": {"": {}}}]}',
    '{"metrics": [{"metric": "delayed_transfers", "periods": {"april-2015": null}}]}',
    '{"metrics": [{"metric": "delayed_transfers", "periods": {"april-2015": {"baseline": []}}}]}',
    '{"hwb_code": "E06000001", "conditions": [], "p4p_pool": {}}',
    '{"hwb_code": "E06000001", "conditions": {"seven_day_services": "yes"}, "p4p_pool": "1e9999"}',
    '{"hwb_code": "E06000001", "p4p_pool": "sNaN"}', '{"hwb_code": "E06000001", "p4p_pool": "-0"}',
    '{"hwb_code": ["E06000001"], "rule_set": {"id": 1}}', '{"rule_set": 5, "metrics": 5}',
    '{"__proto__": {"admin": true}}', '{"hwb_code": "E06000001", "p4p_pool": 1, "metrics": []}',
    "[" * 5000 + "]" * 5000, '{"a":' * 3000 + "1" + "}" * 3000,
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("text", JUNK_TEXTS)
def test_junk_bodies(client, endpoint, text):
    check(client.post(endpoint, data=text.encode("utf-8", "surrogatepass"), content_type="application/json"))


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00", b'{"hwb_code": "\xe9"}', b"\xef\xbb\xbf{}"])
def test_undecodable_bytes(client, raw):
    check(client.post(ENDPOINTS[0], data=raw, content_type="application/json"))


json_leaves = (
    st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20)
    | st.sampled_from(["NaN", "1e308", "-1", "0", "3100", "april-2015", "delayed_transfers", "local"])
)
json_values = st.recursive(
    json_leaves,
    lambda children: (st.lists(children, max_size=4)
                      | st.dictionaries(st.text(max_size=12), children, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=json_values)
def test_arbitrary_json_bodies(client, body):
    check(client.post(ENDPOINTS[0], data=json.dumps(body), content_type="application/json"))


def _paths(value, prefix=()):
    """Every path into a JSON value (keys and indexes), the value itself first."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


VALID_PATHS = list(_paths(request()))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(VALID_PATHS[1:]), junk=json_values, drop=st.booleans(),
       endpoint=st.sampled_from(ENDPOINTS))
def test_the_worked_example_with_one_part_replaced_by_junk(client, path, junk, drop, endpoint):
    body = request()
    parent = body
    for step in path[:-1]:
        parent = parent[step]
    if drop and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = junk
    check(client.post(endpoint, data=json.dumps(body), content_type="application/json"))
