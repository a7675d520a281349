"""Aggregation: reports of one place become one spot (aggregate), the automatic spots re-clustered (rebuild),
and the GIS office's corrections (edits: merge, unmerge, split, attach), each recorded as events."""
