"""The REST API's infrastructure, shared by every app's API and by the settings: errors,
renderers (CSV), pagination, throttling, permissions, parsers, query checks, lookups by
code or id, conditional GET and the parameter patterns. A plain package, not an app: the
domain's views, serializers, filters and routes live in `<app>/api/`.
"""
