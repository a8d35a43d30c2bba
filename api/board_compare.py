"""The board page's "under the other scheme" section: the stored plan run under every rule set, side by side.

Issue 13 §3: a panel sees what the board's plan would earn under the original 2015/16 rules and under
the July 2014 revision, through :func:`calculator.compare.compare` (the one calculator path, as
``POST /api/v1/calculations/compare`` answers). Only the stored determination's rule set decided the
money; the others are shown for comparison and say so. A plan that one scheme cannot run (a period it
does not measure, say) is answered with the calculator's own problems, not a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.board_report import tranche_label
from bcf.errors import InvalidInput
from bcf.money import stored_money
from calculator.compare import compare, default_rule_sets
from calculator.responses import DeterminationSchema

_DUMP = DeterminationSchema()


def rule_set_comparison(calculator: Any, request: Mapping[str, Any] | None, determined_under: str
                        ) -> dict[str, Any]:
    """The stored request under its own rule set first, then every other rule set.

    :param request: the calculation request the stored determination answered (plan and actuals).
    :param determined_under: that determination's rule set id: the one the money was decided under.
    :return: ``{"answers": [...], "problems": [...], "determined_under": id}``; ``problems`` (the
        calculator's, each with its location) when the plan cannot be run under one of them.
    """
    rule_sets = calculator.rule_sets
    others = [r for r in default_rule_sets(rule_sets) if r != determined_under]
    ids = ([determined_under] if determined_under in rule_sets else []) + others
    names = {rule_set_id: rule_sets[rule_set_id].name for rule_set_id in ids}
    try:
        answers = compare(calculator, dict(request or {}), ids)
    except InvalidInput as error:
        return {"answers": [], "problems": list(error.problems) or [{"location": "", "message": str(error)}],
                "determined_under": determined_under, "names": names, "others": others}
    rows = []
    for answer in answers:
        result = _DUMP.dump(answer.determination)
        totals = result.get("totals") or {}
        rows.append({
            "rule_set": answer.rule_set, "name": answer.name, "decided": answer.rule_set == determined_under,
            "left_out": answer.left_out,
            "available": stored_money(totals.get("available")),
            "released": stored_money(totals.get("released")),
            "held_back": stored_money(totals.get("held_back")),
            "recovery_plan_required": result.get("recovery_plan_required"),
            "notes": _notes(result),
            "tranches": [{**t, "label": tranche_label(t), "available": stored_money(t.get("available")),
                          "released": stored_money(t.get("released")),
                          "held_back": stored_money(t.get("held_back"))}
                         for t in result.get("tranches") or []],
        })
    return {"answers": rows, "problems": [], "determined_under": determined_under, "names": names,
            "others": others}


def _notes(result: Mapping[str, Any]) -> list[str]:
    """Why a scheme's figures are what they are, in the calculator's words: its warnings, and when it
    makes nothing available (a plan written for the other scheme), the first tranche's explanation."""
    notes = []
    tranches = result.get("tranches") or []
    if tranches and not stored_money((result.get("totals") or {}).get("available")):
        notes.append(f"Nothing is available under this scheme: {tranches[0].get('explanation') or ''}")
    notes += [w["message"] for w in result.get("warnings") or [] if w.get("message")]
    return notes
