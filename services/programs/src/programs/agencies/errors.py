from kit.problems import ConflictError, ForbiddenError, NotFoundError


class AgencyNotFoundError(NotFoundError):
    slug, title = "agency-not-found", "Agency not found"


class AgencyCodeTakenError(ConflictError):
    slug, title = "agency-code-taken", "Agency code taken"


class AgencyOutsideRegionError(ForbiddenError):
    slug, title = "agency-outside-region", "Agency outside the client's region"


class AgencyReadOnlyError(ForbiddenError):
    slug, title = "agency-read-only", "Agency above the client's region"
