"""Storage errors: each has a stable ``slug``; the HTTP layer alone maps slugs to status codes."""

from __future__ import annotations

from bcf.errors import BcfError


class StorageError(BcfError):
    """A stored resource cannot be read or written as asked; ``context`` says what the client can do."""

    slug = "storage-error"

    def __init__(self, message: str, **context: object):
        super().__init__(message, **context)


class NotFound(StorageError):
    slug = "not-found"


class PreconditionRequired(StorageError):
    """An existing resource was written without ``If-Match``: the writer has not seen the current version."""

    slug = "precondition-required"


class PreconditionFailed(StorageError):
    """The writer's version is not the current one (someone else wrote first)."""

    slug = "precondition-failed"


class Conflict(StorageError):
    """The request does not fit the resource's current state (e.g. a determination with no stored plan)."""

    slug = "conflict"


class TransitionNotAllowed(Conflict):
    """A recovery-plan step that the workflow does not allow from the current state."""

    slug = "transition-not-allowed"


class Forbidden(StorageError):
    """The caller's token may not make this step (e.g. it does not hold the party whose agreement it is)."""

    slug = "forbidden"
