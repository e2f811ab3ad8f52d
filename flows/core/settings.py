"""Settings: the one place that reads the environment (prefix ``NEWSWATCH_``)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
VERSION = "0.1.0"
DASK_ADDRESS = re.compile(r"^(tcp|tls)://\S+:\d+$")
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
SECONDS_PER = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class Settings(BaseSettings):
    """Everything a run can be configured with; each field is ``NEWSWATCH_<FIELD>`` in the env."""

    model_config = SettingsConfigDict(env_prefix="NEWSWATCH_", frozen=True, extra="ignore")

    # Where things live.
    warehouse: Path = Field(
        default=REPO_ROOT / "warehouse" / "newswatch.duckdb",
        description="The published DuckDB file analysts open; the writer works beside it.",
    )
    feeds: Path = Field(default=REPO_ROOT / "feeds.yaml", description="Feeds YAML file.")
    archive_dir: Path | None = Field(
        default=None, description="WARC archive folder (default: 'archive' beside the warehouse)."
    )
    dbt_project_dir: Path = REPO_ROOT / "dbt_project"

    # Who we are, for the User-Agent header and robots.txt.
    contact_url: str = "https://github.com/newswatch-dev/newswatch"
    robots_user_agent: str = "newswatch"

    # Network safety and politeness.
    allow_private_networks: bool = False
    private_allowlist: tuple[str, ...] = Field(
        default=(),
        description="'address:port' pairs that may be reached although private (tests, demo).",
    )
    host_map: dict[str, str] = Field(
        default_factory=dict,
        description="'host:port' -> 'address:port' overrides of DNS, like curl --resolve.",
    )
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    max_connections: int = 16
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0
    max_crawl_delay: float = 30.0
    obey_robots: bool = True

    # Feed scheduling after failures and Retry-After.
    retry_after_min: float = 60.0
    retry_after_max: float = 24 * 3600.0
    backoff_base: float = 300.0
    backoff_max: float = 6 * 3600.0
    park_after_failures: int = 10
    parked_retry_interval: float = 24 * 3600.0
    max_page_attempts: int = 3

    # Extraction and text analysis.
    extract_workers: int = 2
    extract_timeout: float = 30.0
    min_article_words: int = 25
    batch_size: int = 250
    # Pages a backfill extracts and loads per chunk: each chunk is one transaction, the unit a
    # resumed backfill repeats at most, and the longest a scheduled run waits for the writer.
    backfill_chunk: int = 200

    # DuckDB's memory caps; it spills to disk beyond them. Together with the Python processes
    # they keep a run under 1 GiB (docs/scaling.md, "Memory"): the writer's cap for dbt builds
    # and publishing, and a smaller one for the loads, which run beside the extraction workers
    # and only append; on one dbt thread, a smaller one while a model holds memory of its own
    # beside DuckDB's buffer: a Python model (people, quotes) streaming rows through its rules,
    # and the phrase matcher (macros/memory.sql; the setting is named for the Python models).
    duckdb_memory_limit: str = "384MB"
    load_memory_limit: str = "128MB"
    python_model_memory_limit: str = "256MB"
    dbt_threads: int | None = Field(
        default=None,
        ge=1,
        description="dbt's threads for a build. Unset: two, and one for a full build of a "
        "working database over 1.5 GB (two heavy models side by side outgrow the memory cap "
        "there).",
    )

    # Past one machine (docs/scaling.md): where pages are extracted, how the warehouse is published.
    dask_address: str | None = Field(
        default=None,
        description="Unset: the local worker pool; 'local': a Dask LocalCluster on this machine; "
        "'tcp://host:port': an existing Dask scheduler.",
    )
    dask_chunk_pages: int = Field(
        default=250, description="Pages per extraction task on Dask (each task costs ~0.1 s)."
    )
    publish: Literal["file", "snapshots"] = Field(
        default="file",
        description="'file': copy the whole DuckDB file; 'snapshots': Parquet files and a small "
        "catalog of views, writing only what changed.",
    )
    snapshot_keep: int = Field(default=3, description="Snapshots kept at least (by count).")
    snapshot_min_age: float = Field(
        default=3600.0,
        description="Seconds (or 90s, 15m, 1h, 2d) an old snapshot stays readable after a newer "
        "one is published; longer than any reader's session.",
    )

    allow_fewer_articles: bool = Field(
        default=False,
        description="Publish a run's warehouse even when it has fewer articles than the "
        "published one (a feed removed on purpose, say); off, such a run publishes nothing.",
    )

    # Spike alerts (flows/readers/alerts.py): off unless a receiver is set.
    alert_url: SecretStr | None = Field(
        default=None,
        description="Where new spikes are sent: an Apprise URL (mailto://, slack://, ntfy://, "
        "json://…) or an http(s):// webhook that receives JSON. Unset: no alerts.",
    )
    alert_timeout: float = Field(default=10.0, description="Seconds to wait for the receiver.")

    # Tests only: kill the run with SIGKILL at this point (fetch, load, dbt, publish).
    crash_at: str | None = None

    @field_validator(
        "extract_workers",
        "max_connections",
        "per_host_concurrency",
        "batch_size",
        "backfill_chunk",
        "dask_chunk_pages",
        "snapshot_keep",
    )
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1")
        return value

    @field_validator("warehouse", "feeds", "archive_dir", "dbt_project_dir")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        """Paths as the user wrote them, made absolute against the directory the command
        started in: dbt runs inside its project folder, where a relative warehouse path
        would name another file (and its target folder would land in the project)."""
        return None if value is None else value.expanduser().absolute()

    @property
    def alert_receiver(self) -> str | None:
        """The alert URL itself, for the code that sends (everything else sees it masked)."""
        return self.alert_url.get_secret_value() if self.alert_url else None

    @field_validator("alert_url")
    @classmethod
    def _alert_url(cls, value: SecretStr | None) -> SecretStr | None:
        # a secret: tokens and topics live in the URL; never printed, logged or stored whole
        text = value.get_secret_value().strip() if value is not None else ""
        return SecretStr(text) if text else None

    @field_validator("dask_address")
    @classmethod
    def _dask_address(cls, value: str | None) -> str | None:
        value = (value or "").strip() or None
        if value is None or value == "local" or DASK_ADDRESS.match(value):
            return value
        raise ValueError(
            f"{value!r} is not a Dask scheduler: leave NEWSWATCH_DASK_ADDRESS unset (local worker "
            "pool), set it to 'local' (a Dask cluster on this machine) or to an address like "
            "tcp://scheduler-host:8786"
        )

    @field_validator("snapshot_min_age", mode="before")
    @classmethod
    def _duration(cls, value: object) -> float:
        match = DURATION.match(str(value))
        if not match:
            raise ValueError(
                f"{value!r} is not a duration: give seconds (3600) or 90s, 15m, 1h, 2d"
            )
        return float(match.group(1)) * SECONDS_PER[match.group(2)]

    @property
    def archive_path(self) -> Path:
        return self.archive_dir or self.warehouse.parent / "archive"

    @property
    def writer_dir(self) -> Path:
        """Private folder of the writer: working database, lock, dbt target."""
        return self.warehouse.parent / f"{self.warehouse.stem}.writer"

    @property
    def work_database(self) -> Path:
        # Same file name as the published file, so DuckDB's catalog name (the file stem) is
        # identical in both and the views dbt creates keep working after publishing.
        return self.writer_dir / self.warehouse.name

    @property
    def snapshot_dir(self) -> Path:
        """Snapshots mode: the Parquet files and manifests the published catalog refers to."""
        return self.warehouse.parent / f"{self.warehouse.stem}.snapshots"

    @property
    def user_agent(self) -> str:
        return f"newswatch/{VERSION} (+{self.contact_url})"


@lru_cache(maxsize=8)
def _project_vars(path: Path, modified_ns: int) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text(encoding="utf-8"))["vars"])


def dbt_project_var(name: str, project_dir: Path | None = None) -> Any:
    """A var of the dbt project (``dbt_project.yml``): where a rule both sides need is written
    once (the tone model's name), read again only when the file changes."""
    path = (project_dir or REPO_ROOT / "dbt_project") / "dbt_project.yml"
    return _project_vars(path, path.stat().st_mtime_ns)[name]
