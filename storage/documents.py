"""Versioned documents: a board's plan, and its actuals per payment period.

Every write appends version N+1; nothing is updated in place, so ``?version=N`` can always read N.
Optimistic concurrency: a writer names the version it last read (HTTP ``If-Match``); the unique
``(hwb_code[, period], version)`` constraint turns a race between two writers of the same N into one
insert that succeeds and one ``IntegrityError``, reported as :class:`PreconditionFailed`. That holds across
threads and processes because the database, not this process, decides.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import audit
from storage.audit import Actor
from storage.db import normalise
from storage.diff import json_diff
from storage.errors import PreconditionFailed, PreconditionRequired
from storage.models import ActualsVersion, PlanVersion

Versioned = PlanVersion | ActualsVersion
ANY = "*"  # If-Match: * — refused: it would let two writers each replace what the other stored


def _query(hwb_code: str, period: str | None):
    if period is None:
        return select(PlanVersion).where(PlanVersion.hwb_code == hwb_code)
    return select(ActualsVersion).where(ActualsVersion.hwb_code == hwb_code, ActualsVersion.period == period)


def latest(session: Session, hwb_code: str, period: str | None = None) -> Versioned | None:
    """The current version of the plan (``period`` None) or of one period's actuals; None if never written."""
    model = PlanVersion if period is None else ActualsVersion
    return session.scalars(_query(hwb_code, period).order_by(model.version.desc()).limit(1)).first()


def latest_actuals(session: Session, hwb_code: str) -> dict[str, ActualsVersion]:
    """The current actuals of every period that has any, in one query (a determination reads them all)."""
    newest = (select(ActualsVersion.period, func.max(ActualsVersion.version).label("version"))
              .where(ActualsVersion.hwb_code == hwb_code).group_by(ActualsVersion.period).subquery())
    rows = session.scalars(select(ActualsVersion).join(
        newest, (ActualsVersion.period == newest.c.period) & (ActualsVersion.version == newest.c.version))
        .where(ActualsVersion.hwb_code == hwb_code)).all()
    return {row.period: row for row in rows}


def get(session: Session, hwb_code: str, version: int, period: str | None = None) -> Versioned | None:
    model = PlanVersion if period is None else ActualsVersion
    return session.scalars(_query(hwb_code, period).where(model.version == version)).first()


def history(session: Session, hwb_code: str, period: str | None = None) -> list[Versioned]:
    model = PlanVersion if period is None else ActualsVersion
    return list(session.scalars(_query(hwb_code, period).order_by(model.version)).all())


def put(session: Session, actor: Actor, hwb_code: str, body: dict[str, Any], *,
        if_match: int | str | None, period: str | None = None) -> tuple[Versioned, bool]:
    """Store ``body`` as the next version, if the writer has seen the current one.

    :param if_match: the version the writer read (``None``: header absent; ``"*"``: refused, since "any
        version" lets concurrent writers overwrite each other's change unseen).
    :return: the new row, and whether it is the resource's first version.
    :raise PreconditionRequired: the resource exists and ``if_match`` is None.
    :raise PreconditionFailed: ``if_match`` is not the current version, or another writer stored the same
        next version first.
    """
    current = latest(session, hwb_code, period)
    what = "plan" if period is None else f"{period} actuals"
    if current is None and if_match is not None:
        raise PreconditionFailed(f"No {what} is stored yet, so If-Match cannot match; send none.",
                                 current_version=None)
    if current is not None:
        if if_match is None:
            raise PreconditionRequired(
                f"The {what} exists (version {current.version}): send If-Match with its ETag.",
                current_version=current.version)
        if if_match == ANY:
            raise PreconditionFailed(
                f"If-Match: * is not accepted: it would replace whatever the {what} is now. Send the ETag "
                f'of the version you read (the current one is "{current.version}").',
                current_version=current.version)
        if if_match != current.version:
            raise PreconditionFailed(
                f"The {what} has changed: you sent version {if_match}, the current one is {current.version}. "
                "Read it again, reapply your change and resend.", current_version=current.version)
    body = normalise(body)
    version = 1 if current is None else current.version + 1
    fields = dict(hwb_code=hwb_code, version=version, body=body, created_by_token_id=actor.token_id,
                  created_by_name=actor.name)
    row: Versioned = PlanVersion(**fields) if period is None else ActualsVersion(period=period, **fields)
    session.add(row)
    try:
        session.flush()  # now, not at commit: the loser of a race must learn it inside this request
    except IntegrityError:
        session.rollback()  # the request's transaction is void anyway; leave the session usable
        raise PreconditionFailed(
            f"Another writer stored version {version} of the {what} first. Read it again and resend.",
            current_version=version) from None
    resource = f"/api/v1/hwbs/{hwb_code}/" + ("plan" if period is None else f"actuals/{period}")
    previous = {} if current is None else current.body
    audit.record(session, actor, "plan.put" if period is None else "actuals.put", resource,
                 hwb_code=hwb_code, version=version, diff=json_diff(previous, body))
    return row, current is None
