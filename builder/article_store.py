"""The shard store: articles' raw bytes read from shards, by id, and the reader of articles.

Each article's raw bytes go, in the staging pass, into an SQLite store beside
the staging database (:class:`ArticleStore`), which workers open read-only and
query by id, so no worker re-parses or decompresses a shard. An article from a
shard is then checked exactly as a file would be
(:func:`~builder.ingest.article_from_bytes`), so the same text gives the same
row, whether it came as ``<id>.txt`` or as a line of ``.jsonl.gz``
(:class:`ArticleReader` reads either).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path

from .article_inputs import ArticleInput
from .ingest import RawArticle, article_from_bytes, article_path, over_article_limit, read_article
from .names import setting
from .shard_readers import ShardRecord
from .validate.report import Issue

__all__ = ["ArticleReader", "ArticleStore"]

_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOSE_ON_EXEC = getattr(os, "O_CLOEXEC", 0)

_STORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS texts (
    id TEXT PRIMARY KEY, file TEXT NOT NULL, line INTEGER, data BLOB, problem TEXT,
    kind TEXT, offset INTEGER, digest TEXT
);
"""


class ArticleStore:
    """Raw article bytes read from shards, by id: written once, read by every worker."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        if readonly:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            self.db = sqlite3.connect(path)
            self.db.executescript(_STORE_SCHEMA)
            self.db.execute("PRAGMA synchronous=OFF")
            self.db.execute("PRAGMA journal_mode=OFF")

    def add(self, file: str, rec: ShardRecord) -> tuple[str, int | None] | None:
        """Store a record; the ``(file, line)`` of the earlier one with its id, if any."""
        try:
            self.db.execute(
                "INSERT INTO texts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    rec.article_id,
                    file,
                    rec.line,
                    rec.data,
                    rec.problem,
                    rec.kind,
                    rec.offset,
                    rec.digest,
                ),
            )
        except sqlite3.IntegrityError:
            return self.place(rec.article_id)
        return None

    def get(
        self, article_id: str
    ) -> (
        tuple[str, int | None, bytes | None, str | None, str | None, int | None, str | None] | None
    ):
        return self.db.execute(
            "SELECT file, line, data, problem, kind, offset, digest FROM texts WHERE id = ?",
            (article_id,),
        ).fetchone()

    def place(self, article_id: str) -> tuple[str, int | None] | None:
        """The shard and line (JSON Lines), row (Parquet) or record (WARC) of an article."""
        return self.db.execute(
            "SELECT file, line FROM texts WHERE id = ?", (article_id,)
        ).fetchone()

    def has_markup(self) -> bool:
        """Some articles are pages whose text is extracted (the manifest names the extractor)."""
        return bool(
            self.db.execute("SELECT 1 FROM texts WHERE kind IS NOT NULL LIMIT 1").fetchone()
        )

    def files(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT file FROM texts ORDER BY file")]

    def commit(self) -> None:
        self.db.commit()

    def close(self) -> None:
        self.db.close()


#: ``limits.max_page_tags``'s default (extraction holds a page's tree: ~2 KB a tag).
DEFAULT_MAX_PAGE_TAGS = 200_000


class ArticleReader:
    """Reads one article by id, from its file in the folder or from the shard store."""

    def __init__(
        self,
        articles: ArticleInput,
        store_path: str | None,
        *,
        max_bytes: int,
        max_tags: int = DEFAULT_MAX_PAGE_TAGS,
    ) -> None:
        self.articles = articles
        self.max_bytes = max_bytes
        self.max_tags = max_tags
        self.store = ArticleStore(Path(store_path), readonly=True) if store_path else None
        folder = articles.folder
        #: the folder's files may take the short read (:meth:`_read_plain`): the folder
        #: itself is no link (asked once per reader, not once per article)
        self._plain_folder = (
            None if folder is None or store_path or os.path.islink(folder) else str(folder)
        )

    def read(
        self, article_id: str, path: Path | None = None
    ) -> tuple[RawArticle | None, list[Issue]]:
        if self.store is None:
            folder = self.articles.folder
            assert folder is not None
            if path is not None and self._plain_folder is not None:
                plain = self._read_plain(article_id, path)
                if plain is not None:
                    return plain
            return read_article(
                article_id,
                path or article_path(folder, article_id),
                root=folder,
                max_bytes=self.max_bytes,
            )
        found = self.store.get(article_id)
        if found is None:  # staged ids all come from the store: a bug if reached
            raise KeyError(f"article {article_id!r} is not in the shard store")
        file, line, data, problem, kind, offset, digest = found
        where = {"file": file, "line": line, "record": article_id}
        rule = "text"
        notes: list[Issue] = []
        if kind is not None:
            data, rule, problem, assumed = self._extract(
                article_id, file, line, kind, offset, digest
            )
            if assumed:
                notes.append(Issue(**where, rule="encoding", severity="warning", message=assumed))
        if data is None:
            return None, [*notes, Issue(**where, rule=rule, message=problem or "no text")]
        if len(data) > self.max_bytes:
            message = over_article_limit(f"{len(data)} bytes", self.max_bytes)
            return None, [*notes, Issue(**where, rule="size-limit", message=message)]
        article, issues = article_from_bytes(article_id, data, file=file, line=line)
        return article, [*notes, *issues]

    def _read_plain(
        self, article_id: str, path: Path
    ) -> tuple[RawArticle | None, list[Issue]] | None:
        """The common case of :func:`~builder.ingest.read_article` in three system
        calls and no path arithmetic: a plain id naming a regular file (no link) in
        the folder, within the size limit, then checked by the same
        :func:`~builder.ingest.article_from_bytes`. Anything else, or any error,
        gives None: ``read_article`` then reads it, with its checks and messages.

        The file is opened without following a link (``O_NOFOLLOW``), so a link put
        in its place after the ``lstat`` is refused here, not read."""
        name = str(path)
        if os.path.dirname(name) != self._plain_folder:
            return None
        if not article_id.isprintable() or any(map(str.isspace, article_id)):
            return None
        try:
            info = os.lstat(name)
            if not stat.S_ISREG(info.st_mode) or info.st_size > self.max_bytes:
                return None
            fd = os.open(name, os.O_RDONLY | _NO_FOLLOW | _CLOSE_ON_EXEC)
            with open(fd, "rb", buffering=0) as handle:
                data = handle.readall()
        except OSError:
            return None
        return article_from_bytes(article_id, data, file=os.path.basename(name))

    def _extract(
        self,
        article_id: str,
        file: str,
        line: int | None,
        kind: str,
        offset: int | None,
        digest: str | None,
    ) -> tuple[bytes | None, str, str | None, str | None]:
        """The page's main text, or the rule and message of why there is none; and why
        the page's encoding was assumed (None: it was not). The page must be the one
        staged (``digest``): its source record's ``capture.html_sha256`` says so, and an
        article is not published with another page's provenance."""
        from .page_bytes import CompressedPageError, decode_page, decompressed_page
        from .web_inputs import PageUnreadable, extract_main_text, read_page

        try:
            # the limit holds for the page too: extraction takes some 6 s a megabyte
            # of paragraphs, and a page is read whole into memory
            html, content_type = read_page(
                self.articles.root,
                file,
                kind,
                offset,
                limit=self.max_bytes + 1,
                number=line or 1,
                article_id=article_id,
            )
        except OSError as exc:
            return None, "text", f"cannot read the page again: {exc.strerror or exc}", None
        except PageUnreadable as exc:
            return None, "text", f"cannot read the page again: {exc}", None
        if len(html) > self.max_bytes:
            return None, "size-limit", over_article_limit("the page", self.max_bytes), None
        if digest is not None and hashlib.sha256(html).hexdigest() != digest:
            why = "the page changed since it was staged (its sha256 is not capture.html_sha256)"
            return None, "text", f"cannot read the page again: {why}", None
        try:
            html = decompressed_page(html, self.max_bytes)
        except CompressedPageError as exc:
            return None, exc.rule, str(exc), None
        page = decode_page(html, content_type)
        if (tags := page.html.count("<")) > self.max_tags:
            why = (
                f"the page has {tags} tags, over the limit of {self.max_tags}"
                f" ({setting('limits.max_page_tags')}): its text is not extracted"
            )
            return None, "size-limit", why, page.assumed
        text = extract_main_text(page.html)
        if text is None:
            return None, "text", "no main text found in the page (trafilatura)", page.assumed
        return text.encode("utf-8"), "text", None, page.assumed

    def close(self) -> None:
        if self.store is not None:
            self.store.close()

    def __enter__(self) -> ArticleReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
