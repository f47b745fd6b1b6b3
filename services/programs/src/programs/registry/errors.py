from kit.problems import BadGatewayError, ForbiddenError, ServiceUnavailableError, UnprocessableError


class RegistryUnavailableError(ServiceUnavailableError):
    slug, title = "registry-unavailable", "Registry unavailable"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"Retry-After": "5"})


class RegistryBadResponseError(BadGatewayError):
    slug, title = "registry-bad-response", "Registry answered out of contract"


class RegistryForbiddenError(ForbiddenError):
    slug, title = "registry-forbidden", "Registry refused the client's token"


class RegistryRejectedError(UnprocessableError):
    slug, title = "registry-rejected", "Registry rejected the lookup"


class UnknownTargetListError(UnprocessableError):
    slug, title = "unknown-target-list", "Unknown target list"
