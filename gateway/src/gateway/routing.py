"""Which service owns which path: a table, longest prefix first, not code per route."""

from __future__ import annotations

API_PREFIX = "/api/v1/"

# Path prefixes under /api/v1/ (and the /dci/ tree) -> owning service, as API.md fixes them.
ROUTES: dict[str, str] = {
    "regions": "targeting",
    "households": "targeting",
    "people": "targeting",
    "imports": "targeting",
    "feeds/registry": "targeting",
    "targeting": "targeting",
    "target-lists": "targeting",
    "priority-areas": "targeting",
    "change-requests": "targeting",
    "audit": "targeting",
    "agencies": "programs",
    "programs": "programs",
    "interventions": "programs",
    "partners": "programs",
    "feeds/programs": "programs",
    "reports": "reporting",
}
DCI_PREFIX = "/dci/"
DCI_SERVICE = "targeting"


class RouteTable:
    def __init__(self, routes: dict[str, str] | None = None) -> None:
        self._routes = sorted((routes or ROUTES).items(), key=lambda kv: -len(kv[0]))

    def service_for(self, path: str) -> str | None:
        if path.startswith(DCI_PREFIX):
            return DCI_SERVICE
        if not path.startswith(API_PREFIX):
            return None
        rest = path[len(API_PREFIX):]
        for prefix, service in self._routes:
            if rest == prefix or rest.startswith(prefix + "/"):
                return service
        return None
