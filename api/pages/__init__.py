"""The HTML pages (map, spot, dashboard, tablet, sign-in): the routes under api/routes/ answer JSON, OGC,
Open311 and tiles only."""
