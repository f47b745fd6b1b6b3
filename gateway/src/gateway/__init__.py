"""The only public entry: issues tokens, routes /api/v1 to the services, serves the merged OpenAPI."""
