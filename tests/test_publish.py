"""The writer lock and atomic publishing."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flows.core.settings import Settings
from flows.warehouse.publish import WarehouseBusy, publish, writer_lock

HOLD_LOCK = """
import sys, time
from pathlib import Path
from flows.warehouse.publish import writer_lock
from flows.core.settings import Settings
with writer_lock(Settings(warehouse=Path(sys.argv[1]))):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_second_writer_is_refused_and_a_killed_writer_releases_the_lock(tmp_path: Path):
    settings = Settings(warehouse=tmp_path / "w.duckdb")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(settings.warehouse)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(WarehouseBusy, match=f"pid.*{holder.pid}"), writer_lock(settings):
            pass
        holder.kill()  # kill -9: no cleanup code runs
        holder.wait(10)
        with writer_lock(settings, wait_seconds=5):
            pass  # the kernel released the lock with the process
    finally:
        holder.kill()


def test_waiting_writer_gets_the_lock_when_it_is_released(tmp_path: Path):
    settings = Settings(warehouse=tmp_path / "w.duckdb")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            HOLD_LOCK.replace("time.sleep(60)", "time.sleep(1.5)"),
            str(settings.warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    started = time.monotonic()
    with writer_lock(settings, wait_seconds=30):
        waited = time.monotonic() - started
    holder.wait(10)
    assert waited > 0.5  # it did wait for the holder, rather than failing at once


def test_publish_replaces_the_file_atomically_and_cleans_up(tmp_path: Path):
    settings = Settings(warehouse=tmp_path / "w.duckdb")
    settings.work_database.parent.mkdir(parents=True)
    con = duckdb.connect(str(settings.work_database))
    con.execute("create table t as select 1 as v")
    con.close()
    stale = tmp_path / ".w.duckdb.publishing-999999"
    stale.write_bytes(b"left by a killed publish")
    reader = None
    try:
        publish(settings)
        reader = duckdb.connect(str(settings.warehouse), read_only=True)  # an analyst
        con = duckdb.connect(str(settings.work_database))
        con.execute("insert into t values (2)")
        con.close()
        publish(settings)
        # The open session still sees its snapshot; a new one sees the new file.
        assert reader.execute("select count(*) from t").fetchall() == [(1,)]
        fresh = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import duckdb; print(duckdb.connect({str(settings.warehouse)!r}, read_only=True).execute('select count(*) from t').fetchall()[0][0])",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert fresh.stdout.strip() == "2"
    finally:
        if reader is not None:
            reader.close()
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb", "w.writer"]
