"""Shared data for the fuzz harness (a uniquely named module: every test room has a conftest): the seeded
board's plan and actuals, the identities, and the operations whose positive-data check is off."""

from __future__ import annotations

import copy

from storage import tokens
from storage.audit import Actor

# outturn below plan: the determination opens a recovery plan, so the workflow operations have one to act on
from tests.storage.storage_support import ACTUALS_BAD as ACTUALS
from tests.storage.storage_support import PLAN

HWB = "E06000001"  # Hartlepool: the seeded board


class Seeded:
    """The app, its stored data and the bearer headers of each identity the harness sends."""

    def __init__(self, app):
        self.app = app
        self.headers: dict[str, dict[str, str]] = {"anonymous": {}}
        self.token_ids: set[int] = set()
        for identity, role, code in (("admin", "admin", None), ("hwb", "hwb", HWB)):
            token_id, secret = self.token(identity, role, code)
            self.headers[identity] = {"Authorization": f"Bearer {secret}"}
            self.token_ids.add(token_id)
        client = app.test_client()
        hwb = self.headers["hwb"]
        for response in (client.put(f"/api/v1/hwbs/{HWB}/plan", json=copy.deepcopy(PLAN), headers=hwb),
                         *(client.put(f"/api/v1/hwbs/{HWB}/actuals/{period}", json=body, headers=hwb)
                           for period, body in ACTUALS.items()),
                         client.post(f"/api/v1/hwbs/{HWB}/determinations", headers=hwb)):
            assert response.status_code == 201, response.get_json()
        self.determination_id = response.get_json()["id"]

    def token(self, name: str, role: str, code: str | None = None) -> tuple[int, str]:
        with self.app.extensions["bcf_sessions"].begin() as session:
            token, secret = tokens.create(session, Actor(None, "fuzz-setup"), name=f"fuzz {name}", role=role,
                                          hwb_code=code)
            return token.id, secret


# schemathesis's positive_data_acceptance check expects a 2xx (or 401/403/404/409) for every request the
# document allows. These operations rightly refuse some such requests, for reasons JSON Schema cannot say;
# that one check is off for them (every other check stays on, and their 422s are still checked against
# the document: documented status, problem+json, the problem schema).
SCHEMA_CANNOT_SAY = {
    "GET /api/v1/hwbs": "a filter must be a value some board has (matched ignoring case): the boards are "
                        "reference data read at start-up, not an enum fixed in the document",
    "POST /api/v1/calculations": "checks across fields and reference data: p4p_pool is required only when "
                                 "no allocation table gives the board's pool; a metric's periods must be "
                                 "ones its rule set measures; counts must fit their denominators",
    "POST /api/v1/calculations/compare": "the same cross-field checks as POST /api/v1/calculations",
    "POST /api/v1/ambitions": "the same cross-field checks as POST /api/v1/calculations",
    "POST /api/v1/calculations/csv": "what is inside the uploaded files (CSV text with the template's "
                                     "columns and rows)",
    "GET /api/v1/reports/national": "tranche must be a tranche id of the rule sets read at start-up "
                                    "(reference data, not an enum fixed in the document)",
    "POST /api/v1/reports/national": "what is inside the uploaded files, as for POST "
                                     "/api/v1/calculations/csv; tranche as for GET",
    "POST /api/v1/allocations/calculate": "at least one of four optional inputs, each a CSV table or rows "
                                          "with the columns its role needs",
    "POST /api/v1/tokens": "hwb_code must be one of the 152 boards (reference data), role hwb needs it and "
                           "only role assurance may hold a party (rules across fields), expires is a date "
                           "or a duration",
    "PUT /api/v1/hwbs/{code}/plan": "If-Match is required once a plan exists (428), and must name the "
                                    "current version (412): state, not shape",
    "POST /api/v1/hwbs/{code}/determinations": "the stored plan and actuals must make a request the "
                                               "calculator accepts (a stored plan without p4p_pool needs "
                                               "an allocation table): state, not this request",
    "POST /api/v1/hwbs/{code}/recovery-plan/transitions": "direction is required when to is "
                                                          "nhs_england_direction (a rule across fields)",
    "POST /api/v1/hwbs/{code}/recovery-plan/{payment}/transitions": "as …/recovery-plan/transitions",
    "PUT /api/v1/hwbs/{code}/actuals/{period}": "If-Match once actuals exist (428, 412), as for the plan; "
                                                "the metrics must be ones the stored plan has",
}
