from kit.problems import UnprocessableError


class CriteriaInvalidError(UnprocessableError):
    """`errors` carries one JSON pointer per problem, into the request body (`/criteria/all/1/value`)."""

    slug, title = "invalid-criteria", "Invalid criteria"
