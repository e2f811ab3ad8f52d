"""Spike alerts: a run that finds a new attention spike tells the receiver set in
``NEWSWATCH_ALERT_URL`` once, with the articles that drive it.

The receiver is an Apprise URL (``mailto://``, ``slack://``, ``ntfy://``, ``json://``… any
service Apprise knows) or a plain ``http(s)://`` webhook, which gets one JSON document per
spike (``payload``). Which spikes are sent:

- a spike (``marts.fct_attention_spikes.is_spike``) on a recent day: the run's UTC day or the
  day before (a spike dated on an Asian outlet's morning is the day before in UTC). Spikes on
  older days are history: days filled in by loading old articles, or a day re-derived by a
  taxonomy edit. They are counted, never sent.
- never one the receiver already accepted (``raw.alert_deliveries``): a spike is sent once
  across runs; one whose sending failed is tried again by the next run while its day is recent.
- at most MAX_ALERTS_PER_RUN a run (the rest go with the next run); a spike dated after the
  run's day (a page whose clock runs ahead) waits for its day.

The URL is a secret (Apprise services keep tokens and topics in any part of it): it is stored
and reported only as its scheme and a hash (``receiver_of``), and error texts lose every part of
it (``scrubbed``).

A failing receiver is recorded (the log table, the run report) and never fails the run.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import httpx

from flows.core.errors import ConfigError
from flows.warehouse.alerts import record_delivery, sent_spikes

RECENT_DAYS = 2  # the run's UTC day and the day before
ARTICLES_PER_ALERT = 10
MAX_ALERTS_PER_RUN = 20  # more wait for the next run: a receiver is not flooded
WEBHOOK_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class AlertArticle:
    article_id: str
    title: str
    url: str | None
    outlet: str
    published_at: datetime | None


@dataclass(frozen=True)
class SpikeAlert:
    subject_day_id: str
    subject_type: str
    subject_id: str
    name: str
    published_date: date
    article_count: int
    day_article_count: int
    day_share: float
    baseline_share: float
    score: float
    story_count: int
    articles: tuple[AlertArticle, ...]

    @property
    def title(self) -> str:
        return f"newswatch: spike in {self.name} on {self.published_date:%Y-%m-%d}"

    @property
    def body(self) -> str:
        stories = (
            "one story, copied"
            if self.story_count == 1 and self.article_count > 1
            else f"{self.story_count} stories"
        )
        lines = [
            f"{self.name} ({self.subject_type}) was in {self.article_count} of "
            f"{self.day_article_count} articles on {self.published_date:%Y-%m-%d} "
            f"({self.day_share:.0%} of the day; {self.baseline_share:.1%} usually), {stories}. "
            f"Score {self.score:.1f}: a day this busy would come by chance about once in "
            f"{_odds(self.score)} days.",
            "",
            "Articles:",
        ]
        for article in self.articles:
            lines.append(
                f"- {article.outlet}: {article.title}" + (f" {article.url}" if article.url else "")
            )
        if self.article_count > len(self.articles):
            lines.append(f"- and {self.article_count - len(self.articles)} more")
        return "\n".join(lines)

    def payload(self) -> dict[str, Any]:
        """What a plain webhook receives (JSON)."""
        return {
            "kind": "newswatch.spike",
            "title": self.title,
            "message": self.body,
            "subject_day_id": self.subject_day_id,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "name": self.name,
            "published_date": self.published_date.isoformat(),
            "article_count": self.article_count,
            "day_article_count": self.day_article_count,
            "day_share": self.day_share,
            "baseline_share": self.baseline_share,
            "score": self.score,
            "story_count": self.story_count,
            "articles": [
                {
                    "article_id": a.article_id,
                    "title": a.title,
                    "url": a.url,
                    "outlet": a.outlet,
                    "published_at": a.published_at.isoformat() if a.published_at else None,
                }
                for a in self.articles
            ],
        }


@dataclass
class AlertOutcome:
    receiver: str
    sent: list[str] = field(default_factory=list)  # subject_day_ids
    failed: dict[str, str] = field(default_factory=dict)  # subject_day_id -> why
    already_sent: int = 0  # recent spikes a receiver accepted before
    history: int = 0  # spikes on older days: never sent
    held: int = 0  # due, but over MAX_ALERTS_PER_RUN: the next run sends them

    def line(self) -> str:
        parts = [f"{len(self.sent)} sent to {self.receiver}"]
        if self.failed:
            first = next(iter(self.failed.values()))
            parts.append(f"{len(self.failed)} FAILED ({first})")
        if self.already_sent:
            parts.append(f"{self.already_sent} sent before")
        if self.held:
            parts.append(f"{self.held} held for the next run")
        if self.history:
            parts.append(f"{self.history} on older days not sent")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "receiver": self.receiver,
            "sent": self.sent,
            "failed": self.failed,
            "already_sent": self.already_sent,
            "history": self.history,
            "held": self.held,
        }


def _odds(score: float) -> str:
    return f"{10**score:,.0f}" if score < 9 else "a billion"


def receiver_of(url: str) -> str:
    """A name for the receiver that is safe to log and store: the URL's scheme and a short hash
    of the whole URL. Apprise keeps its secrets anywhere in a URL (an ntfy topic or a
    Pushbullet token is its "host"), so no part of it is shown."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else "?"
    return f"{scheme}:// receiver #{hashlib.sha256(url.encode()).hexdigest()[:8]}"


