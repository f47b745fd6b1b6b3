from kit.problems import ForbiddenError, UnprocessableError


class DesignationInvalidError(UnprocessableError):
    slug, title = "invalid-designation", "Invalid designation"


class DesignationOutsideScopeError(ForbiddenError):
    slug, title = "region-outside-scope", "Region outside the client's region"
