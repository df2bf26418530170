"""Minutes: creating them from a recording, who may read them, corrections, search.

`create_minutes_from_file` is the one entry point for a recording, whoever uploaded it (the
upload page, and later the meetings capability with its recordings): it checks the file is
audio or video the caller may read, records the minutes as queued and, after commit, asks the
transcription queue (transcribe.py) to run.

Reading: the owner, people it is shared with, and members of departments it is shared with (or
of their sub-departments). Minutes one may not read look like no minutes at all (404). Only
the owner corrects text, renames speakers, shares, cancels and retries.
"""

from __future__ import annotations

from sqlalchemy import Select, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import Conflict, Invalid, NotFound
from tongban.core.jobs import enqueue
from tongban.core.permissions import Actor
from tongban.files import service as files
from tongban.minutes.models import MinutesRecord, MinutesSegment, MinutesShare
from tongban.minutes.schemas import (
    MinutesCreate,
    MinutesHit,
    MinutesRead,
    MinutesSearchOut,
    MinutesSegmentRead,
    MinutesShareIn,
    MinutesTranscriptOut,
    MinutesWord,
)
from tongban.org import service as org

i18n.register(
    {
        "minutes_not_found": ("找不到该妙记", "No such minutes"),
        "minutes_segment_not_found": ("找不到该段文字", "No such transcript segment"),
        "minutes_not_owner": ("只有妙记的创建者可以这样做", "Only the owner of the minutes may do this"),
        "minutes_not_cancellable": ("转写已结束，无法取消", "The transcription has already ended"),
        "minutes_not_retryable": (
            "只有失败或已取消的转写可以重试",
            "Only a failed or cancelled transcription can be retried",
        ),
        "minutes_not_done": ("转写尚未完成", "The transcription has not finished yet"),
        "field.minutes_not_media": ("不是音频或视频文件", "is not an audio or video file"),
        "field.minutes_unknown_speaker": ("转写中没有这个发言人", "is not a speaker in this transcript"),
        "minutes.error.not_media": (
            "无法识别该文件的音频，请上传音频或视频文件",
            "The file has no audio we can read; upload an audio or video recording",
        ),
        "minutes.error.corrupt": (
            "文件已损坏，音频无法完整解码",
            "The file is damaged; its audio could not be decoded",
        ),
        "minutes.error.no_speech": ("录音中没有识别到语音", "No speech was found in the recording"),
        "minutes.error.engine": (
            "语音识别引擎出错，请稍后重试",
            "The speech recogniser failed; please retry later",
        ),
        "minutes.error.file_missing": ("录音文件已不存在", "The recording's file no longer exists"),
        "minutes.untitled": ("未命名妙记", "Untitled minutes"),
    }
)

# Types the files capability sniffs for recordings it cannot name precisely (opus in ogg, webm).
_MEDIA_EXTRA = frozenset({"application/ogg", "application/octet-stream"})
_MEDIA_SUFFIXES = (".mp3", ".m4a", ".wav", ".ogg", ".opus", ".mp4", ".webm", ".aac", ".flac", ".mov")


def is_media(content_type: str, name: str) -> bool:
    if content_type.startswith(("audio/", "video/")):
        return True
    return content_type in _MEDIA_EXTRA and name.lower().endswith(_MEDIA_SUFFIXES)


# ---- reading ------------------------------------------------------------------------------


async def readable_minutes(session: AsyncSession, actor: Actor) -> Select[MinutesRecord]:
    """The minutes `actor` may read. Every read starts here."""
    departments = await org.enclosing_department_ids(session, actor.person_id)
    shared = select(MinutesShare.minutes_id).where(
        or_(MinutesShare.person_id == actor.person_id, MinutesShare.department_id.in_(departments))
    )
    return select(MinutesRecord).where(
        or_(MinutesRecord.owner_id == actor.person_id, MinutesRecord.id.in_(shared))
    )


async def access_minutes(
    session: AsyncSession, actor: Actor, minutes_id: int, *, own: bool = False
) -> MinutesRecord:
    query = await readable_minutes(session, actor)
    record = (await session.execute(query.where(MinutesRecord.id == minutes_id))).scalar_one_or_none()
    if record is None:
        raise NotFound("minutes_not_found")
    if own and record.owner_id != actor.person_id:
        from tongban.core.errors import Forbidden

        raise Forbidden("minutes_not_owner")
    return record


async def list_minutes(session: AsyncSession, actor: Actor, *, limit: int = 200) -> list[MinutesRead]:
    query = await readable_minutes(session, actor)
    rows = (await session.execute(query.order_by(MinutesRecord.id.desc()).limit(limit))).scalars().all()
    return await present_many(session, actor, list(rows))


