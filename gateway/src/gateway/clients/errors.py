from kit.problems import BadRequestError, ConflictError, NotFoundError, UnauthorizedError


class InvalidClientError(UnauthorizedError):
    slug, title = "invalid-client", "Invalid client"


class UnsupportedGrantTypeError(BadRequestError):
    slug, title = "unsupported-grant-type", "Unsupported grant type"


class InvalidScopeError(BadRequestError):
    slug, title = "invalid-scope", "Invalid scope"


class InvalidTokenRequestError(BadRequestError):
    slug, title = "invalid-request", "Invalid token request"


class ClientExistsError(ConflictError):
    slug, title = "client-exists", "Client already exists"


class ClientNotFoundError(NotFoundError):
    slug, title = "client-not-found", "Client not found"
