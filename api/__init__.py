"""Safemap's web application and CLI, built on gis/."""
