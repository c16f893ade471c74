"""Cross-cutting pieces: tenancy, audit log, pagination, web hooks, health and language."""
