"""Spike alerts end to end: the English outlets plus a planted burst of seven stories, dated so
that the burst falls on a recent day, run three times into one warehouse against a webhook on
127.0.0.1 — a receiver that fails, then one that works, then the same one again. (An old day's
spike, which must not be sent, is tested on the analyst report's burst warehouse: its burst is
weeks old.)"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import SecretStr

from flows.core.errors import ConfigError
from flows.core.settings import Settings
from flows.demo_site.render import Article, load_articles
from flows.demo_site.site import DemoServer, build_site
from flows.readers.alerts import check_receiver, receiver_of, scrubbed
from flows.readers.run_report import RunReport
from tests.conftest import FIXTURES, make_settings
from tests.e2e.conftest import ENGLISH_OUTLETS, SITE_TIMEOUTS, english_feeds, query
from tests.servers import AlertReceiver

pytestmark = pytest.mark.e2e

BURST_DAY = date(2026, 11, 25)  # as written in tests/fixtures/burst
BURST_SUBJECTS = {("entity", "north-korea"), ("issue", "missile-launches")}


def recent_burst_day(now: datetime) -> date:
    """A day the alert rules call recent for the whole test, whatever the hour: today once all
    the burst's times (the latest is 15:20 UTC) have passed, else yesterday."""
    return now.date() if now.hour >= 16 else now.date() - timedelta(days=1)


def shifted(articles: list[Article], days: int) -> list[Article]:
    return [dataclasses.replace(a, published=a.published + timedelta(days=days)) for a in articles]


@dataclass
class AlertRuns:
    settings: Settings
    burst_day: date
    burst_slugs: set[str]
    failing: RunReport
    working: RunReport
    again: RunReport
    failing_received: list[tuple[str, bytes]]
    received: list[tuple[str, bytes]]


@pytest.fixture(scope="module")
def alert_runs(prefect_harness, tmp_path_factory) -> AlertRuns:
    from flows.orchestration.pipeline import news_pipeline

    burst_day = recent_burst_day(datetime.now(UTC))
    offset = (burst_day - BURST_DAY).days
    # the English outlets up to the burst's day: their history is the spike's baseline
    english = [
        a
        for a in load_articles()
        if a.outlet in ENGLISH_OUTLETS and a.published.astimezone(UTC).date() <= BURST_DAY
    ]
    burst = load_articles(FIXTURES / "burst")
    tmp = tmp_path_factory.mktemp("alerts")
    with (
        DemoServer(build_site(shifted(english + burst, offset))) as server,
        AlertReceiver(status=500) as failing,
        AlertReceiver() as receiver,
    ):
        settings = make_settings(
            tmp,
            feeds=english_feeds(tmp),
            host_map=server.host_map,
            private_allowlist=server.allowlist,
            alert_url=failing.url(),
            alert_timeout=5.0,
            **SITE_TIMEOUTS,
        )
        first = news_pipeline(settings)
        working = settings.model_copy(update={"alert_url": SecretStr(receiver.url())})
        second = news_pipeline(working)
        third = news_pipeline(working)
    assert all(isinstance(r, RunReport) for r in (first, second, third)), (first, second, third)
    return AlertRuns(
        working,
        burst_day,
        {a.slug for a in burst},
        first,
        second,
        third,
        list(failing.received),
        list(receiver.received),
    )


def burst_spike_ids(runs: AlertRuns) -> set[str]:
    return {f"{kind}:{sid}:{runs.burst_day:%Y-%m-%d}" for kind, sid in BURST_SUBJECTS}


def test_a_failing_receiver_is_recorded_and_the_run_completes(alert_runs: AlertRuns):
    run = alert_runs.failing
    assert run.dbt_ok and run.published  # the run went through to the end
    assert run.alerts is not None
    assert set(run.alerts["failed"]) == burst_spike_ids(alert_runs)
    assert run.alerts["sent"] == []
    assert any("HTTP 500" in why for why in run.alerts["failed"].values())
    assert "FAILED (HTTP 500" in (run.alerts_line or "")
    assert "Spike alerts:" in run.to_markdown()
    # the receiver was asked once (after a failure the rest wait for the next run)
    assert len(alert_runs.failing_received) == 1
    # recorded in the run log and the alert log
    summary = query(
        alert_runs.settings.warehouse,
        f"select summary from raw.runs where run_id = '{run.run_id}'",
    )
    assert json.loads(summary[0][0])["alerts"]["failed"]