async def present_many(
    session: AsyncSession, actor: Actor, records: list[MinutesRecord]
) -> list[MinutesRead]:
    names = await org.names_of(session, {r.owner_id for r in records})
    file_rows = await files.files_by_id(session, {r.file_id for r in records})
    out = []
    for r in records:
        item = MinutesRead.model_validate(r)
        item.owner_name = names.get(r.owner_id, "")
        file = file_rows.get(r.file_id)
        item.content_type = file.content_type if file else ""
        item.error = i18n.t(f"minutes.error.{r.error_code}") if r.error_code else ""
        item.can_edit = r.owner_id == actor.person_id
        out.append(item)
    return out


async def present(session: AsyncSession, actor: Actor, record: MinutesRecord) -> MinutesRead:
    return (await present_many(session, actor, [record]))[0]


def segment_out(s: MinutesSegment) -> MinutesSegmentRead:
    return MinutesSegmentRead(
        id=s.id,
        position=s.position,
        start=s.start,
        end=s.end,
        text=s.text,
        original_text=s.original_text,
        edited=s.text != s.original_text,
        speaker=s.speaker,
        words=[MinutesWord(start=w[0], end=w[1], text=w[2]) for w in s.words],
    )


async def segments_of(session: AsyncSession, minutes_id: int) -> list[MinutesSegment]:
    rows = await session.execute(
        select(MinutesSegment)
        .where(MinutesSegment.minutes_id == minutes_id)
        .order_by(MinutesSegment.position)
    )
    return list(rows.scalars())


# ---- creating and the job's life ----------------------------------------------------------


async def create_minutes_from_file(
    session: AsyncSession, actor: Actor, file_id: str, *, title: str = "", language: str = "zh"
) -> MinutesRecord:
    """Minutes for a recording already stored as a file the actor may read; transcription is queued.

    The entry point for every recording: the upload page and, later, meetings' recordings.
    """
    try:
        file = await files.access_file(session, actor, file_id)
    except NotFound:
        raise Invalid("body.file_id", "field.minutes_not_media") from None
    if not is_media(file.content_type, file.name):
        raise Invalid("body.file_id", "field.minutes_not_media")
    name = title.strip() or file.name.rsplit(".", 1)[0].strip() or i18n.t("minutes.untitled")
    record = MinutesRecord(
        owner_id=actor.person_id,
        title=name[:200],
        file_id=file.id,
        language=language,
        status="queued",
        queued_at=utcnow(),
        keywords=[],
        key_points=[],
        speaker_names={},
    )
    session.add(record)
    await session.flush()
    await _wake_queue(session)
    return record


async def do_create(session: AsyncSession, actor: Actor, data: MinutesCreate) -> MinutesRecord:
    return await create_minutes_from_file(
        session, actor, data.file_id, title=data.title, language=data.language
    )


async def _wake_queue(session: AsyncSession) -> None:
    from tongban.minutes.transcribe import run_queue

    await enqueue(session, run_queue)


async def do_cancel(session: AsyncSession, actor: Actor, minutes_id: int) -> MinutesRecord:
    """Stop a queued or running transcription; what was transcribed so far is dropped."""
    record = await access_minutes(session, actor, minutes_id, own=True)
    if record.status not in ("queued", "running"):
        raise Conflict("minutes_not_cancellable")
    record.status = "cancelled"
    record.finished_at = utcnow()
    await session.execute(delete(MinutesSegment).where(MinutesSegment.minutes_id == record.id))
    await session.flush()
    await publish_state(session, record)
    return record


async def do_retry(session: AsyncSession, actor: Actor, minutes_id: int) -> MinutesRecord:
    record = await access_minutes(session, actor, minutes_id, own=True)
    if record.status not in ("failed", "cancelled"):
        raise Conflict("minutes_not_retryable")
    await session.execute(delete(MinutesSegment).where(MinutesSegment.minutes_id == record.id))
    record.status = "queued"
    record.progress = 0.0
    record.error_code = ""
    record.attempt += 1
    record.queued_at = utcnow()
    record.started_at = record.claimed_at = record.finished_at = None
    await session.flush()
    await publish_state(session, record)
    await _wake_queue(session)
    return record


async def publish_state(
    session: AsyncSession, record: MinutesRecord, segment: MinutesSegment | None = None
) -> None:
    from tongban.core.events import publish
    from tongban.minutes.schemas import MinutesProgressEvent

    event = MinutesProgressEvent(
        minutes_id=record.id,
        status=record.status,
        progress=record.progress,
        error=i18n.t(f"minutes.error.{record.error_code}") if record.error_code else "",
        error_code=record.error_code,
        segment=segment_out(segment) if segment is not None else None,
    )
    await publish(session, [record.owner_id], event)


# ---- the transcript -----------------------------------------------------------------------


