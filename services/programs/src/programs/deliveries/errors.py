from kit.problems import UnprocessableError


class InvalidDeliveriesError(UnprocessableError):
    slug, title = "invalid-deliveries", "Invalid deliveries"
