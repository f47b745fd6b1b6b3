from kit.problems import ConflictError, ForbiddenError, NotFoundError, UnprocessableError


class ChangeRequestNotFoundError(NotFoundError):
    slug, title = "change-request-not-found", "Change request not found"


class ChangeRequestInvalidError(UnprocessableError):
    """The envelope or the payload does not fit the kind; `errors` point into the body (`/payload/...`)."""

    slug, title = "invalid-change-request", "Invalid change request"


class ChangeRequestTransitionError(ConflictError):
    slug, title = "change-request-transition", "Change request cannot take this step"


class ChangeRequestStaleError(ConflictError):
    slug, title = "change-request-stale", "Change request target changed since submission"


class SelfApprovalError(ForbiddenError):
    slug, title = "self-approval", "Submitter cannot approve"
