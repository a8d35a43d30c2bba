"""Domain errors. Each has a stable ``slug``; the HTTP layer alone maps slugs to status codes."""

from __future__ import annotations

#: problems listed in one answer: a body or file of a million mistakes is still one bad request, and the
#: first thousand (with the count of the rest) is what a person can act on and a response can carry
MAX_PROBLEMS = 1000


def capped(problems: list[dict[str, str]], total: int | None = None) -> list[dict[str, str]]:
    """The first :data:`MAX_PROBLEMS` problems, and a last entry counting the ones left out.

    :param total: how many problems there are, when ``problems`` holds only the first of them (a
        caller that need not write out the rest).
    """
    total = len(problems) if total is None else total
    if total <= MAX_PROBLEMS:
        return problems
    rest = total - MAX_PROBLEMS
    return problems[:MAX_PROBLEMS] + [{"location": "$", "message": f"… and {rest} more problems."}]


class BcfError(Exception):
    """Base of every error the domain raises on purpose.

    :param message: a sentence a finance officer understands.
    :param problems: optional ``{"location", "message"}`` entries, all problems at once.
    :param context: facts a client may act on, answered beside the message (RFC 9457 extension members).
    """

    slug = "bcf-error"

    def __init__(self, message: str, problems: list[dict[str, str]] | None = None, **context: object):
        super().__init__(message)
        self.message = message
        self.problems = problems or []
        self.context = context  # machine-readable facts beside the sentence (e.g. a workflow's allowed steps)


class UnknownRuleSet(BcfError):
    slug = "unknown-rule-set"


class UnknownBoard(BcfError):
    slug = "unknown-board"


class InvalidInput(BcfError):
    slug = "invalid-input"


class ReferenceDataError(BcfError):
    """Reference data (a rule set, the catalogue, an allocation table) is malformed: stops start-up."""

    slug = "reference-data-error"
