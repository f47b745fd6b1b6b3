from kit.problems import ConflictError, ForbiddenError, NotFoundError, UnprocessableError


class HouseholdNotFoundError(NotFoundError):
    slug, title = "household-not-found", "Household not found"


class MemberNotFoundError(NotFoundError):
    slug, title = "member-not-found", "Member not found"


class FamilyCardTakenError(ConflictError):
    slug, title = "no-kk-taken", "No. KK already registered"


class NikTakenError(ConflictError):
    slug, title = "nik-taken", "NIK already registered"


class HouseholdInactiveError(ConflictError):
    slug, title = "household-inactive", "Household is inactive"


class RegistryValidationError(UnprocessableError):
    """Rules that need the registry (known regions, one head per family) rather than the body alone."""

    slug, title = "registry-validation", "Registry validation failed"


class RegionOutsideScopeError(ForbiddenError):
    slug, title = "region-outside-scope", "Region outside the client's region"
