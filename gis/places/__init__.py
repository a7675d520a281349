"""Places: the area hierarchy (district, sub-district, neighbourhood), resolving neighbourhood names,
locating points."""
