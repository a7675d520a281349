"""Safemap's core: PostGIS schema and queries, intake, aggregation, workflow, analysis; no web framework."""
