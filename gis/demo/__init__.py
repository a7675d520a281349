"""The District 22 demo: boundary, neighbourhoods, agencies and spots (district), and their programme
history."""
