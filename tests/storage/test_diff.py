"""The audit trail's JSON diff (pure: no database)."""

from storage.diff import json_diff


def test_nested_changes_are_named_by_json_pointer():
    old = {"p4p_pool": 1000, "metrics": [{"metric": "a", "plan": 1.0}], "rule_set": "x"}
    new = {"p4p_pool": 1200, "metrics": [{"metric": "a", "plan": 2.0}, {"metric": "b"}], "conditions": {}}
    assert json_diff(old, new) == [
        {"op": "remove", "path": "/rule_set", "from_value": "x"},
        {"op": "replace", "path": "/p4p_pool", "from_value": 1000, "value": 1200},
        {"op": "replace", "path": "/metrics/0/plan", "from_value": 1.0, "value": 2.0},
        {"op": "add", "path": "/metrics/1", "value": {"metric": "b"}},
        {"op": "add", "path": "/conditions", "value": {}},
    ]


def test_no_change_no_ops_but_type_change_counts():
    assert json_diff({"a": [1, {"b": None}]}, {"a": [1, {"b": None}]}) == []
    assert json_diff({"a": 1}, {"a": 1.0}) == [{"op": "replace", "path": "/a", "from_value": 1, "value": 1.0}]
    assert json_diff({"a": [1, 2, 3]}, {"a": [1]}) == [
        {"op": "remove", "path": "/a/2", "from_value": 3}, {"op": "remove", "path": "/a/1", "from_value": 2}]


def test_pointer_escapes_slash_and_tilde():
    assert json_diff({}, {"a/b~c": 1}) == [{"op": "add", "path": "/a~1b~0c", "value": 1}]
