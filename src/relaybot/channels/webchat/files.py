"""Files web chat visitors attach: checked by their content, kept on disk, shown only to the
chats they were given to.

A file's type is what its first bytes say (never its name or the browser's word), and only
the photos and documents of `ACCEPTED` are kept, so nothing executable or HTML is ever stored
or served. The bytes live under `webchat_files_dir` without an extension or an execute bit;
the database keeps what the file is and which chats may read it: the visitor who sent it and
every chat the bot showed it to.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import filetype
from sqlalchemy import Index, Integer, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from relaybot.core.types import Attachment
from relaybot.store.base import Base, UTCDateTime, utcnow
from relaybot.store.db import SessionMaker
from relaybot.store.sql import upsert_insert

REF_PREFIX = "webchat-file:"  # an `Attachment.ref` of a file kept here
PER_MESSAGE = 10  # files one message may carry, as a Telegram album
ACCEPTED: dict[str, tuple[str, str]] = {
    "image/jpeg": ("photo", "jpg"),
    "image/png": ("photo", "png"),
    "image/gif": ("photo", "gif"),
    "image/webp": ("photo", "webp"),
    "application/pdf": ("document", "pdf"),
}
ACCEPTED_WORDS = "JPEG, PNG, GIF or WebP photos and PDF documents"
_ID = re.compile(r"[A-Za-z0-9_-]{16,32}")
_NAME_LIMIT = 100


class WebchatFile(Base):
    __tablename__ = "webchat_files"
    __table_args__ = (Index("ix_webchat_files_chat", "chat_id", "bot"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64))
    bot: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    mime_type: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebchatFileAccess(Base):
    """A chat that may read a file: its sender's, and each one a bot showed it to."""

    __tablename__ = "webchat_file_access"

    file_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class FileRefused(Exception):
    """An upload that is not kept; `status` and the words say why."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class StoredFile:
    id: str
    kind: str
    mime_type: str
    name: str
    size: int

    @property
    def url(self) -> str:
        return file_url(self.id)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "mime_type": self.mime_type,
            "name": self.name,
            "size": self.size,
            "url": self.url,
        }

    def attachment(self, caption: str | None) -> Attachment:
        return Attachment(
            self.kind,  # type: ignore[arg-type]  # one of ACCEPTED's kinds
            REF_PREFIX + self.id,
            caption=caption or None,
            mime_type=self.mime_type,
            name=self.name,
        )


def file_url(file_id: str) -> str:
    return f"/chat/api/files/{file_id}"


def file_id_of(ref: str) -> str | None:
    """The id inside a web chat file's `Attachment.ref`, None for any other reference."""
    if not ref.startswith(REF_PREFIX):
        return None
    found = ref[len(REF_PREFIX) :]
    return found if _ID.fullmatch(found) else None


def sniffed(content: bytes) -> tuple[str, str, str]:
    """(mime type, kind, extension) the content is, when it is a type the chat accepts."""
    guess = filetype.guess(content[:8192])
    mime = guess.mime if guess is not None else None
    if mime not in ACCEPTED:
        raise FileRefused(415, f"this file is not one the chat accepts: only {ACCEPTED_WORDS}")
    kind, extension = ACCEPTED[mime]
    return mime, kind, extension