async def transcript(session: AsyncSession, actor: Actor, minutes_id: int) -> MinutesTranscriptOut:
    record = await access_minutes(session, actor, minutes_id)
    rows = await segments_of(session, record.id)
    return MinutesTranscriptOut(
        minutes_id=record.id,
        status=record.status,
        segments=[segment_out(s) for s in rows],
    )


async def do_correct_segment(
    session: AsyncSession, actor: Actor, minutes_id: int, segment_id: int, text: str
) -> MinutesSegment:
    """The owner's correction; word times stay (alignment is kept), `original_text` stays too."""
    record = await access_minutes(session, actor, minutes_id, own=True)
    if record.status != "done":
        raise Conflict("minutes_not_done")
    segment = await session.get(MinutesSegment, segment_id)
    if segment is None or segment.minutes_id != record.id:
        raise NotFound("minutes_segment_not_found")
    segment.text = text.strip()
    await session.flush()
    return segment


async def do_rename_speaker(
    session: AsyncSession, actor: Actor, minutes_id: int, label: str, name: str
) -> MinutesRecord:
    """Name a speaker label the transcript carries; labels are never made up."""
    record = await access_minutes(session, actor, minutes_id, own=True)
    labels = {s.speaker for s in await segments_of(session, record.id) if s.speaker}
    if label not in labels:
        raise Invalid("body.label", "field.minutes_unknown_speaker")
    record.speaker_names = {**record.speaker_names, label: name.strip()}
    await session.flush()
    return record


def _word_time(segment: MinutesSegment, offset: int) -> float:
    """The start of the recognised word that holds character `offset` of the segment's text."""
    position = 0
    stripped_lead = len(segment.original_text) - len(segment.original_text.lstrip())
    for start, _end, word in segment.words:
        piece = word.strip()
        found = segment.original_text.find(piece, position) if piece else -1
        if found >= 0:
            if found + len(piece) > offset + stripped_lead:
                return float(start)
            position = found + len(piece)
    return segment.start


async def search(session: AsyncSession, actor: Actor, minutes_id: int, query: str) -> MinutesSearchOut:
    record = await access_minutes(session, actor, minutes_id)
    needle = query.strip().lower()
    hits: list[MinutesHit] = []
    if needle:
        for s in await segments_of(session, record.id):
            at = s.text.lower().find(needle)
            if at < 0:
                continue
            # Word times belong to the recognised text; an edited segment falls back to its start.
            time = _word_time(s, at) if s.text == s.original_text else s.start
            hits.append(
                MinutesHit(
                    segment_id=s.id, position=s.position, start=s.start, end=s.end, text=s.text, time=time
                )
            )
    return MinutesSearchOut(query=query, hits=hits)


# ---- sharing ------------------------------------------------------------------------------


async def do_share(session: AsyncSession, actor: Actor, minutes_id: int, data: MinutesShareIn) -> None:
    """Replace who besides the owner may read the minutes (people and departments)."""
    record = await access_minutes(session, actor, minutes_id, own=True)
    active = await org.active_ids(session, data.person_ids)
    for index, pid in enumerate(data.person_ids):
        if pid not in active:
            raise Invalid(f"body.person_ids.{index}", "field.unknown_person")
    known = {d.id for d in await org.list_departments(session, actor)}
    for index, did in enumerate(data.department_ids):
        if did not in known:
            raise Invalid(f"body.department_ids.{index}", "field.unknown_department")
    await session.execute(delete(MinutesShare).where(MinutesShare.minutes_id == record.id))
    session.add_all(
        MinutesShare(minutes_id=record.id, person_id=pid) for pid in dict.fromkeys(data.person_ids)
    )
    departments = dict.fromkeys(data.department_ids)
    session.add_all(MinutesShare(minutes_id=record.id, department_id=did) for did in departments)
    await session.flush()
    # The recording itself must be readable by the same people for the player to work.
    people = set(data.person_ids)
    for did in data.department_ids:
        people |= await org.department_member_ids(session, did)
    await files.grant_read(session, record.file_id, people - {record.owner_id})


async def shares_of(session: AsyncSession, actor: Actor, minutes_id: int) -> MinutesShareIn:
    record = await access_minutes(session, actor, minutes_id, own=True)
    rows = (await session.execute(select(MinutesShare).where(MinutesShare.minutes_id == record.id))).scalars()
    out = MinutesShareIn()
    for r in rows:
        if r.person_id is not None:
            out.person_ids.append(r.person_id)
        if r.department_id is not None:
            out.department_ids.append(r.department_id)
    return out


async def do_delete(session: AsyncSession, actor: Actor, minutes_id: int) -> None:
    record = await access_minutes(session, actor, minutes_id, own=True)
    await session.delete(record)
    await session.flush()