def test_no_part_of_the_alert_url_is_stored_or_reported(alert_runs: AlertRuns):
    secret = alert_runs.settings.alert_url
    assert secret is not None
    address = secret.get_secret_value().split("://", 1)[1]  # 127.0.0.1:port/hook
    stored = query(
        alert_runs.settings.work_database,
        "select receiver || coalesce(error, '') from raw.alert_deliveries "
        "union all select cast(summary as varchar) from raw.runs",
    )
    reports = [r.to_markdown() for r in (alert_runs.failing, alert_runs.working, alert_runs.again)]
    assert all(address not in text and "/hook" not in text for (text,) in stored)
    assert all(address not in text for text in reports)
    assert str(alert_runs.settings.alert_url) == "**********"


def test_each_recent_spike_is_sent_once_across_runs_with_its_articles(alert_runs: AlertRuns):
    received = [json.loads(body) for _, body in alert_runs.received]
    # the second run sent the burst's spikes, one message each; the third sent nothing
    assert sorted(m["subject_day_id"] for m in received) == sorted(burst_spike_ids(alert_runs))
    assert alert_runs.working.alerts is not None and alert_runs.again.alerts is not None
    assert sorted(alert_runs.working.alerts["sent"]) == sorted(burst_spike_ids(alert_runs))
    assert alert_runs.again.alerts["sent"] == [] and alert_runs.again.alerts["failed"] == {}
    assert alert_runs.again.alerts["already_sent"] == len(BURST_SUBJECTS)
    for message in received:
        assert message["published_date"] == alert_runs.burst_day.isoformat()
        assert message["article_count"] == len(alert_runs.burst_slugs)
        urls = [a["url"] for a in message["articles"]]
        assert len(urls) == len(alert_runs.burst_slugs)
        assert {s for s in alert_runs.burst_slugs if any(s in u for u in urls)} == (
            alert_runs.burst_slugs
        ), urls
        assert message["name"] in message["title"] and message["name"] in message["message"]
    deliveries = query(
        alert_runs.settings.work_database,
        "select status, count(*), count(distinct subject_day_id) from raw.alert_deliveries "
        "group by status order by status",
    )
    assert deliveries == [("failed", 2, 2), ("sent", 2, 2)]


def test_an_alert_url_that_cannot_work_stops_the_run_with_a_reason():
    with pytest.raises(ConfigError, match="no scheme"):
        check_receiver("127.0.0.1:9/hook")
    with pytest.raises(ConfigError, match="does not know the service nosuch://"):
        check_receiver("nosuch://token@example.org")
    check_receiver("json://127.0.0.1:9/hook")  # Apprise's JSON service
    check_receiver("https://hooks.example.org/abc")
    # what is logged and stored keeps no part of the URL: Apprise keeps secrets anywhere in it
    for url in (
        "https://user:secret@hooks.example.org:8443/t0ken?k=v",
        "ntfy://my-secret-topic",
        "tgram://123456789:AAHsecret/987654",  # not a port: a bot token
    ):
        name = receiver_of(url)
        assert name.startswith(url.split("://")[0] + "://") and "secret" not in name
        assert "t0ken" not in name and "123456789" not in name
    assert scrubbed("no route to ntfy.sh/my-secret-topic", "ntfy://my-secret-topic") == (
        "no route to ntfy.sh/…"
    )


def test_an_apprise_url_reaches_its_service_and_its_failure_says_why():
    """Apprise's own JSON service (json://) against the receiver: the alert arrives as
    Apprise sends it; a receiver that answers 500 gives a reason, not a bare False."""
    from flows.readers.alerts import AlertArticle, AlertFailed, SpikeAlert, send

    alert = SpikeAlert(
        "entity:north-korea:2026-12-01", "entity", "north-korea", "North Korea",
        date(2026, 12, 1), 7, 12, 7 / 12, 0.04, 9.5, 7,
        (AlertArticle("a1", "Missile over Japan", "https://example.org/a1", "Pacific Herald", None),),
    )  # fmt: skip
    with AlertReceiver() as receiver:
        send(receiver.url(scheme="json"), alert, timeout=5.0)
        [(path, body)] = receiver.received
        message = json.loads(body)
        assert path == "/hook"
        assert message["title"] == alert.title
        assert "Missile over Japan" in message["message"] and "7 of 12" in message["message"]
        receiver.status = 500
        with pytest.raises(AlertFailed, match="500"):
            send(receiver.url(scheme="json"), alert, timeout=5.0)
