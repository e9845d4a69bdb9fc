# SPDX-License-Identifier: GPL-2.0
"""Headless Chromium driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: commands on the browser's fd 3, answers and
events on its fd 4, each message JSON ending in a NUL byte).  Python's
standard library only, and no port: nothing listens, nothing connects.

    with Chromium(["--proxy-server=..."]) as b:
        page = b.new_page()
        page.navigate("file:///.../index.html")
        page.eval("1 + 1")             # -> 2
        b.events("Network.requestWillBeSent")
"""

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions",
    "--mute-audio", "--hide-scrollbars",
]


class CDPError(Exception):
    pass


class Chromium:
    """A headless Chromium with a fresh profile, ended on close()."""

    def __init__(self, extra=(), binary=None, log=None, wrapper=()):
        self.binary = binary or shutil.which("chromium") or "/usr/bin/chromium"
        self.profile = tempfile.mkdtemp(prefix="oomfrag-chromium-")
        r_cmd, self._w = os.pipe()
        self._r, w_ev = os.pipe()
        # The child's ends go above 3 and 4, which bash sets from them.
        r_cmd, w_ev = (self._high(fd) for fd in (r_cmd, w_ev))
        args = [*FLAGS, f"--user-data-dir={self.profile}",
                "--remote-debugging-pipe", *extra, "about:blank"]
        script = f'exec "$@" 3<&{r_cmd} 4>&{w_ev} {r_cmd}<&- {w_ev}>&-'
        self.log = log or open(os.devnull, "w")
        self.proc = subprocess.Popen(
            ["/bin/bash", "-c", script, "bash", *wrapper, self.binary, *args],
            pass_fds=(r_cmd, w_ev), stdin=subprocess.DEVNULL,
            stdout=self.log, stderr=self.log)
        os.close(r_cmd)
        os.close(w_ev)
        self._id = 0
        self._lock = threading.Condition()
        self._answers = {}
        self._events = []
        self._closed = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        try:
            self.version = self.send("Browser.getVersion", timeout=60)
        except CDPError:
            self.close()
            raise

    @staticmethod
    def _high(fd):
        high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(fd)
        return high

    def _read(self):
        buf = b""
        while True:
            try:
                chunk = os.read(self._r, 1 << 20)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                with self._lock:
                    if "id" in msg:
                        self._answers[msg["id"]] = msg
                    else:
                        self._events.append(msg)
                    self._lock.notify_all()
        with self._lock:
            self._closed = True
            self._lock.notify_all()

    def send(self, method, params=None, session=None, timeout=120):
        with self._lock:
            self._id += 1
            mid = self._id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            n = os.write(self._w, data)
            data = data[n:]
        deadline = time.monotonic() + timeout
        with self._lock:
            while mid not in self._answers:
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    raise CDPError(f"{method}: no answer "
                                   f"({'browser gone' if self._closed else 'timeout'})")
                self._lock.wait(left)
            ans = self._answers.pop(mid)
        if "error" in ans:
            raise CDPError(f"{method}: {ans['error']}")
        return ans.get("result", {})

    def events(self, method=None):
        """The events received so far (of `method`)."""
        with self._lock:
            return [e for e in self._events if method in (None, e["method"])]

    def wait_event(self, method, since=0, timeout=60, pred=None):
        """The first event `method` after the first `since` events."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for e in self._events[since:]:
                    if e["method"] == method and (pred is None or pred(e)):
                        return e
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    raise CDPError(f"no {method} event")
                self._lock.wait(left)

    def mark(self):
        with self._lock:
            return len(self._events)

    def new_page(self, proxy=None, bypass="<-loopback>"):
        """A page; with `proxy`, in a browser context of its own whose
        requests go through that proxy (loopback too, unless `bypass` says
        otherwise: "" lets loopback go direct)."""
        params = {"url": "about:blank"}
        context = None
        if proxy:
            ctx = self.send("Target.createBrowserContext", {
                "proxyServer": proxy, "proxyBypassList": bypass})
            context = params["browserContextId"] = ctx["browserContextId"]
        t = self.send("Target.createTarget", params)
        s = self.send("Target.attachToTarget",
                      {"targetId": t["targetId"], "flatten": True})
        return Page(self, s["sessionId"], context)

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
        except CDPError:
            pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._w, self._r):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Page:
    def __init__(self, browser, session, context=None):
        self.b = browser
        self.session = session
        self.context = context
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.send(f"{domain}.enable")

    def send(self, method, params=None, timeout=120):
        return self.b.send(method, params, self.session, timeout)

    def navigate(self, url, timeout=60):
        since = self.b.mark()
        r = self.send("Page.navigate", {"url": url})
        if r.get("errorText"):
            raise CDPError(f"navigate {url}: {r['errorText']}")
        self.b.wait_event("Page.loadEventFired", since, timeout,
                          lambda e: e.get("sessionId") == self.session)

    def eval(self, expr, timeout=120):
        """The value of a JavaScript expression (promises awaited)."""
        r = self.send("Runtime.evaluate", {
            "expression": expr, "awaitPromise": True, "returnByValue": True,
            "userGesture": True}, timeout)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            text = d.get("exception", {}).get("description") or d.get("text")
            raise CDPError(f"JavaScript: {text}")
        return r["result"].get("value")

    def call(self, fn, *args, timeout=120):
        """`fn` (JavaScript function source) called with JSON `args`."""
        return self.eval(f"({fn})(...{json.dumps(list(args))})", timeout)

    def key(self, key, code=None, text=None):
        base = {"key": key, "code": code or key,
                "windowsVirtualKeyCode": ord(key.upper()) if len(key) == 1 else 0}
        if key == "Tab":
            base["windowsVirtualKeyCode"] = 9
        self.send("Input.dispatchKeyEvent", {"type": "keyDown", **base,
                                             **({"text": text} if text else {})})
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", **base})
