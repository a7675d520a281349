"""Safemap's core: PostGIS schema and queries, intake, aggregation, workflow, analysis. No web framework here."""
