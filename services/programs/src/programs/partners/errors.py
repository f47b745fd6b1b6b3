from kit.problems import ForbiddenError, NotFoundError


class PartnerNotFoundError(NotFoundError):
    slug, title = "partner-not-found", "Partner not found"


class PartnerOutsideRegionError(ForbiddenError):
    slug, title = "partner-outside-region", "Partner outside the client's region"
