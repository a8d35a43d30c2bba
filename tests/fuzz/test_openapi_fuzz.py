"""schemathesis over the app's own OpenAPI document, in process (WSGI, no network), with every check it
has (server errors, response schema, status codes, content types, headers, auth, …): as nobody, as an
admin and as an hwb token. Any answer the document does not describe is a bug in one of the two.

``FUZZ_REQUESTS`` is the request budget over the whole run (default 2,700, shared evenly between the
identities and operations). Hypothesis stops early on an operation with few possible requests (GET
/api/v1/health has none to vary), so each identity must send at least 80% of its share: 2,160 or more in
all by default. The suite's run is derandomized, so it fails or passes the same way each time;
``make fuzz`` runs a long one with fresh random data (``FUZZ_RANDOM=1``).

schemathesis's own pytest plugin (``schema.parametrize()``) does not run under pytest 9 (it sets
``Function._nodeid``, which pytest 9 no longer has), so each operation's strategy is driven by Hypothesis
here, as schemathesis documents ``APIOperation.as_strategy`` for tests of one's own. Each operation mixes
three kinds of request: valid ones anywhere (mostly boards with nothing stored), valid ones on the seeded
board (its plan, actuals, determination and recovery plans), and invalid ones (negative data).
"""

from __future__ import annotations

import math
import os

import pytest
from fuzz_support import HWB
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

BUDGET = int(os.environ.get("FUZZ_REQUESTS", "2700"))
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"
IDENTITIES = ("anonymous", "admin", "hwb")


def requests_for(operation, seeded):
    names = {parameter.name for parameter in operation.path_parameters}
    stored = {name: value for name, value in (("code", HWB), ("determination_id", seeded.determination_id))
              if name in names}
    kinds = [operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE)]
    if stored:
        kinds.append(operation.as_strategy(path_parameters=stored))
    return st.one_of(kinds)


def fuzz(operation, seeded, headers: dict[str, str], examples: int) -> int:
    """Send up to ``examples`` generated requests to one operation; answers how many were sent."""
    sent = 0

    @settings(max_examples=examples, database=None, deadline=None, derandomize=not RANDOM,
              suppress_health_check=list(HealthCheck))
    @given(case=requests_for(operation, seeded))
    def run(case):
        nonlocal sent
        if operation.path == "/api/v1/tokens/{token_id}" and \
                case.path_parameters.get("token_id") in seeded.token_ids:
            # the harness's own tokens stay: revoke a fresh one instead (the 200 path, not a skip)
            case.path_parameters["token_id"], _ = seeded.token("sacrificial", "hwb", HWB)
        sent += 1
        case.call_and_validate(headers=headers)

    run()
    return sent


@pytest.mark.parametrize("identity", IDENTITIES)
def test_every_answer_is_documented(identity, seeded, openapi):
    operations = [result.ok() for result in openapi.get_all_operations()]
    examples = max(1, math.ceil(BUDGET / (len(IDENTITIES) * len(operations))))
    sent, failures = 0, []
    for operation in operations:
        try:
            sent += fuzz(operation, seeded, seeded.headers[identity], examples)
        except (Exception, BaseExceptionGroup) as error:  # schemathesis's FailureGroup is the latter
            failures.append(f"{operation.label}: {error}")  # every operation's failure, not the first
    print(f"{sent} requests as {identity} over {len(operations)} operations")  # pytest -rP shows it
    assert not failures, f"{len(failures)} operation(s) failed as {identity}:\n\n" + "\n\n".join(failures)
    assert sent >= 0.8 * BUDGET / len(IDENTITIES), f"only {sent} requests as {identity}"
