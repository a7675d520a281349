"""Who may do what, over which spots: the one permission table (role × action × scope) every guard reads."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from gis.errors import Unauthorized

if TYPE_CHECKING:
    from gis.users import User


class Scope(StrEnum):
    """Over which spots a role may do an action."""

    ALL = "all"
    AREAS = "areas"  # the neighbourhoods the user is bound to
    AGENCY = "agency"  # the spots where the user's agency has an action
    PUBLIC = "public"  # anyone, signed in or not: spots past mapping, without names
    OWN = "own"  # what the user's agency, or their staff role, owns (a meeting decision's follow-up)


@dataclass(frozen=True)
class Role:
    """A role as users see it, and what its accounts are bound to."""

    code: str
    fa: str
    en: str
    bound: Scope = Scope.ALL


ROLE_LIST = (
    Role("gis_office", "دفتر GIS", "GIS office"),
    Role("deputy", "معاونت", "Deputy"),
    Role("facilitator", "تسهیلگر", "Facilitator", Scope.AREAS),
    Role("agency", "دستگاه اجرایی", "Agency", Scope.AGENCY),
    Role("viewer", "بیننده", "Viewer"),
)
ROLES: dict[str, Role] = {role.code: role for role in ROLE_LIST}
ROLE_CODES: tuple[str, ...] = tuple(ROLES)

_GIS = {"gis_office": Scope.ALL}
_DEPUTY = {"deputy": Scope.ALL}
_STAFF = {**_GIS, **_DEPUTY}
_FIELD = {**_STAFF, "facilitator": Scope.AREAS}
_READERS = {**_STAFF, "viewer": Scope.ALL}

# The permission table, a row per set of roles: {role: scope} and the actions it grants them. A role not named
# for an action may not do it; "public" names what the anonymous may. Every action stands in one row only.
_GRANTS: tuple[tuple[dict[str, Scope], tuple[str, ...]], ...] = (
    (_GIS, ("spot.verify", "spot.reject", "spot.edit", "import.reports")),
    (_DEPUTY, ("spot.close", "spot.reopen", "agency.manage", "routing.manage", "programme.manage")),
    # A meeting decision's follow-up is owned by an agency (by its code) or by one of the staff roles.
    (
        _STAFF,
        (
            "spot.remediate",
            "spot.candidates",
            "action.assign",
            "action.cancel",
            "report.contact",
            "import.read",
            "routing.read",
            "follow_up.own",
        ),
    ),
    (_FIELD, ("spot.visit", "spot.evaluate", "report.read", "focus_group.record", "focus_group.read")),
    (_READERS, ("programme.read", "dashboard.read")),
    (
        {**_READERS, "facilitator": Scope.AREAS, "agency": Scope.AGENCY, "public": Scope.PUBLIC},
        ("spot.read",),
    ),
    ({**_READERS, "facilitator": Scope.AREAS, "agency": Scope.AGENCY}, ("action.read",)),
    ({**_FIELD, "agency": Scope.AGENCY}, ("spot.read_actors",)),
    ({**_STAFF, "agency": Scope.AGENCY}, ("spot.note",)),
    ({**_GIS, "facilitator": Scope.AREAS}, ("report.submit",)),
    ({"agency": Scope.AGENCY}, ("action.progress",)),
    # Marking a follow-up done: its owner (the agency's users, or the staff role named), or the deputy any.
    ({**_DEPUTY, "gis_office": Scope.OWN, "agency": Scope.OWN}, ("follow_up.complete",)),
    # Pages: the tablet page is the facilitators' work (the GIS office works at /work).
    ({"facilitator": Scope.AREAS}, ("page.field",)),
)
# action → {role: scope}: what every guard reads.
PERMISSIONS: dict[str, dict[str, Scope]] = {action: roles for roles, actions in _GRANTS for action in actions}

# Facilitators submit what they gathered in the field; the GIS office any source.
SUBMIT_SOURCES: dict[str, tuple[str, ...]] = {"facilitator": ("field", "focus_group")}


def may(role: str | None, action: str) -> bool:
    """Whether `role` (None: nobody signed in) may do `action`; an unknown action is a bug, not a refusal."""
    return ("public" if role is None else role) in PERMISSIONS[action]


def roles_for(*actions: str) -> tuple[str, ...]:
    """The signed-in roles that may do one of `actions` at least, in the roles' order."""
    return tuple(code for code in ROLE_CODES if any(code in PERMISSIONS[action] for action in actions))


def actions_for(role: str) -> tuple[str, ...]:
    """The actions `role` may do, in the table's order: what a page offers a signed-in user."""
    return tuple(action for action, allowed in PERMISSIONS.items() if role in allowed)


def scope_of(role: str | None, action: str) -> Scope | None:
    """Over which spots `role` may do `action`, or None when it may not."""
    return PERMISSIONS[action].get("public" if role is None else role)


def bound(role: str) -> Scope:
    """What accounts of `role` are bound to: neighbourhoods, an agency, or nothing (all)."""
    return ROLES[role].bound


def submit_sources(role: str) -> tuple[str, ...] | None:
    """The report sources `role` may submit, or None for any."""
    return SUBMIT_SOURCES.get(role)


@dataclass(frozen=True)
class SpotScope:
    """Which spots a reader may see: the public only those past mapping (and of them no names and none of the
    staff's record), a facilitator those in their neighbourhoods, an agency those it has an action on; staff
    and viewers all of them."""

    min_stage: int = 1
    area_ids: tuple[int, ...] | None = None
    agency_id: int | None = None
    names: bool = True
    staff: bool = True  # the staff's record too: reporters' words, visits, actions, agencies, staff notes
    exact: bool = True  # true geometry; else the precision gis.publish.precision sets for the public

    def params(self) -> dict:
        return {
            "scope_stage": self.min_stage,
            "scope_exact": self.exact,
            "scope_areas": None if self.area_ids is None else list(self.area_ids),
            "scope_agency": self.agency_id,
        }


EVERY_SPOT = SpotScope()
# Stage 1 and 2 places are unverified reports: they stay with the staff until the GIS office has placed them.
PUBLIC_SPOTS = SpotScope(min_stage=3, names=False, staff=False, exact=False)


def scope_for(user: User | None, *, public_map: bool) -> SpotScope:
    """The spots a signed-in user's role may read, or the public's (refused when the public map is off)."""
    if user is None:
        if not public_map:
            raise Unauthorized("sign_see_spots_public_map", field="authorization")
        return PUBLIC_SPOTS
    scope = scope_of(user.role, "spot.read")
    if scope is Scope.AREAS:
        return SpotScope(area_ids=user.area_ids)
    if scope is Scope.AGENCY:
        return SpotScope(agency_id=user.agency_id)
    # A viewer reads every spot but not who acted on it: names are for the roles that may read actors.
    return EVERY_SPOT if may(user.role, "spot.read_actors") else SpotScope(names=False)
