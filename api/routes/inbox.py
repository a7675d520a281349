"""Each signed-in user's inbox: new actions, due dates, meeting follow-ups; the top bar reads the count."""

from fastapi import APIRouter, Depends, Request
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from api.auth import require_user
from api.deps import DB
from api.errors import request_language
from gis.db import Conn
from gis.programme.inbox import inbox, mark_read, unread_count
from gis.users import User

router = APIRouter(prefix="/api/inbox", tags=["inbox"])


@router.get("", summary="Your notifications, unread first")
def notifications(request: Request, user: User = Depends(require_user), conn: Conn = DB) -> list[dict]:
    return jsonable_encoder(inbox(conn, user=user, lang=request_language(request)))


@router.get("/count", summary="How many of your notifications are unread")
def count(user: User = Depends(require_user), conn: Conn = DB) -> dict:
    return {"unread": unread_count(conn, user=user)}


class Read(BaseModel):
    id: int | None = Field(None, ge=1, le=2**31 - 1, description="one notification; none: all of yours")


@router.post("/read", summary="Mark one of your notifications read, or all of them")
def read(body: Read, user: User = Depends(require_user), conn: Conn = DB) -> dict:
    return {"read": mark_read(conn, user=user, notification_id=body.id)}
