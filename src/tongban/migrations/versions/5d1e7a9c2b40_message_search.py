"""message search: FTS5 trigram and CJK bigram tables on SQLite, pg_trgm index on PostgreSQL

Revision ID: 5d1e7a9c2b40
Revises: 182813009c6a
Create Date: 2026-11-29 06:30:00.000000

None of these objects is in the models' metadata (FTS5 virtual tables and an operator-class
index cannot be said in portable SQLAlchemy); `migrations/env.py` keeps `alembic check` from
seeing them. See `tongban.im.search` for how each is used.
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d1e7a9c2b40"
down_revision: str | Sequence[str] | None = "182813009c6a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 10_000

# A frozen copy of `tongban.im.search.bigrams` as of this revision (a migration does not import
# application code that may change after it): CJK runs as overlapping pairs, a lone CJK
# character as itself, other letter/digit runs as lower-cased words.
_CJK_RANGES = (
    "\u3005\u3007\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
_TOKEN = re.compile(f"(?P<cjk>[{_CJK_RANGES}]+)|[^\\W_{_CJK_RANGES}]+")


def _bigrams(text: str) -> str:
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        run = m.group()
        if m.group("cjk") is None:
            out.append(run.lower())
        elif len(run) == 1:
            out.append(run)
        else:
            out += [run[i : i + 2] for i in range(len(run) - 1)]
            out += list(dict.fromkeys(run))
    return " ".join(out)


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    if dialect == "sqlite":
        # rowid is the message id; the text is stored in each table (see tongban.im.search).
        op.execute(
            "CREATE VIRTUAL TABLE im_messages_fts USING fts5("
            "body, conversation_id UNINDEXED, tokenize = 'trigram')"
        )
        op.execute(
            "INSERT INTO im_messages_fts (rowid, body, conversation_id) "
            "SELECT id, body, conversation_id FROM im_messages WHERE recalled_at IS NULL AND body <> ''"
        )
        op.execute(
            "CREATE VIRTUAL TABLE im_messages_bigrams USING fts5("
            "grams, conversation_id UNINDEXED, tokenize = 'unicode61')"
        )
        # The bigrams are made here, in Python, a batch of messages at a time.
        select = sa.text(
            "SELECT id, body, conversation_id FROM im_messages"
            " WHERE recalled_at IS NULL AND body <> '' AND id > :after ORDER BY id LIMIT :batch"
        )
        insert = sa.text(
            "INSERT INTO im_messages_bigrams (rowid, grams, conversation_id) VALUES (:id, :grams, :cid)"
        )
        after = 0
        while rows := bind.execute(select, {"after": after, "batch": BATCH}).all():
            bind.execute(insert, [{"id": i, "grams": _bigrams(body), "cid": cid} for i, body, cid in rows])
            after = rows[-1][0]
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_im_messages_body_trgm ON im_messages USING gin (body gin_trgm_ops)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS im_messages_bigrams")
        op.execute("DROP TABLE IF EXISTS im_messages_fts")
    elif dialect == "postgresql":
        # The extension stays: other schemas may use it, and it holds no data.
        op.execute("DROP INDEX IF EXISTS ix_im_messages_body_trgm")
