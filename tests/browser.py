"""Headless Chromium (Debian's package) driven over the DevTools protocol, for pages people read.

Every request the page makes is recorded (CDP Network events), and Chromium is given a proxy on
127.0.0.1 that records and refuses anything it would send out, and a resolver that resolves no
name: a page that reaches for the network shows up in both records and loads nothing.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from websockets.sync.client import connect

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--no-pings",
    "--dns-prefetch-disable",
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate,"
    "PushMessaging,NetworkPrediction,PreconnectToSearch",
    # Chromium's own Google services (sign-in, push, search preconnect) would still call home
    # through the proxy: point them at a closed local port instead, so the proxy's record holds
    # only what the page asked for.
    *(
        f"--{switch}=http://127.0.0.1:9"
        for switch in (
            "google-base-url",
            "gaia-url",
            "lso-url",
            "google-apis-url",
            "gcm-checkin-url",
            "gcm-mcs-endpoint",
            "gcm-registration-url",
            "search-provider-logo-url",
        )
    ),
    # Any host name fails to resolve (loopback stays reachable for the recording proxy).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)


def _installed() -> str | None:
    return next((p for p in CHROMIUM_CANDIDATES if Path(p).exists()), None)


def ensure_chromium() -> str:
    """Chromium's path. ``make setup`` installs it (Debian's package, with the fonts the pages
    need); a test never installs anything. Missing, the test skips saying so, except under
    CI=true, where nothing may skip (tests/conftest.py turns the skip into a failure)."""
    found = _installed()
    if found:
        return found
    pytest.skip("Chromium is not installed: run `make setup` (as root: apt-get install chromium)")


class _RecordingProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        self.requests: list[str] = []
        super().__init__(("127.0.0.1", 0), _RefuseAndRecord)


class _RefuseAndRecord(BaseHTTPRequestHandler):
    server: _RecordingProxy

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _refuse(self) -> None:
        self.server.requests.append(f"{self.command} {self.path}")
        self.send_error(403, "newswatch tests: no request may leave the machine")

    do_GET = do_POST = do_HEAD = do_PUT = do_CONNECT = do_OPTIONS = _refuse


class Page:
    """One tab, attached with a flat session over the browser's DevTools socket."""

    def __init__(self, socket: Any, session_id: str) -> None:
        self.socket, self.session_id = socket, session_id
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, timeout: float = 60, **params: Any) -> dict[str, Any]:
        message_id = next(self.ids)
        self.socket.send(
            json.dumps(
                {"id": message_id, "method": method, "params": params, "sessionId": self.session_id}
            )
        )
        deadline = time.monotonic() + timeout
        while True:
            reply = json.loads(self.socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for_event(self, method: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        seen = len(self.events)
        while True:
            for event in self.events[seen:]:
                if event["method"] == method:
                    return event
            seen = len(self.events)
            reply = json.loads(self.socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if "method" in reply:
                self.events.append(reply)

    def evaluate(self, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_until(self, expression: str, timeout: float = 60) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value or time.monotonic() > deadline:
                return value
            time.sleep(0.2)

    def open(self, url: str, width: int = 1280, height: int = 900) -> None:
        self.send("Page.enable")
        self.send("Network.enable")
        self.send("Runtime.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        # Registered before any page script runs: content-security-policy refusals.
        self.send(
            "Page.addScriptToEvaluateOnNewDocument",
            source=(
                "window.__violations = [];"
                "document.addEventListener('securitypolicyviolation',"
                " e => window.__violations.push(e.blockedURI + ' ' + e.violatedDirective));"
            ),
        )
        self.send("Page.navigate", url=url)
        self.wait_for_event("Page.loadEventFired")

    @property
    def requested_urls(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e["method"] == "Network.requestWillBeSent"
        ]

    @property
    def console_errors(self) -> list[str]:
        out = []
        for e in self.events:
            if e["method"] == "Runtime.exceptionThrown":
                out.append(str(e["params"]["exceptionDetails"].get("text")))
            elif e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] == "error":
                out.append(" ".join(str(a.get("value")) for a in e["params"]["args"]))
        return out

    def screenshot(self, path: Path, selector: str | None = None) -> Path:
        """PNG of the viewport, or of the element matching ``selector`` (scrolled into view)."""
        params: dict[str, Any] = {"format": "png"}
        if selector:
            box = self.evaluate(
                f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
                " el.scrollIntoView(); const r = el.getBoundingClientRect();"
                " return {x: r.left + window.scrollX, y: r.top + window.scrollY,"
                " width: r.width, height: r.height}; })()"
            )
            params["clip"] = {**box, "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", **params)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path


class Browser:
    def __init__(self, executable: str) -> None:
        self.executable = executable
        self.proxy = _RecordingProxy()

    def refused_requests_of(self, page: Page) -> list[str]:
        """What the proxy refused that ``page`` itself asked for. The page's own requests are
        its Network events; anything else the proxy saw (a component updater's ``CONNECT
        update.googleapis.com:443``, say) is Chromium's background traffic, not the page's."""
        hosts = {urlsplit(url).hostname for url in page.requested_urls} - {None}
        return [line for line in self.proxy.requests if _target_host(line) in hosts]

    def background_requests(self, page: Page) -> list[str]:
        """What the proxy refused that the page did not ask for (kept for the test's log)."""
        own = set(self.refused_requests_of(page))
        return [line for line in self.proxy.requests if line not in own]

    @contextmanager
    def page(self) -> Iterator[Page]:
        threading.Thread(target=self.proxy.serve_forever, daemon=True).start()
        profile = Path(tempfile.mkdtemp(prefix="newswatch-chromium-"))
        process = subprocess.Popen(
            [
                self.executable,
                *FLAGS,
                f"--proxy-server=http://127.0.0.1:{self.proxy.server_address[1]}",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_own_home(profile),
        )
        try:
            endpoint = _devtools_endpoint(profile, process)
            with connect(endpoint, max_size=None, open_timeout=30) as socket:
                socket.send(
                    json.dumps(
                        {"id": 1, "method": "Target.createTarget", "params": {"url": "about:blank"}}
                    )
                )
                target_id = _reply(socket, 1)["targetId"]
                socket.send(
                    json.dumps(
                        {
                            "id": 2,
                            "method": "Target.attachToTarget",
                            "params": {"targetId": target_id, "flatten": True},
                        }
                    )
                )
                session_id = _reply(socket, 2)["sessionId"]
                yield Page(socket, session_id)
        finally:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            self.proxy.shutdown()
            self.proxy.server_close()
            shutil.rmtree(profile, ignore_errors=True)


def _target_host(request_line: str) -> str | None:
    """The host a proxied request was for: ``GET http://h/p`` or ``CONNECT h:443``."""
    target = request_line.split(" ", 1)[1] if " " in request_line else request_line
    return urlsplit(target if "://" in target else f"//{target}").hostname


def _devtools_endpoint(profile: Path, process: subprocess.Popen[bytes]) -> str:
    """Chromium writes its DevTools port and browser path to DevToolsActivePort when ready."""
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Chromium exited with {process.returncode} before it was ready")
        if port_file.exists():
            lines = port_file.read_text().split()
            if len(lines) >= 2:
                return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        time.sleep(0.1)
    raise RuntimeError("Chromium did not open its DevTools port within 60 s")


def _reply(socket: Any, message_id: int) -> dict[str, Any]:
    while True:
        reply = json.loads(socket.recv(timeout=30))
        if reply.get("id") == message_id:
            if "error" in reply:
                raise RuntimeError(str(reply["error"]))
            return reply["result"]


def _own_home(profile: Path) -> dict[str, str]:
    """Chromium keeps crash reports and dconf's cache under the home folder whatever its
    profile, and its singleton socket under TMPDIR: the environment of a Chromium whose home and
    temporary folder are inside its temporary profile, so a test leaves nothing in the user's
    home nor in the system's temporary folder (a killed Chromium cannot clean up)."""
    (profile / "tmp").mkdir(exist_ok=True)
    return {
        **os.environ,
        "HOME": str(profile),
        "TMPDIR": str(profile / "tmp"),
        "XDG_CONFIG_HOME": str(profile / ".config"),
        "XDG_CACHE_HOME": str(profile / ".cache"),
    }


def rendered_dom(url: str, budget_ms: int = 20_000) -> str:
    """The page's DOM after its scripts ran (headless, no GPU, no host name resolves)."""
    with tempfile.TemporaryDirectory(prefix="newswatch-chromium-") as profile:
        result = subprocess.run(
            [
                ensure_chromium(),
                *FLAGS,
                "--disable-dev-shm-usage",
                f"--user-data-dir={profile}",
                f"--virtual-time-budget={budget_ms}",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=180,
            env=_own_home(Path(profile)),
        )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout
