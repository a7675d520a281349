"""The programme: the four stages (workflow), the agencies that act, the working group's activities and
phases, and the deputy's dashboard."""
