"""Versioned documents at the storage level: versions, preconditions, and the race the database settles."""

import threading

import pytest
from sqlalchemy import func, select

from storage import db, documents
from storage.audit import Actor
from storage.errors import PreconditionFailed, PreconditionRequired
from storage.models import AuditEntry, PlanVersion

ME = Actor(None, "tester")


def test_every_put_is_a_new_version_and_old_ones_stay(session):
    first, created = documents.put(session, ME, "E06000001", {"p4p_pool": 1}, if_match=None)
    assert (first.version, created) == (1, True)
    second, created = documents.put(session, ME, "E06000001", {"p4p_pool": 2}, if_match=1)
    assert (second.version, created) == (2, False)
    session.commit()
    assert documents.latest(session, "E06000001").body == {"p4p_pool": 2}
    assert documents.get(session, "E06000001", 1).body == {"p4p_pool": 1}
    assert [r.version for r in documents.history(session, "E06000001")] == [1, 2]
    # actuals are versioned per period, apart from the plan
    row, created = documents.put(session, ME, "E06000001", {"x": {"value": 1}}, if_match=None,
                                 period="april-2015")
    assert (row.version, created) == (1, True)
    assert documents.latest(session, "E06000001", "october-2015") is None


def test_preconditions(session):
    with pytest.raises(PreconditionFailed, match="No plan is stored yet"):
        documents.put(session, ME, "E06000001", {}, if_match=3)
    documents.put(session, ME, "E06000001", {"a": 1}, if_match=None)
    with pytest.raises(PreconditionRequired, match="send If-Match"):
        documents.put(session, ME, "E06000001", {"a": 2}, if_match=None)
    with pytest.raises(PreconditionFailed, match="you sent version 7, the current one is 1"):
        documents.put(session, ME, "E06000001", {"a": 2}, if_match=7)
    with pytest.raises(PreconditionFailed, match=r'If-Match: \* is not accepted.*current one is "1"'):
        documents.put(session, ME, "E06000001", {"a": 2}, if_match="*")
    assert documents.put(session, ME, "E06000001", {"a": 2}, if_match=1)[0].version == 2


def test_audit_row_carries_the_diff(session):
    documents.put(session, ME, "E06000001", {"p4p_pool": 1, "metrics": []}, if_match=None)
    documents.put(session, ME, "E06000001", {"p4p_pool": 2, "metrics": []}, if_match=1)
    session.commit()
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(r.action, r.version, r.actor_name) for r in rows] == [("plan.put", 1, "tester"),
                                                                   ("plan.put", 2, "tester")]
    assert rows[1].diff == [{"op": "replace", "path": "/p4p_pool", "from_value": 1, "value": 2}]


def test_two_writers_of_the_same_version_one_wins(engine):
    """Both read version 1 and write version 2; the unique constraint lets one in, the other gets 412."""
    sessions = db.session_factory(engine)
    with sessions.begin() as setup:
        documents.put(setup, ME, "E06000001", {"v": 1}, if_match=None)
    first = sessions()
    documents.put(first, ME, "E06000001", {"v": "first"}, if_match=1)  # flushed, not yet committed
    outcome: dict[str, object] = {}

    def second_writer():
        with sessions() as second:
            try:
                documents.put(second, ME, "E06000001", {"v": "second"}, if_match=1)
                second.commit()
                outcome["second"] = "stored"
            except PreconditionFailed as error:
                outcome["second"] = error

    thread = threading.Thread(target=second_writer)
    thread.start()
    thread.join(0.5)  # the second writer is now waiting on the first's uncommitted version 2
    first.commit()
    first.close()
    thread.join(20)
    assert isinstance(outcome["second"], PreconditionFailed)
    with sessions() as check:
        assert documents.latest(check, "E06000001").body == {"v": "first"}
        assert check.scalar(select(func.count()).select_from(PlanVersion)) == 2
        assert check.scalar(select(func.count()).select_from(AuditEntry)) == 2  # the loser's row went too


def test_latest_actuals_takes_each_periods_newest(session):
    documents.put(session, ME, "E06000001", {"m": {"value": 1}}, if_match=None, period="april-2015")
    documents.put(session, ME, "E06000001", {"m": {"value": 2}}, if_match=1, period="april-2015")
    documents.put(session, ME, "E06000001", {"m": {"value": 3}}, if_match=None, period="october-2015")
    documents.put(session, ME, "E06000002", {"m": {"value": 9}}, if_match=None, period="april-2015")
    documents.put(session, ME, "E06000002", {"m": {"value": 10}}, if_match=1, period="april-2015")
    documents.put(session, ME, "E06000002", {"m": {"value": 11}}, if_match=2, period="april-2015")
    session.commit()
    latest = documents.latest_actuals(session, "E06000001")
    assert {p: (r.version, r.body) for p, r in latest.items()} == {
        "april-2015": (2, {"m": {"value": 2}}), "october-2015": (1, {"m": {"value": 3}})}
    assert documents.latest_actuals(session, "E06000003") == {}


def test_two_reviewers_moving_the_recovery_plan_at_once_one_wins(engine):
    """The recovery plan row carries a version counter: a second concurrent move fails, not overwrites."""
    from sqlalchemy.orm.exc import StaleDataError

    from storage import workflow
    from storage.models import Determination

    sessions = db.session_factory(engine)
    with sessions.begin() as setup:
        row = Determination(hwb_code="E06000001", rule_set="r", plan_version=1, actuals_versions={},
                            request={}, requested_by_name="t",
                            result={"recovery_plan_required": True, "tranches": [
                                {"tranche": "october-2015/metrics", "payment": "october-2015",
                                 "recovery_plan_required": True}]})
        setup.add(row)
        setup.flush()
        workflow.open_if_required(setup, ME, row)
        workflow.transition(setup, ME, workflow.find(setup, "E06000001", "october-2015"), "submitted",
                            content={"a": 1})
    first, second = sessions(), sessions()
    plan_1, plan_2 = (workflow.find(first, "E06000001", "october-2015"),
                      workflow.find(second, "E06000001", "october-2015"))
    workflow.transition(first, ME, plan_1, "not_agreed")  # flushed, not committed
    outcome: dict[str, object] = {}

    def second_reviewer():
        try:
            workflow.transition(second, ME, plan_2, "not_agreed")
            outcome["second"] = "moved"
        except StaleDataError as error:
            outcome["second"] = error

    thread = threading.Thread(target=second_reviewer)
    thread.start()
    thread.join(0.5)
    first.commit()
    thread.join(20)
    second.rollback()
    first.close()
    second.close()
    assert isinstance(outcome["second"], StaleDataError)
    with sessions() as check:
        plan = workflow.find(check, "E06000001", "october-2015")
        assert [h["to"] for h in plan.history] == ["submitted", "not_agreed"]
