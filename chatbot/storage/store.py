"""Everything the app keeps: conversations, turns (with the judge's result and latencies), user
feedback and human ratings. SQLAlchemy; SQLite by default, any database by DATABASE_URL.

Each write is one transaction. SQLite runs in WAL mode with a busy timeout, so concurrent
sessions (Streamlit runs one thread per session) wait for each other instead of failing.
The schema is made and changed by Alembic migrations (``chatbot.storage.migrate``, scripts in
chatbot/storage/migrations): ``Store(url)`` upgrades the database to the newest revision. Feedback
and ratings may carry a client-made ``request_id``: the same write sent twice (a retry after
a lost connection) is stored once.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from chatbot.storage.migrate import upgrade

if TYPE_CHECKING:
    from chatbot.turn import ChatTurn


def _now() -> datetime:
    return datetime.now(UTC)


def _id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    pass


class Conversation(Base):
    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_id)
    session_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Turn(Base):
    __tablename__ = "turns"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_id)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    question: Mapped[str] = mapped_column(Text)
    standalone_question: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    route: Mapped[str] = mapped_column(String(32), default="rag")  # rag|safety|not_found|...
    passages: Mapped[list] = mapped_column(JSON, default=list)  # [{id, title, text, ...}]
    judge: Mapped[dict | None] = mapped_column(JSON)  # FaithfulnessResult.to_dict()
    judge_score: Mapped[float | None] = mapped_column(Float)
    judge_verdict: Mapped[str | None] = mapped_column(String(32))  # unsupported_language: 20
    provider: Mapped[str | None] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(128))
    retrieval_ms: Mapped[float | None] = mapped_column(Float)
    generation_ms: Mapped[float | None] = mapped_column(Float)
    judge_ms: Mapped[float | None] = mapped_column(Float)
    prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    completion_tokens: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[list] = mapped_column(JSON, default=list)
    # chatbot.retrieval.relevance + topic, qtype
    relevance: Mapped[dict | None] = mapped_column(JSON)


class Feedback(Base):
    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    turn_id: Mapped[str] = mapped_column(ForeignKey("turns.id"), index=True)
    thumbs: Mapped[int | None] = mapped_column(Integer)  # 1 up, 0 down
    stars: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    session_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    request_id: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)


class Rating(Base):
    __tablename__ = "ratings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rater: Mapped[str] = mapped_column(String(64), index=True)
    item_id: Mapped[str] = mapped_column(String(128), index=True)
    question: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    passages: Mapped[list] = mapped_column(JSON, default=list)  # list of passage texts
    faithfulness: Mapped[int] = mapped_column(Integer)
    unsupported_sentences: Mapped[list] = mapped_column(JSON, default=list)  # sentence indices
    helpfulness: Mapped[int | None] = mapped_column(Integer)
    safety_concern: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    request_id: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)


class Account(Base):
    """Someone who signs in (``chatbot.access``): a rater or staff. ``password_hash`` is an
    Argon2id hash, or None for an account that signs in through OpenID Connect only."""
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(128), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # rater | staff
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def _row(obj) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}


class Store:
    """The database behind the app. ``Store(url)`` creates or upgrades the schema (Alembic)."""

    def __init__(self, url: str):
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # pool_pre_ping: a server that restarted leaves dead pooled connections; test first.
        self.engine = create_engine(url, connect_args={"timeout": 30}
                                    if url.startswith("sqlite") else {},
                                    pool_pre_ping=not url.startswith("sqlite"))
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        upgrade(self.engine)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def new_conversation(self, session_id: str | None = None) -> str:
        with self.session() as s, s.begin():
            c = Conversation(session_id=session_id)
            s.add(c)
        return c.id

    def add_turn(self, conversation_id: str, id: str | None = None,
                 session_id: str | None = None, **fields) -> str:
        """Store one answered turn (its conversation too, for ``session_id``, when new);
        returns its id. With an ``id`` already stored (a retried save) nothing is written."""
        try:
            with self.session() as s, s.begin():
                if id is not None and s.get(Turn, id) is not None:
                    return id
                if s.get(Conversation, conversation_id) is None:
                    s.add(Conversation(id=conversation_id, session_id=session_id))
                    s.flush()
                t = Turn(conversation_id=conversation_id, **fields, **({"id": id} if id else {}))
                s.add(t)
        except IntegrityError:
            with self.session() as s:  # the same save won a race: it is stored once
                if id is None or s.get(Turn, id) is None:
                    raise
            return id
        return t.id

    def record_turn(self, turn: ChatTurn, conversation_id: str | None = None,
                    session_id: str | None = None, turn_id: str | None = None) -> str:
        """Store ``turn`` (a new conversation for ``session_id`` when ``conversation_id`` is
        None or not stored yet), set its ``turn_id`` and return the conversation id. Give
        ``turn_id`` (and ``conversation_id``) to make a retried save store the turn once."""
        conversation_id = conversation_id or self.new_conversation(session_id)
        turn.turn_id = self.add_turn(conversation_id, id=turn_id, session_id=session_id,
                                     **turn.record())
        return conversation_id

    def turns(self, conversation_id: str | None = None, limit: int | None = None) -> list[dict]:
        with self.session() as s:
            q = select(Turn).order_by(Turn.created_at)
            if conversation_id:
                q = q.where(Turn.conversation_id == conversation_id)
            if limit:
                q = q.limit(limit)
            return [_row(t) for t in s.scalars(q)]

    def _add_once(self, row: Feedback | Rating, check=None) -> int:
        """Insert ``row`` in one transaction and return its id; with a ``request_id`` already
        stored (a retried write), return that row's id instead of inserting again."""
        table = type(row)
        rid = row.request_id
        try:
            with self.session() as s, s.begin():
                if rid is not None:
                    found = s.scalar(select(table.id).where(table.request_id == rid))
                    if found is not None:
                        return found
                if check:
                    check(s)
                s.add(row)
        except IntegrityError:
            if rid is None:
                raise
            with self.session() as s:  # the same request won a race: it is stored once
                found = s.scalar(select(table.id).where(table.request_id == rid))
            if found is None:
                raise
            return found
        return row.id

    def add_feedback(self, turn_id: str, thumbs: int | None = None, stars: int | None = None,
                     comment: str | None = None, session_id: str | None = None,
                     request_id: str | None = None) -> int:
        """Store feedback on a turn; returns its id. ``request_id``: see the module doc."""
        if thumbs not in (None, 0, 1) or (stars is not None and not 1 <= stars <= 5):
            raise ValueError("thumbs is 0 or 1, stars 1-5")
        _check_comment(comment)

        def turn_exists(s: Session) -> None:
            if s.get(Turn, turn_id) is None:
                raise KeyError(f"no turn {turn_id!r}")

        return self._add_once(Feedback(turn_id=turn_id, thumbs=thumbs, stars=stars,
                                       comment=comment or None, session_id=session_id,
                                       request_id=request_id), turn_exists)

    def feedback(self) -> list[dict]:
        with self.session() as s:
            return [_row(f) for f in s.scalars(select(Feedback).order_by(Feedback.id))]

    def add_rating(self, rater: str, item_id: str, answer: str, passages: list[str],
                   faithfulness: int, question: str | None = None,
                   unsupported_sentences: list[int] | None = None,
                   helpfulness: int | None = None, safety_concern: bool = False,
                   comment: str | None = None, request_id: str | None = None) -> int:
        """Store one human rating; returns its id (``ValueError`` saying what is wrong, and
        nothing written, for a bad field). ``request_id``: see the module doc."""
        rater = rater.strip() if isinstance(rater, str) else ""
        if not rater:
            raise ValueError("a rating needs a rater id")
        if len(rater) > 64:
            raise ValueError(f"a rater id is at most 64 characters, not {len(rater)}")
        for name, v in (("faithfulness", faithfulness), ("helpfulness", helpfulness)):
            if v is None and name == "helpfulness":
                continue
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 5:
                raise ValueError(f"{name} is a whole number 1-5, not {v!r}")
        flags = list(unsupported_sentences or [])
        if not all(isinstance(k, int) and not isinstance(k, bool) and k >= 0 for k in flags):
            raise ValueError("unsupported_sentences are sentence numbers (0, 1, ...)")
        _check_comment(comment)
        return self._add_once(Rating(
            rater=rater.strip(), item_id=item_id, question=question, answer=answer,
            passages=list(passages), faithfulness=faithfulness,
            unsupported_sentences=flags, helpfulness=helpfulness,
            safety_concern=bool(safety_concern), comment=comment or None,
            request_id=request_id))

    def ratings(self, rater: str | None = None) -> list[dict]:
        """Every rating, or ``rater``'s own."""
        with self.session() as s:
            q = select(Rating).order_by(Rating.id)
            if rater is not None:
                q = q.where(Rating.rater == rater)
            return [_row(r) for r in s.scalars(q)]

    def rated_items(self, rater: str) -> set[str]:
        with self.session() as s:
            return set(s.scalars(select(Rating.item_id).where(Rating.rater == rater)))

    def count(self, table: type[Base]) -> int:
        with self.session() as s:
            return int(s.scalar(select(func.count()).select_from(table)))

    def export_ratings(self, path: Path, rater: str | None = None) -> int:
        """Write the ratings (every one, or ``rater``'s own) as JSONL (``.jsonl``) or CSV
        (``.csv``, passages as a JSON list): the format ``python -m eval.run --ratings``
        reads. Returns the row count."""
        import csv

        rows = self.ratings(rater)
        for r in rows:
            r["created_at"] = r["created_at"].isoformat() if r["created_at"] else None
        path = Path(path)
        if path.suffix == ".csv":
            with path.open("w", newline="", encoding="utf-8") as f:
                cols = list(Rating.__table__.columns.keys())
                w = csv.DictWriter(f, fieldnames=cols)
                w.writeheader()
                for r in rows:
                    w.writerow({**r, "passages": json.dumps(r["passages"]),
                                "unsupported_sentences": json.dumps(r["unsupported_sentences"])})
        else:
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                            encoding="utf-8")
        return len(rows)


MAX_COMMENT_CHARS = 10_000


def _check_comment(comment: str | None) -> None:
    if comment is not None and len(comment) > MAX_COMMENT_CHARS:
        raise ValueError(f"a comment is at most {MAX_COMMENT_CHARS:,} characters, not "
                         f"{len(comment):,}")


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
