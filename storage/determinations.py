"""Determinations as they were answered: the calculator's response kept with the inputs it used.

The calculation itself is not here: the web layer merges the stored plan and actuals into one api.md
request and calls the calculator's one code path, then hands request and response to :func:`record`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bcf.money import PENNY, ZERO
from storage import audit, documents, workflow
from storage.audit import Actor
from storage.db import normalise
from storage.errors import Conflict
from storage.models import Determination, iso


def merge_request(session: Session, hwb_code: str, periods: list[str]
                  ) -> tuple[dict[str, Any], int, dict[str, int]]:
    """The api.md calculation request for a board: its current plan with its current actuals.

    Each metric's ``periods.<period>.actual`` is taken from that period's actuals (keyed by the plan's
    ``metric`` id); a metric with no actual stays pending. The outturn months an actual may carry
    (``monthly``, issue 13 §2) join the plan's monthly series (:func:`split_monthly`).

    :return: the request, the plan version and ``{period: actuals version}`` for the periods that have any.
    :raise Conflict: no plan stored yet.
    """
    plan = documents.latest(session, hwb_code)
    if plan is None:
        raise Conflict(f"No plan is stored for {hwb_code}: PUT /api/v1/hwbs/{hwb_code}/plan first.")
    request: dict[str, Any] = {"hwb_code": hwb_code, **normalise(plan.body)}
    versions: dict[str, int] = {}
    stored = documents.latest_actuals(session, hwb_code)
    for period in periods:
        actuals = stored.get(period)
        if actuals is None:
            continue
        versions[period] = actuals.version
        for metric in request.get("metrics", []):
            block = actuals.body.get(metric.get("metric"))
            period_plan = (metric.get("periods") or {}).get(period)
            if block is not None and isinstance(period_plan, dict):
                block, months = split_monthly(block)
                if block:
                    period_plan["actual"] = block
                if months is not None:
                    metric["monthly"] = [*(metric.get("monthly") or []), *months]
    return request, plan.version, versions


def split_monthly(block: Any) -> tuple[Any, Any]:
    """A stored actual as ``(count block, outturn months or None)``: an actual may carry the months of its
    period as ``monthly`` beside its counts (or alone, before the period's counts are in), which a
    determination adds to the plan's monthly series; the calculator checks the whole series."""
    if isinstance(block, dict) and "monthly" in block:
        return {key: value for key, value in block.items() if key != "monthly"}, block["monthly"]
    return block, None


def record(session: Session, actor: Actor, hwb_code: str, *, plan_version: int,
           actuals_versions: dict[str, int], request: dict[str, Any],
           result: dict[str, Any]) -> Determination:
    """Store a determination (never changed afterwards), audit it, and open a recovery plan if needed."""
    result = normalise(result)
    row = Determination(hwb_code=hwb_code, rule_set=str(result.get("rule_set") or request.get("rule_set")),
                        plan_version=plan_version, actuals_versions=actuals_versions,
                        request=normalise(request),
                        result=result, requested_by_token_id=actor.token_id, requested_by_name=actor.name)
    session.add(row)
    session.flush()
    audit.record(session, actor, "determination.create", f"/api/v1/hwbs/{hwb_code}/determinations/{row.id}",
                 hwb_code=hwb_code, version=plan_version,
                 diff=[{"op": "add", "path": "", "value": {"plan_version": plan_version,
                                                           "actuals_versions": actuals_versions,
                                                           "rule_set": row.rule_set,
                                                           "totals": result.get("totals"),
                                                           "recovery_plan_required":
                                                               result.get("recovery_plan_required")}}])
    workflow.open_if_required(session, actor, row)
    return row


def list_for(session: Session, hwb_code: str) -> list[Determination]:
    return list(session.scalars(select(Determination).where(Determination.hwb_code == hwb_code)
                                .order_by(Determination.id)).all())


def get(session: Session, hwb_code: str, determination_id: int) -> Determination | None:
    return session.scalars(select(Determination).where(Determination.hwb_code == hwb_code,
                                                       Determination.id == determination_id)).first()


def latest(session: Session, hwb_code: str) -> Determination | None:
    return session.scalars(select(Determination).where(Determination.hwb_code == hwb_code)
                           .order_by(Determination.id.desc()).limit(1)).first()


def describe(row: Determination, *, with_result: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.id, "hwb_code": row.hwb_code, "rule_set": row.rule_set, "plan_version": row.plan_version,
        "actuals_versions": dict(row.actuals_versions),
        "requested_by": {"token_id": row.requested_by_token_id, "name": row.requested_by_name},
        "created_at": iso(row.created_at),
        "recovery_plan_required": row.result.get("recovery_plan_required"),
        "totals": row.result.get("totals"),
        "payments": payment_totals(row.result),
    }
    if with_result:
        out["request"] = row.request
        out["result"] = row.result
    return out


def payment_totals(result: dict[str, Any]) -> dict[str, dict[str, Decimal | None]]:
    """Per payment (``april-2015``, ``october-2015``): available, released and held back, summed from
    the determination's tranches; released and held back are None only while a tranche of that payment
    is pending. The whole year's ``totals`` are None until October's outturn, which would hide what
    April already released."""
    payments: dict[str, dict[str, Decimal | None]] = {}
    for tranche in result.get("tranches") or []:
        payment = tranche.get("payment") or str(tranche.get("tranche", "")).split("/")[0]
        sums = payments.setdefault(payment, {"available": ZERO, "released": ZERO, "held_back": ZERO})
        for key in ("available", "released", "held_back"):
            amount, total = tranche.get(key), sums[key]
            sums[key] = None if amount is None or total is None else total + _pounds(amount)
    return payments


def _pounds(amount: float | int | str | Decimal) -> Decimal:
    """An amount as stored in the JSON column: a number with at most two decimals (its shortest form)."""
    return (Decimal(repr(amount)) if isinstance(amount, float) else Decimal(str(amount))).quantize(PENNY)
