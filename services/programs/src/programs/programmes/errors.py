from kit.problems import ConflictError, ForbiddenError, NotFoundError, UnprocessableError


class ProgramNotFoundError(NotFoundError):
    slug, title = "program-not-found", "Programme not found"


class ProgramCodeTakenError(ConflictError):
    slug, title = "program-code-taken", "Programme code taken"


class ProgramReadOnlyError(ForbiddenError):
    slug, title = "program-read-only", "Programme of an agency above the client's region"


class ProgramClosedError(ConflictError):
    slug, title = "program-closed", "Programme closed"


class UnknownAgencyError(UnprocessableError):
    slug, title = "unknown-agency", "Unknown agency"


class InvalidProgramError(UnprocessableError):
    slug, title = "invalid-program", "Invalid programme"