def clean_name(name: str | None, extension: str) -> str:
    """A file name safe to show and to offer for download, ending in its real extension."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = "".join(c for c in unicodedata.normalize("NFC", base) if c.isprintable())
    stem = base.rsplit(".", 1)[0].strip(" .") if "." in base else base.strip(" .")
    stem = stem[:_NAME_LIMIT] or "file"
    return f"{stem}.{extension}"


class FileStore:
    """The files of the web chat: bytes under `root`, rows in the database."""

    def __init__(
        self, sessions: SessionMaker, root: Path, *, max_bytes: int, per_chat: int
    ) -> None:
        self.sessions = sessions
        self.root = root
        self.max_bytes = max_bytes
        self.per_chat = per_chat

    def path_of(self, file_id: str) -> Path:
        return self.root / file_id[:2] / file_id

    async def keep(self, *, chat_id: str, bot: str, name: str | None, content: bytes) -> StoredFile:
        if not content:
            raise FileRefused(422, "the file is empty")
        if len(content) > self.max_bytes:
            raise FileRefused(
                413, f"the file is too large: {len(content)} bytes, at most {self.max_bytes}"
            )
        mime, kind, extension = sniffed(content)
        written: list[Path] = []
        try:
            return await self._keep(chat_id, bot, name, content, (mime, kind, extension), written)
        except BaseException:
            for path in written:  # the row was not kept, so neither are the bytes
                path.unlink(missing_ok=True)
            raise

    async def _keep(
        self,
        chat_id: str,
        bot: str,
        name: str | None,
        content: bytes,
        sniff: tuple[str, str, str],
        written: list[Path],
    ) -> StoredFile:
        mime, kind, extension = sniff
        async with self.sessions() as session, session.begin():
            count = await session.scalar(
                select(func.count())
                .select_from(WebchatFile)
                .where(WebchatFile.chat_id == chat_id, WebchatFile.bot == bot)
            )
            if (count or 0) >= self.per_chat:
                raise FileRefused(429, f"this chat already has {count} files, the most it may keep")
            stored = StoredFile(
                secrets.token_urlsafe(18), kind, mime, clean_name(name, extension), len(content)
            )
            written.append(await asyncio.to_thread(self._write, stored.id, content))
            session.add(
                WebchatFile(
                    id=stored.id,
                    chat_id=chat_id,
                    bot=bot,
                    kind=kind,
                    mime_type=mime,
                    name=stored.name,
                    size=stored.size,
                    sha256=hashlib.sha256(content).hexdigest(),
                    created_at=utcnow(),
                )
            )
            session.add(WebchatFileAccess(file_id=stored.id, chat_id=chat_id))
        return stored

    def _write(self, file_id: str, content: bytes) -> Path:
        """Write once, whole, readable by the owner only; never an executable."""
        path = self.path_of(file_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(path)
        return path

    async def owned(self, *, chat_id: str, bot: str, ids: list[str]) -> list[StoredFile]:
        """The files `ids` this chat sent to `bot`, in the order given; a LookupError names
        the first that is not one of them."""
        wanted = list(dict.fromkeys(ids))
        async with self.sessions() as session:
            rows = {
                row.id: row
                for row in await session.scalars(
                    select(WebchatFile).where(
                        WebchatFile.id.in_(wanted),
                        WebchatFile.chat_id == chat_id,
                        WebchatFile.bot == bot,
                    )
                )
            }
        for file_id in wanted:
            if file_id not in rows:
                raise LookupError(file_id)
        return [_stored(rows[file_id]) for file_id in wanted]

    async def readable(self, *, chat_id: str, file_id: str) -> tuple[StoredFile, Path] | None:
        """The file and where its bytes are, when this chat may read it."""
        if not _ID.fullmatch(file_id):
            return None
        async with self.sessions() as session:
            row = await session.scalar(
                select(WebchatFile)
                .join(WebchatFileAccess, WebchatFileAccess.file_id == WebchatFile.id)
                .where(WebchatFile.id == file_id, WebchatFileAccess.chat_id == chat_id)
            )
        if row is None:
            return None
        path = self.path_of(file_id)
        return (_stored(row), path) if path.is_file() else None


async def grant(session: AsyncSession, *, chat_id: str, media: tuple[Attachment, ...]) -> None:
    """Let `chat_id` read the web chat files among `media` (a bot showed them there)."""
    ids = {found for item in media if (found := file_id_of(item.ref)) is not None}
    if not ids:
        return
    stmt = upsert_insert(session, WebchatFileAccess).values(
        [{"file_id": file_id, "chat_id": chat_id} for file_id in sorted(ids)]
    )
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["file_id", "chat_id"]))


def shown(media: list[Any]) -> list[Any]:
    """Stored media as the page reads them: a web chat file gets the address it is read at."""
    result = []
    for item in media:
        if isinstance(item, dict) and isinstance(ref := item.get("ref"), str):
            found = file_id_of(ref)
            if found is not None:
                item = {**item, "url": file_url(found)}
        result.append(item)
    return result


def _stored(row: WebchatFile) -> StoredFile:
    return StoredFile(row.id, row.kind, row.mime_type, row.name, row.size)