def scrubbed(text: str, url: str) -> str:
    """An error message without any part of the URL that could be a secret."""
    rest = url.split("://", 1)[-1]
    parts = {rest, *re.split(r"[/?#&=@:]+", rest)}
    for part in sorted((p for p in parts if len(p) >= 4), key=len, reverse=True):
        text = text.replace(part, "…")
    return text


def check_receiver(url: str | None) -> None:
    """Stop a run at once on an alert URL that can never work."""
    if not url:
        return
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if not scheme or "://" not in url:
        raise ConfigError(
            "NEWSWATCH_ALERT_URL has no scheme: use an Apprise URL "
            "(mailto://, slack://, ntfy://, json://…) or an http(s):// webhook"
        )
    if scheme in WEBHOOK_SCHEMES:
        return
    import apprise

    with apprise.LogCapture(level=apprise.logging.ERROR):  # the error below says it once
        known = apprise.Apprise().add(url)
    if not known:
        raise ConfigError(
            f"NEWSWATCH_ALERT_URL: Apprise does not know the service {scheme}://; see "
            "https://github.com/caronc/apprise/wiki for its URLs, or use an http(s):// webhook"
        )


def _send_webhook(url: str, alert: SpikeAlert, timeout: float) -> None:
    response = httpx.post(
        url,
        content=json.dumps(alert.payload(), ensure_ascii=False).encode(),
        headers={"content-type": "application/json"},
        timeout=timeout,
        follow_redirects=False,
    )
    if response.status_code >= 300:
        raise AlertFailed(f"HTTP {response.status_code} from the receiver")


def _send_apprise(url: str, alert: SpikeAlert, timeout: float) -> None:
    import apprise

    notifier = apprise.Apprise(asset=apprise.AppriseAsset(async_mode=False))
    notifier.add(url)
    for server in notifier:
        server.socket_connect_timeout = timeout
        server.socket_read_timeout = timeout
    with apprise.LogCapture(level=apprise.logging.WARNING) as captured:
        ok = notifier.notify(title=alert.title, body=alert.body)
    if not ok:
        said = [line.strip() for line in captured.getvalue().splitlines() if line.strip()]
        raise AlertFailed(said[-1] if said else "the receiver did not accept the notification")


class AlertFailed(Exception):
    """The receiver did not take an alert; the message says what it or the network said."""


Sender = Callable[[str, SpikeAlert, float], None]


