"""The feeds file: which feeds to fetch, validated before anything runs (a mistake stops the
run at once with a message saying what to fix)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from flows.core.errors import ConfigError

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class FeedConfig(BaseModel):
    """One entry of the feeds file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    url: str
    outlet: str
    language: str | None = None

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("must be a slug of lower-case letters, digits and '-'")
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        return value.strip()

    @field_validator("outlet")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()


def load_feeds_file(path: Path) -> list[FeedConfig]:
    """Read and validate a feeds file; raise ConfigError saying exactly what to fix."""
    if not path.is_file():
        raise ConfigError(f"feeds file not found: {path} (set --feeds or NEWSWATCH_FEEDS)")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("feeds"), list):
        raise ConfigError(f"{path}: expected a top-level 'feeds:' list")
    problems: list[str] = []
    feeds: list[FeedConfig] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(document["feeds"], start=1):
        label = f"feed #{index}"
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            label += f" ({item['name']})"
        try:
            feed = FeedConfig.model_validate(item)
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"]) or "entry"
                problems.append(f"{label}: {where}: {error['msg']}")
            continue
        if feed.name in seen:
            problems.append(f"{label}: name {feed.name!r} already used by feed #{seen[feed.name]}")
            continue
        seen[feed.name] = index
        feeds.append(feed)
    if problems:
        raise ConfigError(f"{path}: " + "; ".join(problems))
    if not feeds:
        raise ConfigError(f"{path}: the 'feeds:' list is empty")
    return feeds
