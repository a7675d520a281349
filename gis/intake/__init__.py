"""Intake: every way a report comes in (files from the mayors, focus groups, the 137 hotline via Open311, the
facilitator's tablet) and the one entrance they share, reports.submit_report."""