def send(url: str, alert: SpikeAlert, timeout: float) -> None:
    """Send one alert; AlertFailed says why not, with no part of the URL in it."""
    scheme = url.split("://", 1)[0].lower()
    sender: Sender = _send_webhook if scheme in WEBHOOK_SCHEMES else _send_apprise
    try:
        sender(url, alert, timeout)
    except AlertFailed as exc:
        raise AlertFailed(scrubbed(str(exc), url)) from None
    except (httpx.HTTPError, OSError, ValueError) as exc:
        raise AlertFailed(scrubbed(f"{type(exc).__name__}: {exc}", url)) from None


def spikes_to_send(
    con: duckdb.DuckDBPyConnection, today: date
) -> tuple[list[SpikeAlert], int, int]:
    """(recent spikes not yet sent, recent ones sent before, spikes on older days)."""
    first_recent = today - timedelta(days=RECENT_DAYS - 1)
    rows = con.execute(
        "select spikes.subject_day_id, spikes.subject_type, spikes.subject_id, "
        "coalesce(entities.name, issues.name, spikes.subject_id), spikes.published_date, "
        "spikes.article_count, spikes.day_article_count, spikes.day_share, "
        "spikes.baseline_share, spikes.score, spikes.story_count, spikes.driving_article_ids "
        "from marts.fct_attention_spikes as spikes "
        "left join marts.dim_entities as entities "
        "on spikes.subject_type = 'entity' and spikes.subject_id = entities.entity_id "
        "left join marts.dim_issues as issues "
        "on spikes.subject_type = 'issue' and spikes.subject_id = issues.issue_id "
        "where spikes.is_spike order by spikes.published_date, spikes.score desc, "
        "spikes.subject_day_id"
    ).fetchall()
    done = sent_spikes(con)
    history = sum(row[4] < first_recent for row in rows)
    # a spike dated after the run's day (a page's clock ahead) waits until that day comes
    recent = [row for row in rows if first_recent <= row[4] <= today]
    already = sum(row[0] in done for row in recent)
    due = [row for row in recent if row[0] not in done]
    return [_alert(con, row) for row in due], already, history


def _alert(con: duckdb.DuckDBPyConnection, row: tuple) -> SpikeAlert:
    ids = list(row[11] or [])[:ARTICLES_PER_ALERT]
    found = {
        r[0]: AlertArticle(r[0], r[1] or r[0], r[2], r[3] or "", r[4])
        for r in con.execute(
            "select articles.article_id, articles.title, articles.canonical_url, "
            "coalesce(outlets.name, articles.outlet_id), articles.published_at "
            "from marts.dim_articles as articles left join marts.dim_outlets as outlets "
            "on articles.outlet_id = outlets.outlet_id where list_contains(?, articles.article_id)",
            [ids],
        ).fetchall()
    }
    return SpikeAlert(
        subject_day_id=row[0],
        subject_type=row[1],
        subject_id=row[2],
        name=row[3],
        published_date=row[4],
        article_count=int(row[5]),
        day_article_count=int(row[6]),
        day_share=float(row[7]),
        baseline_share=float(row[8] or 0.0),
        score=float(row[9]),
        story_count=int(row[10]),
        articles=tuple(found[i] for i in ids if i in found),
    )


def send_spike_alerts(
    con: duckdb.DuckDBPyConnection, url: str, run_id: str, today: date, timeout: float
) -> AlertOutcome:
    """Send every recent spike not sent yet, one message each; record every attempt."""
    outcome = AlertOutcome(receiver_of(url))
    due, outcome.already_sent, outcome.history = spikes_to_send(con, today)
    due, outcome.held = due[:MAX_ALERTS_PER_RUN], max(0, len(due) - MAX_ALERTS_PER_RUN)
    refused: str | None = None
    for alert in due:
        # after one failure the receiver is not asked again this run: each try can cost a
        # whole timeout; the next run tries again
        error = f"not tried after the receiver failed: {refused}" if refused else None
        if error is None:
            try:
                send(url, alert, timeout)
            except AlertFailed as exc:
                error = refused = str(exc)[:500]
        record_delivery(con, alert.subject_day_id, run_id, outcome.receiver, error)
        if error is None:
            outcome.sent.append(alert.subject_day_id)
        else:
            outcome.failed[alert.subject_day_id] = error
    return outcome
