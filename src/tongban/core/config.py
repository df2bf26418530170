"""Settings read from TONGBAN_* environment variables (and an optional .env file)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TONGBAN_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("data")
    # Empty means the embedded SQLite file under data_dir.
    database_url: str = ""
    # Empty means in-process fan-out and an embedded (SQLite-backed) job queue.
    redis_url: str = ""
    # Namespace for Redis keys and pub/sub channels (pub/sub ignores Redis database numbers),
    # so several installations or test runs can share one Redis.
    redis_prefix: str = "tongban"
    # Empty means blobs live in data_dir/blobs; "s3://bucket?endpoint=http://..." for S3.
    storage_url: str = ""
    # S3 credentials; empty means boto's usual chain (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ...).
    s3_access_key: str = ""
    s3_secret_key: SecretStr = SecretStr("")
    # Public origin(s) allowed to open WebSockets and send cookie-authenticated writes,
    # besides the host the request itself names.
    allowed_origins: list[str] = Field(default_factory=list)
    secure_cookies: bool = False
    session_days: int = 14
    event_retention_days: int = 7
    upload_max_bytes: int = 100 * 1024 * 1024
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    # uvicorn's WebSocket implementation; "websockets-sansio" holds the least memory per socket.
    ws_impl: str = "websockets-sansio"
    # Messaging: how long a sender may recall a message, and how often an unacknowledged DING repeats.
    im_recall_minutes: int = 2
    im_ding_repeat_minutes: float = 5
    # Let outgoing bots call back into private, loopback and link-local addresses (tests, on-premises
    # bots inside the same network). Off by default: a group admin could otherwise probe the intranet.
    allow_private_webhooks: bool = False
    # Minutes: another faster-whisper model directory (small, medium, large-v3); empty means the
    # packaged Whisper base model. Recordings may be larger than other uploads (an hour of video).
    minutes_model_dir: str = ""
    minutes_upload_max_bytes: int = 2 * 1024 * 1024 * 1024
    # Meetings: the Janus HTTP API (e.g. http://127.0.0.1:8088/janus; empty: no SFU, so only
    # peer-to-peer meetings), its VideoRoom admin_key if set, and from how many invitees a
    # meeting goes through Janus. ICE servers are handed to browsers as RTCPeerConnection's
    # iceServers, e.g. [{"urls": "turn:turn.example.cn:3478", "username": "u", "credential": "p"}].
    meetings_janus_url: str = ""
    meetings_janus_admin_key: SecretStr = SecretStr("")
    meetings_sfu_threshold: int = 6
    meetings_ice_servers: list[dict[str, object]] = Field(default_factory=list)
    log_level: str = "INFO"
    log_json: bool = False
    # Run the job consumer inside `tongban serve` (embedded mode); scaled-out deployments
    # set it to false and run `tongban worker` processes instead.
    embedded_worker: bool = True
    # argon2id cost: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane) — ~20 ms a hash here,
    # so sign-in stays quick under load. Tests lower it further to keep the suite fast.
    argon2_time_cost: int = 2
    argon2_memory_kib: int = 19456

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+asyncpg://" + url.split("://", 1)[1]
            return url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'tongban.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"


def get_settings() -> Settings:
    return Settings()
