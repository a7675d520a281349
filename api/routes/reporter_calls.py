"""The reporter's follow-up question four weeks after a spot closed: the staff's call list (with contacts:
report.contact only), their answers, and the counts the evaluation shows."""

from fastapi import APIRouter, Depends
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from api.auth import require
from api.deps import DB, Period
from gis.db import Conn
from gis.programme.reporter_calls import ANSWERS, answer_counts, due_calls, record_answer
from gis.users import User

router = APIRouter(prefix="/api/reporter-calls", tags=["evaluation"])


class Answer(BaseModel):
    report_id: int = Field(..., ge=1, le=2**62)
    answer: str = Field(..., max_length=20, description=" | ".join(ANSWERS))
    note: str = Field("", max_length=2000)


@router.get("", summary="Reporters to ask whether their place is safer (staff; holds contacts)")
def calls(user: User = Depends(require("report.contact")), conn: Conn = DB) -> list[dict]:
    return jsonable_encoder(due_calls(conn, user=user))


@router.post("", status_code=201, summary="Record a reporter's answer (staff)")
def answer(body: Answer, user: User = Depends(require("report.contact")), conn: Conn = DB) -> dict:
    return record_answer(conn, user=user, report_id=body.report_id, answer=body.answer, note=body.note)


@router.get("/answers", summary="How many reporters found their place safer, the same or less safe")
def answers(period: Period, user: User = Depends(require("dashboard.read")), conn: Conn = DB) -> dict:
    return answer_counts(conn, since=period.since, until=period.until)
