"""Orchestration between the API and the edges: freshness, single-flight, stale-on-error."""
