from kit.problems import NotFoundError


class TargetListNotFoundError(NotFoundError):
    slug, title = "target-list-not-found", "Target list not found"
