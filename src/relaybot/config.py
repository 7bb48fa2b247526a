"""Settings from `RELAYBOT_*` variables, a `.env` file and `relaybot.toml`, strongest first."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from relaybot.core.bots import BotConfig

__all__ = ["BotConfig", "Settings", "load_settings"]


class Settings(BaseSettings):
    """Everything an operator can set. Secrets are `SecretStr` so they never print."""

    model_config = SettingsConfigDict(
        env_prefix="RELAYBOT_",
        env_file=".env",
        env_nested_delimiter="__",
        extra="ignore",
    )
    config_file: ClassVar[Path | None] = None

    database_url: str = "sqlite+aiosqlite:///./data/relaybot.db"
    # PostgreSQL connections per process: up to twice this many under load.
    database_pool_size: int = Field(default=10, gt=0)
    queue_url: str | None = None
    # Redis Streams queue (scale-out); ignored while queue_url is unset.
    queue_namespace: str = Field(default="relaybot", pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    queue_lease_seconds: float = Field(default=10.0, gt=0)
    queue_reclaim_after: float = Field(default=30.0, gt=0)
    queue_dedup_seconds: int = Field(default=3 * 24 * 3600, gt=0)
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    bots: list[BotConfig] = Field(default_factory=list)
    webchat_for_bundled_apps: bool = True

    default_locale: Literal["ru", "en"] = "ru"
    dialog_ttl_seconds: int = Field(default=24 * 3600, gt=0)

    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    webchat_max_text: int = Field(default=4000, gt=0)

    worker_batch_size: int = Field(default=200, gt=0)
    worker_max_attempts: int = Field(default=3, gt=0)
    # Chats a worker handles at once, each still strictly in order (seed 004: 5, up to 50).
    worker_concurrency: int = Field(default=5, gt=0, le=500)
    # A handler that waits this long on anything but relaybot's own store is logged and counted.
    slow_handler_seconds: float = Field(default=1.0, gt=0)
    poll_interval: float = Field(default=0.5, gt=0)
    ingest_batch_size: int = Field(default=500, gt=0)

    outbox_max_attempts: int = Field(default=5, gt=0)
    outbox_backoff_base: float = Field(default=1.0, gt=0)
    outbox_backoff_max: float = Field(default=300.0, gt=0)
    sender_concurrency: int = Field(default=64, gt=0)
    send_timeout: float = Field(default=10.0, gt=0)
    # A sender renews its claim on the messages it is delivering every third of this; killed,
    # it leaves them to another sender after at most this long.
    sender_claim_seconds: float = Field(default=6.0, ge=1.0)

    # Retention (days): what a small business needs to look back on; the audit log longest.
    retention_processed_updates_days: float = Field(default=7.0, gt=0)
    retention_outbox_days: float = Field(default=7.0, gt=0)
    retention_calls_days: float = Field(default=30.0, gt=0)
    retention_dlq_days: float = Field(default=30.0, gt=0)
    retention_message_logs_days: float = Field(default=90.0, gt=0)
    retention_webchat_days: float = Field(default=90.0, gt=0)
    retention_audit_days: float = Field(default=730.0, gt=0)
    retention_interval_seconds: float = Field(default=600.0, gt=0)

    call_timeout: float = Field(default=10.0, gt=0)
    call_max_attempts: int = Field(default=5, gt=0)
    call_backoff_base: float = Field(default=1.0, gt=0)
    call_backoff_max: float = Field(default=300.0, gt=0)
    call_concurrency: int = Field(default=16, gt=0)

    scheduler_tick_seconds: float = Field(default=1.0, gt=0)
    scheduler_lease_seconds: float = Field(default=15.0, gt=0)
    broadcast_rate: float = Field(default=30.0, gt=0)

    health_max_pending_age: float = Field(default=300.0, gt=0)
    admin_token: SecretStr | None = None

    jwt_secret: SecretStr | None = None
    jwt_issuer: str = "relaybot"
    jwt_audience: str = "relaybot-api"
    jwt_ttl_seconds: int = Field(default=900, gt=0, le=24 * 3600)
    auth_failures_per_minute: int = Field(default=30, gt=0)
    inbound_user_per_minute: float = Field(default=60.0, gt=0)
    inbound_user_burst: int = Field(default=20, gt=0)
    inbound_chat_per_minute: float = Field(default=120.0, gt=0)
    inbound_chat_burst: int = Field(default=40, gt=0)
    max_json_depth: int = Field(default=64, gt=0, le=512)
    max_update_text: int = Field(default=16384, gt=0)
    webchat_sessions_per_minute: int = Field(default=30, gt=0)
    webchat_sockets_per_visitor: int = Field(default=8, gt=0)
    webchat_sockets_per_address: int = Field(default=200, gt=0)
    webchat_files_dir: Path = Path("./data/webchat-files")
    webchat_file_max_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    webchat_files_per_chat: int = Field(default=100, gt=0)

    log_level: str = "info"
    log_format: Literal["console", "json"] = "console"
    opentelemetry: bool = False

    # Bots kept in the database (`relaybot bots add`): their credentials are encrypted with this
    # Fernet key. Unset, the key is read from `bots_key_file`; on SQLite (the embedded default)
    # a missing file is created with a new key, readable by its owner only.
    bots_key: SecretStr | None = None
    # Apps besides the bundled ones that an admin token may name over REST (`module:Class`).
    # `relaybot bots add` at the shell may name any; a token reaches only these.
    api_apps: list[str] = Field(default_factory=list)
    bots_key_file: Path = Path("./data/bots.key")
    # How often every process looks for bot changes it was not told about.
    bots_reload_seconds: float = Field(default=2.0, gt=0, le=60)
    # A disabled or removed bot's adapter stays at least this long (and until its outbox is
    # empty) so updates and replies already under way are not dropped.
    bots_retire_seconds: float = Field(default=30.0, ge=0)

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "database_url must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
        return value

    @field_validator("queue_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if not value:
            return None
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("queue_url must start with redis://, rediss:// or unix://")
        return value

    @model_validator(mode="after")
    def _unique_bot_names(self) -> Settings:
        seen: set[str] = set()
        for bot in self.bots:
            if bot.name in seen:
                raise ValueError(f"bot name {bot.name!r} is used twice in the bots list")
            seen.add(bot.name)
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment, then .env, then relaybot.toml (or --config)."""
        toml_path = cls.config_file or Path("relaybot.toml")
        toml = TomlConfigSettingsSource(settings_cls, toml_file=toml_path)
        return init_settings, env_settings, dotenv_settings, toml, file_secret_settings

    def bot(self, name: str) -> BotConfig | None:
        """The configured bot called `name`, or None."""
        return next((b for b in self.bots if b.name == name), None)


def load_settings(config_path: Path | None = None, **overrides: Any) -> Settings:
    """Read settings; `config_path` replaces ./relaybot.toml and must exist when given."""
    if config_path is not None and not config_path.is_file():
        raise FileNotFoundError(f"config file {config_path} does not exist")
    Settings.config_file = config_path
    return Settings(**overrides)
