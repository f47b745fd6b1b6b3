from kit.problems import UnprocessableError


class InvalidSpendingError(UnprocessableError):
    slug, title = "invalid-spending", "Invalid spending"
