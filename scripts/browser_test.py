#!/usr/bin/env python3
"""Browser test of the web UI: headless Chromium (Debian's `chromium`) driven over the DevTools
protocol against a live `portero demo` (a seeded core and one branch daemon swiping cards).

Signs in as a receptionist, looks up a member and gives them a photo from a camera-sized file
(made smaller in the page before it is sent), watches a swipe arrive on the live page, changes
the language, opens the dashboard and the doors, and checks the live view comes back after the
core restarts; then an administrator closes branch 1 for a day on its calendar, sets its capacity
and reads the live occupancy report (in English, later in Spanish), makes a promotion
code, sells a subscription with it and prints its invoice; a member sees their own invoices,
adds their phone and shows the pass (scripts/browser_pass.py), which the front desk revokes; the
desk sells a guest a day pass, prints it, and a scanner door admits it twice (scripts/browser_daypass.py).
Then an assisted session is walked from both sides in two browser contexts (each its own
cookies): the SuperAdministrador turns on two-step sign-in, asks to act for the receptionist, she
sees the request, enters the emailed code, the support user enters it too and acts for her; both
see the banner; she ends it with a reason and the support side is signed out. Last, staff sign in
through an OpenID provider (the sign-in tests' own, beside a core configured for it).
Screenshots go to .build/browser-artifacts/. Any console error, uncaught exception or failed
resource (a CSP violation, a 404) fails the run.

Python's standard library only: the DevTools WebSocket is spoken by the small client below.
"""
import base64
import datetime
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib

import browser_daypass
import browser_door
import browser_pass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTIFACTS = os.path.join(ROOT, ".build", "browser-artifacts")
PASSWORD = "Portero-demo-2026"


class WebSocket:
    """A minimal RFC 6455 client: text frames, client-side masking, no extensions."""

    def __init__(self, url):
        match = re.match(r"ws://([^/:]+):(\d+)(/.*)", url)
        host, port, path = match.group(1), int(match.group(2)), match.group(3)
        self.sock = socket.create_connection((host, port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("DevTools closed the WebSocket handshake")
            response += chunk
        head, self.buffer = response.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"WebSocket handshake refused: {head[:200]!r}")

    def send(self, text):
        payload = text.encode()
        header = bytes([0x81])
        length = len(payload)
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", length)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", length)
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise RuntimeError("DevTools closed the WebSocket")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def receive(self):
        message = b""
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(length)
            opcode = first & 0x0F
            if opcode == 0x8:
                raise RuntimeError("DevTools closed the WebSocket")
            if opcode in (0x9, 0xA):
                continue
            message += payload
            if first & 0x80:
                return message.decode()


class Browser:
    def __init__(self, chromium, profile, context_of=None):
        """A page in a new headless Chromium, or with `context_of`, a page in a new browser
        context (its own cookies and storage) of that browser's Chromium."""
        self.context = None
        if context_of is not None:
            self.process = None
            self.endpoint, self.port = context_of.endpoint, context_of.port
            self.context = self.browser_call("Target.createBrowserContext", disposeOnDetach=False)["browserContextId"]
            target = self.browser_call("Target.createTarget", url="about:blank", browserContextId=self.context)
            self.attach(f"ws://127.0.0.1:{self.port}/devtools/page/{target['targetId']}")
            return
        self.process = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
             "--remote-debugging-port=0", f"--user-data-dir={profile}", "--window-size=1280,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        endpoint = None
        deadline = time.time() + 60
        while time.time() < deadline and endpoint is None:
            line = self.process.stderr.readline()
            found = re.search(r"DevTools listening on (ws://\S+)", line or "")
            if found:
                endpoint = found.group(1)
        if endpoint is None:
            raise RuntimeError("chromium did not start its DevTools endpoint")
        self.endpoint = endpoint
        self.port = port = re.match(r"ws://[^:]+:(\d+)/", endpoint).group(1)
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in targets if t["type"] == "page")
        self.attach(page["webSocketDebuggerUrl"])

    def browser_call(self, method, **params):
        """One command on the browser's own endpoint (browser contexts are made there)."""
        ws = WebSocket(self.endpoint)
        try:
            ws.send(json.dumps({"id": 1, "method": method, "params": params}))
            while True:
                message = json.loads(ws.receive())
                if message.get("id") == 1:
                    if "error" in message:
                        raise RuntimeError(f"{method}: {message['error']}")
                    return message.get("result", {})
        finally:
            ws.sock.close()

    def attach(self, url):
        self.ws = WebSocket(url)
        self.next_id = 0
        self.events = []
        self.problems = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def call(self, method, **params):
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.receive())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.note(message)

    def note(self, message):
        method = message.get("method", "")
        params = message.get("params", {})
        if method == "Page.loadEventFired":
            self.loads += 1
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.problems.append("console: " + " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            self.problems.append("exception: " + params.get("exceptionDetails", {}).get("text", ""))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            text = entry.get("text", "")
            # The live view's long poll is cut when the test restarts the core on purpose, and a
            # form sent with bad input on purpose is answered 400 (with the form and its errors).
            url = entry.get("url", "")
            live = "live/events" in url or "EventSource" in text
            if not (self.expect_disconnect and live) and not any(url.endswith(path) for path in self.expected_refusals):
                self.problems.append(f"log: {text} {entry.get('url', '')}")
        self.events.append(message)

    expect_disconnect = False
    expected_refusals = set()
    loads = 0

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluate failed: {expression}: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    def pump(self, seconds):
        """Handles the browser's events for up to `seconds`, returning at the first one."""
        self.ws.sock.settimeout(max(0.01, seconds))
        try:
            self.note(json.loads(self.ws.receive()))
        except socket.timeout:
            pass
        finally:
            self.ws.sock.settimeout(30)

    def wait_for(self, expression, timeout=20, what=None):
        """Re-checks `expression` in the page as the browser's events arrive, until the deadline."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.evaluate(expression):
                    return
            except RuntimeError:
                pass  # the page is navigating
            self.pump(min(0.2, max(0.0, deadline - time.time())))
        raise AssertionError(f"timed out waiting for {what or expression}")

    def wait_for_load(self, loads_before, what):
        """Waits for a page load after `loads_before` (the browser's Page.loadEventFired)."""
        deadline = time.time() + 20
        while self.loads <= loads_before:
            if time.time() >= deadline:
                raise AssertionError(f"timed out waiting for {what}")
            self.pump(deadline - time.time())

    def open(self, url):
        before = self.loads
        self.call("Page.navigate", url=url)
        self.wait_for_load(before, f"{url} to load")

    def submit(self, selector):
        before = self.loads
        self.evaluate(f"document.querySelector({json.dumps(selector)}).requestSubmit()")
        self.wait_for_load(before, "the form's answer")

    def screenshot(self, name):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(os.path.join(ARTIFACTS, f"{name}.png"), "wb") as file:
            file.write(base64.b64decode(data))

    def close(self):
        if self.context is not None:
            try:
                self.browser_call("Target.disposeBrowserContext", browserContextId=self.context)
            except Exception:
                pass
            return
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def totp(secret, at=None):
    """RFC 6238: the six-digit code of a base32 secret now (or at `at`)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int((at or time.time()) // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000:06d}"


def support_code(database, email):
    """The code in the newest support email to `email`, read from the core's outbox."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT body FROM mail_outbox WHERE kind = 'support_code' AND recipient = ? ORDER BY id DESC LIMIT 1",
            (email,)).fetchone()
    assert row, f"no support code emailed to {email}"
    return next(line.strip() for line in row[0].splitlines() if re.fullmatch(r"\d{8}", line.strip()))


def sign_in(browser, base, path, login):
    browser.open(f"{base}{path}")
    browser.wait_for("location.pathname === '/login'", what="the sign-in page")
    browser.evaluate(f"document.getElementById('f-login').value = {json.dumps(login)}; document.getElementById('f-password').value = {json.dumps(PASSWORD)}")
    browser.submit("form[action='/login']")
    browser.wait_for(f"location.pathname === {json.dumps(path)}", what=f"{path} after signing in as {login}")


def write_camera_png(path, width, height):
    """A PNG the size a phone's camera makes: a gradient with grain, which compresses poorly."""
    grain = os.urandom(width * height)
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            g = grain[y * width + x] & 0x1F
            rows += bytes(((x * 255 // width + g) & 0xFF, (y * 255 // height + g) & 0xFF, (128 + g) & 0xFF))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                  + chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b""))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_demo(portero, port, directory, fresh):
    arguments = [portero, "demo", "--port", str(port), "--members", "300", "--swipe-every", "1.5", "--directory", directory]
    process = subprocess.Popen(arguments if fresh else arguments, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if "a card is swiped" in line:
            return process
    raise RuntimeError("portero demo did not start")


def stop(process):
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def start_oidc(build, work):
    """The sign-in tests' OpenID provider (Tests/CoreTests/Peers/oidc_provider.py, from the test
    venv) and a core of its own whose file names it, with root@club.mx known to both."""
    python = os.path.join(ROOT, ".build-venv", "bin", "python3")
    peer = subprocess.Popen([python, os.path.join(ROOT, "Tests", "CoreTests", "Peers", "oidc_provider.py")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    issuer = "http://127.0.0.1:%d" % int(peer.stdout.readline().split()[1])
    user = urllib.request.Request(f"{issuer}/users/google-root", method="PUT",
                                  data=json.dumps({"email": "root@club.mx", "email_verified": True}).encode(),
                                  headers={"Content-Type": "application/json"})
    urllib.request.urlopen(user).read()
    database = os.path.join(work, "oidc.sqlite")
    subprocess.run([os.path.join(build, "portero-core"), "init", "--database", database, "--username", "root",
                    "--email", "root@club.mx"], input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    port = free_port()
    config = os.path.join(work, "oidc-core.json")
    with open(config, "w") as file:
        json.dump({"database": database, "listen": {"port": port}, "public_url": f"http://127.0.0.1:{port}",
                   "oidc": {"issuer": issuer, "client_id": "portero", "client_secret": "s3cret",
                            "display_name": "Google"}}, file)
    core = subprocess.Popen([os.path.join(build, "portero-core"), "serve", "--config", config],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health").read()
            return peer, core, f"http://127.0.0.1:{port}", issuer
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the core configured for the OpenID provider did not start")


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "debug")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("browser test: chromium is not installed", file=sys.stderr)
        return 1
    os.makedirs(ARTIFACTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="portero-browser-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    demo = start_demo(os.path.join(build, "portero"), port, os.path.join(work, "demo"), True)
    browser = Browser(chromium, os.path.join(work, "profile"))
    try:
        # A receptionist signs in, sent to the page they asked for.
        browser.open(f"{base}/live")
        browser.wait_for("location.pathname === '/login'", what="the sign-in page")
        browser.evaluate(f"document.getElementById('f-login').value = 'recepcion.centro'; document.getElementById('f-password').value = {json.dumps(PASSWORD)}")
        browser.screenshot("01-login")
        browser.submit("form[action='/login']")
        browser.wait_for("location.pathname === '/live'", what="the live page after signing in")

        # A swipe at the door appears on the live page without a reload.
        browser.wait_for("document.getElementById('live-state').className === 'live-on'", what="the live view to connect")
        before = browser.evaluate("document.querySelectorAll('#live li').length")
        first = browser.evaluate("(document.querySelector('#live li') || {}).textContent || ''")
        browser.wait_for(f"(document.querySelector('#live li') || {{}}).textContent !== {json.dumps(first)}", timeout=20, what="a new swipe on the live page")
        after = browser.evaluate("document.querySelectorAll('#live li').length")
        assert after > before or after == 100, (before, after)
        browser.screenshot("02-live")
        denied = browser.evaluate("Array.from(document.querySelectorAll('#live li.denied strong')).map(e => e.textContent)")
        print(f"  live: {after - before} new entr(ies); refusals in words: {sorted(set(denied))[:4]}")

        # The live view comes back after the core restarts.
        browser.expect_disconnect = True
        stop(demo)
        browser.wait_for("document.getElementById('live-state').className === 'live-off'", timeout=20, what="the live view to notice the core is gone")
        demo = start_demo(os.path.join(build, "portero"), port, os.path.join(work, "demo-again"), False)
        # A new demo is a new database: sign in again (the old session is unknown there).
        browser.open(f"{base}/live")
        browser.wait_for("location.pathname === '/login'", what="the sign-in page of the restarted core")
        browser.evaluate(f"document.getElementById('f-login').value = 'recepcion.centro'; document.getElementById('f-password').value = {json.dumps(PASSWORD)}")
        browser.submit("form[action='/login']")
        browser.wait_for("document.getElementById('live-state').className === 'live-on'", what="the live view after the restart")
        browser.expect_disconnect = False

        # Member look-up by name.
        browser.open(f"{base}/members?q=Ana")
        rows = browser.evaluate("document.querySelectorAll('main table tbody tr').length")
        assert rows > 0, "no member named Ana found"
        browser.evaluate("document.querySelector('main table tbody tr a').click()")
        browser.wait_for("location.pathname.startsWith('/members/') && document.readyState === 'complete'", what="a member page")
        assert browser.evaluate("document.querySelectorAll('main section h2').length") >= 4, "member page without its sections"
        browser.screenshot("03-member")

        # A photo from a phone's camera is megabytes: the page draws it again as a smaller JPEG
        # before sending it, and the member page then shows it.
        picture = os.path.join(work, "camara.png")
        write_camera_png(picture, 1600, 1200)
        assert os.path.getsize(picture) > 1 << 20, os.path.getsize(picture)
        document = browser.call("DOM.getDocument")["root"]["nodeId"]
        field = browser.call("DOM.querySelector", nodeId=document, selector="#f-photo")["nodeId"]
        browser.call("DOM.setFileInputFiles", nodeId=field, files=[picture])
        browser.wait_for("(function (f) { return f && f.type === 'image/jpeg' && f.size <= 400 * 1024; })"
                         "(document.getElementById('f-photo').files[0])", what="the photo made smaller in the page")
        browser.wait_for("!document.querySelector('#photo button[type=submit]').disabled", what="the send button")
        browser.submit("form[action$='/photo']")
        browser.wait_for("location.search.includes('done=photo') && document.readyState === 'complete'",
                         what="the member page after the photo")
        browser.wait_for("(function (i) { return i && i.complete && i.naturalWidth === 1024; })"
                         "(document.querySelector('img.avatar.big.photo'))", what="the photo shown, 1024 px wide")
        browser.screenshot("03b-member-photo")

        # A form with a bad value shows the error beside the field and keeps what was typed.
        browser.expected_refusals.add(browser.evaluate("location.pathname") + "/cards")
        browser.evaluate("document.getElementById('f-number').value = 'not-a-card'")
        browser.submit("form[action$='/cards']")
        assert browser.evaluate("document.querySelector('.invalid #f-number') !== null"), "no error beside the card field"
        assert browser.evaluate("document.getElementById('f-number').value") == "not-a-card"
        browser.screenshot("04-form-error")

        # The user manual, linked from every page, in English (the browser's language).
        browser.evaluate("document.querySelector('header a[href=\"/help\"]').click()")
        browser.wait_for("location.pathname === '/help' && document.readyState === 'complete'", what="the manual")
        assert browser.evaluate("document.querySelector('h1').textContent") == "User manual"
        browser.evaluate("document.querySelector('a[href=\"/help/front-desk\"]').click()")
        browser.wait_for("location.pathname === '/help/front-desk' && document.readyState === 'complete'", what="a chapter")
        assert browser.evaluate("document.querySelectorAll('main section ol li').length") >= 10, "chapter without its steps"
        browser.screenshot("04b-help-en")

        # Language: the browser asks for English (Accept-Language); the user chooses Spanish.
        browser.open(f"{base}/settings")
        assert browser.evaluate("document.documentElement.lang") == "en"
        browser.evaluate("document.getElementById('f-language').value = 'es'")
        browser.submit("form[action='/settings/language']")
        browser.wait_for("document.documentElement.lang === 'es'", what="the page in Spanish")
        assert browser.evaluate("document.body.textContent.includes('Cerrar sesión')")
        browser.screenshot("05-settings-es")
        browser.open(f"{base}/help/front-desk")
        assert browser.evaluate("document.querySelector('h1').textContent") == "Manual de usuario: Recepción"
        browser.screenshot("05b-help-es")
        # A wrong address: a page in words, with the navigation.
        browser.expected_refusals.add("/no-such-page")
        browser.open(f"{base}/no-such-page")
        assert browser.evaluate("document.getElementById('not-found') !== null"), "no page for a wrong address"

        # The dashboard with its charts.
        browser.open(f"{base}/dashboard")
        charts = browser.evaluate("document.querySelectorAll('figure.chart svg').length")
        assert charts >= 4, f"{charts} charts"
        assert browser.evaluate("document.querySelector('figure.chart svg desc').textContent.length > 0")
        browser.screenshot("06-dashboard")

        # The doors of branch 1 as a receptionist sees them: the table, no form to change them.
        browser.open(f"{base}/doors")
        assert browser.evaluate("document.getElementById('branch-1') !== null"), "no section for branch 1"
        assert browser.evaluate("document.querySelector('form[action=\"/branches/1/doors\"]') === null")
        ids = browser.evaluate("Array.from(document.querySelectorAll('[id]')).map(e => e.id)")
        assert len(ids) == len(set(ids)), f"repeated ids: {sorted(i for i in set(ids) if ids.count(i) > 1)}"
        browser.screenshot("07-doors")

        # An administrator closes branch 1 for a day a month ahead on its calendar.
        browser.submit("form[action='/logout']")
        browser.open(f"{base}/branches/1/calendar")
        browser.wait_for("location.pathname === '/login'", what="the sign-in page")
        browser.evaluate(f"document.getElementById('f-login').value = 'administrador'; document.getElementById('f-password').value = {json.dumps(PASSWORD)}")
        browser.submit("form[action='/login']")
        browser.wait_for("location.pathname === '/branches/1/calendar'", what="the calendar after signing in")
        day = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
        browser.evaluate(f"document.getElementById('f-day').value = {json.dumps(day)}; document.getElementById('f-kind').value = 'closed'; document.getElementById('f-note').value = 'Cierre de prueba'")
        browser.submit("form[action='/branches/1/calendar']")
        browser.wait_for(f"document.querySelector('time[datetime=\"{day}\"]') !== null", what="the closed day in the calendar")
        browser.screenshot("08-calendar")

        # The administrator sets branch 1's capacity (a soft limit above the hard one is refused
        # beside its field), then reads the live occupancy report: a bar per branch.
        browser.open(f"{base}/branches/1/occupancy")
        browser.expected_refusals.add("/branches/1/occupancy")
        browser.evaluate("document.getElementById('f-warn').value = '90'; document.getElementById('f-limit').value = '80'")
        browser.submit("form[action='/branches/1/occupancy']")
        assert browser.evaluate("document.querySelector('.invalid #f-warn') !== null"), "no error beside the soft limit"
        browser.evaluate("document.getElementById('f-warn').value = '60'")
        browser.submit("form[action='/branches/1/occupancy']")
        browser.wait_for("location.search === '?done=saved'", what="the capacity saved")
        browser.screenshot("08a-capacity")
        browser.open(f"{base}/reports/occupancy")
        assert browser.evaluate("document.body.textContent.includes('Live occupancy')"), "the report in English"
        assert browser.evaluate("document.querySelectorAll('main table svg').length >= 1"), "no bar for the branches"
        browser.screenshot("08b-occupancy-en")

        # The administrator adds a product, buys stock of it, opens a shift on a new register and
        # rings up a ticket paid in cash, then closes the cut with what was counted.
        browser.open(f"{base}/pos/catalogue")
        browser.evaluate("document.getElementById('f-name').value = 'Agua 1 L'; document.getElementById('f-sku').value = 'AGUA-1L'; document.getElementById('f-price').value = '25.00'")
        browser.submit("form[action='/pos/products']")
        browser.wait_for("document.body.textContent.includes('AGUA-1L')", what="the new product")
        browser.evaluate("var p = document.getElementById('f-product'); p.value = Array.from(p.options).find(o => o.textContent === 'Agua 1 L').value; document.getElementById('f-branch').value = '1'; document.getElementById('f-supplier').value = 'Bebidas del Centro'; document.getElementById('f-quantity').value = '10'; document.getElementById('f-unitCost').value = '12.00'")
        browser.submit("form[action='/pos/purchases']")
        browser.wait_for("document.body.textContent.includes('Centro: 10')", what="the stock bought")
        browser.screenshot("09-catalogue")
        browser.open(f"{base}/pos")
        browser.evaluate("document.getElementById('f-branch').value = '1'; document.getElementById('f-name').value = 'Caja de prueba'")
        browser.submit("form[action='/pos/registers']")
        browser.evaluate("var row = Array.from(document.querySelectorAll('main table tbody tr')).find(r => r.textContent.includes('Caja de prueba')); row.querySelector('input[name=float]').value = '500.00'; row.querySelector('form').id = 'open-shift'")
        browser.submit("#open-shift")
        browser.wait_for("location.pathname.endsWith('/sell')", what="the sale screen")
        browser.evaluate("Array.from(document.querySelectorAll('main table tbody tr')).find(r => r.textContent.includes('AGUA-1L')).querySelector('input').value = '2'; document.getElementById('f-pay-cash').value = '60.00'")
        browser.screenshot("10-sale")
        browser.submit("form[action$='/sell']")
        browser.wait_for("location.pathname.startsWith('/pos/sales/')", what="the receipt")
        assert "50.00" in browser.evaluate("document.getElementById('ticket-total').textContent"), "the ticket's total"
        assert "10.00" in browser.evaluate("document.getElementById('ticket-change').textContent"), "the change"
        browser.screenshot("11-receipt")
        browser.open(browser.evaluate("document.getElementById('shift-cut').href"))
        assert "550.00" in browser.evaluate("document.getElementById('expected-cash').textContent"), "float plus the sale"
        browser.evaluate("document.getElementById('f-counted-cash').value = '550.00'; document.getElementById('f-counted-card').value = '0'; document.getElementById('f-counted-transfer').value = '0'")
        browser.submit("form[action$='/close']")
        browser.wait_for("document.querySelector(\"form[action$='/close']\") === null", what="the closed cut")
        assert "0.00" in browser.evaluate("document.getElementById('difference-cash').textContent"), "no difference"
        browser.screenshot("12-cut")

        # The administrator makes a promotion code, then sells a subscription with it on a member's page.
        browser.open(f"{base}/promotions")
        assert browser.evaluate("document.body.textContent.includes('ENERO2X1')"), "the demo's promotion is not listed"
        browser.evaluate("document.getElementById('f-code').value = 'PRUEBA10'; document.getElementById('f-name').value = 'Prueba'; document.getElementById('f-kind').value = 'percent'; document.getElementById('f-value').value = '10'")
        browser.submit("form[action='/promotions']")
        browser.wait_for("location.search === '?done=created' && document.body.textContent.includes('PRUEBA10')", what="the new promotion in the list")
        browser.screenshot("13-promotions")
        browser.open(f"{base}/members?q=Ana")
        browser.evaluate("document.querySelector('main table tbody tr a').click()")
        browser.wait_for("location.pathname.startsWith('/members/') && document.readyState === 'complete'", what="a member page")
        browser.evaluate("const offer = document.getElementById('f-offer'); offer.value = Array.from(offer.options).find(o => o.text.startsWith('Mensual ·') && o.value.endsWith('@1')).value; document.getElementById('f-promotion').value = 'prueba10'")
        browser.submit("form[action$='/enroll']")
        browser.wait_for("document.body.textContent.includes('PRUEBA10')", what="the sale with its promotion on the member page")
        browser.screenshot("14-member-promotion")

        # The administrator registers a webhook (its secret shown once), queues a test event and
        # sees it in the delivery log. Nothing listens on the port, so the delivery waits for a retry.
        # It takes door alarms only: the demo's swipes (attendance) would add rows of their own.
        browser.open(f"{base}/webhooks")
        hook_port = free_port()
        browser.evaluate(f"document.getElementById('f-url').value = 'http://127.0.0.1:{hook_port}/hook'; document.querySelector('input[name=kinds][value=door_alarm]').checked = true")
        browser.submit("form[action='/webhooks']")
        browser.wait_for("document.getElementById('webhook-secret') !== null && /whsec_[0-9a-f]{64}/.test(document.body.textContent)", what="the new webhook's secret")
        browser.screenshot("15-webhook-secret")
        browser.evaluate("document.querySelector('main table tbody tr a').click()")
        browser.wait_for("location.pathname.startsWith('/webhooks/') && document.readyState === 'complete'", what="the webhook's page")
        browser.submit("form[action$='/test']")
        browser.wait_for("location.search === '?done=tested' && document.querySelectorAll('main table tbody tr').length === 1", what="the test event in the delivery log")
        browser.screenshot("16-webhook-deliveries")

        # The chain's configuration: a password length out of bounds is refused beside its field,
        # a good one saved; the page in English and back to Spanish.
        browser.open(f"{base}/chain-settings")
        browser.expected_refusals.add("/chain-settings")
        browser.evaluate("document.getElementById('f-passwordMinimumLength').value = '3'")
        browser.submit("form[action='/chain-settings']")
        assert browser.evaluate("document.querySelector('.invalid #f-passwordMinimumLength') !== null"), "no error beside the password length"
        browser.screenshot("16a-configuration-error")
        browser.evaluate("document.getElementById('f-passwordMinimumLength').value = '8'")
        browser.submit("form[action='/chain-settings']")
        browser.wait_for("location.search === '?done=1'", what="the configuration saved")
        assert browser.evaluate("document.getElementById('f-passwordMinimumLength').value") == "8"
        browser.open(f"{base}/settings")
        browser.evaluate("document.getElementById('f-language').value = 'en'")
        browser.submit("form[action='/settings/language']")
        browser.open(f"{base}/chain-settings")
        assert browser.evaluate("document.body.textContent.includes('Chain configuration')"), "the page in English"
        browser.screenshot("16b-configuration-en")
        # The chain's logo: a PNG chosen in the file field, uploaded, then shown in every page's header.
        logo = os.path.join(ARTIFACTS, "logo.png")
        rows = b"".join(b"\x00" + bytes([31, 111, 139] * 24) for _ in range(24))
        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        with open(logo, "wb") as png:
            png.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 24, 24, 8, 2, 0, 0, 0))
                      + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
        root = browser.call("DOM.getDocument")["root"]["nodeId"]
        field = browser.call("DOM.querySelector", nodeId=root, selector="#f-logo")["nodeId"]
        browser.call("DOM.setFileInputFiles", files=[logo], nodeId=field)
        browser.submit("form[action='/chain-settings/logo']")
        browser.wait_for("(document.querySelector('header a.brand img[src=\"/chain-logo\"]') || {}).naturalWidth === 24", what="the uploaded logo in the header")
        browser.screenshot("16b2-logo")
        browser.open(f"{base}/settings")
        browser.evaluate("document.getElementById('f-language').value = 'es'")
        browser.submit("form[action='/settings/language']")
        browser.wait_for("document.documentElement.lang === 'es'", what="the page in Spanish again")
        browser.open(f"{base}/reports/occupancy")
        assert browser.evaluate("document.body.textContent.includes('Ocupación en vivo')"), "the report in Spanish"
        browser.screenshot("16c-occupancy-es")

        # The reports, in Spanish then in English: the index, each report with its chart or rows,
        # and the download links beside them. The demo's year of sales and visits fills them.
        year_ago = (datetime.date.today() - datetime.timedelta(days=364)).isoformat()
        reports = [
            ("sales", f"?by=month&from={year_ago}", "figure.chart svg rect"),
            ("sales", f"?by=method&from={year_ago}", "main table tbody tr"),
            ("pos", "", "main table"),
            ("attendance", f"?from={year_ago}", "figure.chart svg rect"),
            ("expiring", "?days=60", "main table"),
            ("absent", "?days=7", "main"),
            ("interbranch", f"?from={year_ago}", "main"),
            ("occupancy", "", "main table"),
        ]
        for language, title in (("es", "Reportes"), ("en", "Reports")):
            if language == "en":
                browser.open(f"{base}/settings")
                browser.evaluate("document.getElementById('f-language').value = 'en'")
                browser.submit("form[action='/settings/language']")
                browser.wait_for("document.documentElement.lang === 'en'", what="the page in English")
            browser.open(f"{base}/reports")
            assert browser.evaluate("document.querySelector('h1').textContent") == title, "the reports index"
            assert browser.evaluate("document.querySelectorAll('main ul.reports a').length") >= 6, "the reports listed"
            browser.screenshot(f"16c-reports-{language}")
            for kind, query, selector in reports:
                browser.open(f"{base}/reports/{kind}{query}")
                assert browser.evaluate("document.documentElement.lang") == language
                assert browser.evaluate(f"document.querySelector({json.dumps(selector)}) !== null"), f"{kind} shows {selector}"
                assert browser.evaluate("document.querySelector('a[href*=\"format=xlsx\"]') !== null"), f"{kind} downloads"
                browser.screenshot(f"16d-report-{kind}{query.split('&')[0].replace('?by=', '-') if kind == 'sales' else ''}-{language}")
        browser.open(f"{base}/settings")
        browser.evaluate("document.getElementById('f-language').value = 'es'")
        browser.submit("form[action='/settings/language']")
        browser.wait_for("document.documentElement.lang === 'es'", what="the page in Spanish after the reports")

        # The sale's invoice: listed, printed with the chain as seller.
        browser.open(f"{base}/invoices")
        assert browser.evaluate("document.querySelectorAll('main table tbody tr').length") > 0, "no invoices listed"
        browser.evaluate("document.querySelector('main table tbody tr a').click()")
        browser.wait_for("location.pathname.startsWith('/invoices/') && document.body.textContent.includes('Club Portero SA de CV')", what="a printable invoice")
        browser.screenshot("17-invoice")

        # A member sees their own invoices.
        browser.submit("form[action='/logout']")
        browser.open(f"{base}/my/invoices")
        browser.wait_for("location.pathname === '/login'", what="the sign-in page")
        browser.evaluate(f"document.getElementById('f-login').value = 'cliente.demo'; document.getElementById('f-password').value = {json.dumps(PASSWORD)}")
        browser.submit("form[action='/login']")
        browser.wait_for("location.pathname === '/my/invoices' && document.querySelectorAll('main table tbody tr').length > 0", what="the member's own invoices")
        browser.screenshot("18-my-invoices")

        # The member's phone pass (scripts/browser_pass.py): the phone added, the rotating code read
        # from screenshots by zbar and its signature checked, the pass offline; the desk revokes
        # the phone and the pass says so.
        member, phone, _ = browser_pass.check_pass(browser, base)
        # The code on the screen, read by zbar, typed into a serial QR scanner of an enrolled
        # porterod: it opens the door once; the same code again is spent.
        door = browser_door.ScannerDoor(build, base, work, PASSWORD)
        try:
            code = browser_pass.read_pass(browser, "28c-pass-at-door")
            door.decision(code, member, phone, f"granted user {member}")
            door.wait_for("lock released (relay sim0:4 high)", what="the door opened")
            door.decision(code, member, phone, f"pass.used user {member}")
            unspent = browser_pass.read_pass(browser, "28d-pass-before-revocation")
            staff = Browser(chromium, None, context_of=browser)
            try:
                sign_in(staff, base, "/home", "recepcion.centro")
                browser_pass.revoke_at_desk(staff, base, member, phone)
                browser.problems += staff.problems
            finally:
                staff.close()
            # The revoked phone's code, still within its time, is refused as revoked.
            door.decision(unspent, member, phone, f"credential.revoked user {member}")
            print(f"  phone pass: opened the door once, refused spent and revoked ({len(code)} digits)")
        finally:
            door.close()
        browser_pass.check_revoked(browser, base)
        browser_pass.add_again_and_revoke(browser, base)

        # A guest's day pass (scripts/browser_daypass.py): the Centro desk sells a 2-entry pass to
        # a new guest, its printed ticket is read by zbar, and a scanner door admits the code
        # twice, then refuses it (plan.visit_limit).
        desk = Browser(chromium, None, context_of=browser)
        try:
            sign_in(desk, base, "/home", "recepcion.centro")
            subscription, _ = browser_daypass.check(desk, base, build, work, PASSWORD)
            browser.problems += desk.problems
        finally:
            desk.close()
        print(f"  day pass: subscription {subscription} sold to a guest, printed, granted twice, then refused")

        # An assisted session, from both sides. The support user (SuperAdministrador) first turns on
        # two-step sign-in on their settings page and keeps a recovery code.
        browser.submit("form[action='/logout']")
        sign_in(browser, base, "/settings", "admin")
        browser.submit("form[action='/settings/totp/start']")
        secret = browser.evaluate("document.querySelector('input[name=secret]').value")
        browser.evaluate(f"document.getElementById('f-code').value = {json.dumps(totp(secret))}")
        browser.submit("form[action='/settings/totp']")
        recovery = browser.evaluate("Array.from(document.querySelectorAll('ul.codes li')).map(e => e.textContent.trim())")
        assert len(recovery) == 10, recovery
        # The receptionist, in a browser of her own, is signed in at her desk.
        user = Browser(chromium, None, context_of=browser)
        try:
            sign_in(user, base, "/home", "recepcion.centro")
            assert user.evaluate("document.getElementById('support-banner') === null")
            # The support user asks, proving their own second factor.
            browser.open(f"{base}/support")
            browser.evaluate(f"document.getElementById('f-email').value = 'recepcion.centro@portero.demo'; document.getElementById('f-totp').value = {json.dumps(recovery[0])}")
            browser.submit("form[action='/support']")
            browser.wait_for("/^\\/support\\/\\d+$/.test(location.pathname)", what="the support request's page")
            request_path = browser.evaluate("location.pathname")
            browser.screenshot("19-support-asked")
            # She sees who asks on her page, and enters the code from her email.
            user.open(f"{base}/home")
            user.wait_for("document.getElementById('support-banner') !== null", what="the request's banner")
            user.open(f"{base}/my/support")
            code = support_code(os.path.join(work, "demo-again", "core.sqlite"), "recepcion.centro@portero.demo")
            user.evaluate(f"document.querySelector('form[action$=\"/consent\"] input[name=code]').value = {json.dumps(code)}")
            user.screenshot("20-user-consents")
            user.submit("form[action$='/consent']")
            user.wait_for("location.search === '?done=consent'", what="the consent recorded")
            # The support user enters the same code and is sent home acting for her.
            browser.open(f"{base}{request_path}")
            browser.evaluate(f"document.getElementById('f-code').value = {json.dumps(code)}")
            browser.submit(f"form[action='{request_path}/confirm']")
            browser.wait_for("location.pathname === '/home' && document.getElementById('support-banner') !== null", what="the assisted session's banner on the support side")
            banner = browser.evaluate("document.getElementById('support-banner').textContent")
            assert "Administración" in banner and "Laura" in banner and "—" in banner, banner
            assert browser.evaluate("document.querySelector('a[href=\"/audit\"]') === null"), "the support side keeps its own rights"
            browser.screenshot("21-support-acting")
            user.open(f"{base}/home")
            user.wait_for("document.getElementById('support-banner') !== null && document.getElementById('support-banner').textContent.includes('—')", what="the running session's banner on the user's side")
            user.screenshot("22-user-sees-banner")
            # She ends it, with a reason; the support side finds itself signed out.
            user.open(f"{base}/my/support")
            user.evaluate("document.querySelector('form[action$=\"/end\"] input[name=reason]').value = 'Ya quedó, gracias'")
            user.submit("form[action$='/end']")
            user.wait_for("location.search === '?done=end' && document.getElementById('support-banner') === null", what="the session ended on the user's side")
            browser.open(f"{base}/home")
            browser.wait_for("location.pathname === '/login'", what="the support side signed out at the end")
            browser.screenshot("23-support-ended")
            browser.problems += user.problems
        finally:
            user.close()
        # Staff sign in with the OpenID provider: its own page (its stylesheet is on a CDN the
        # test machine may not reach, it has no icon), then back signed in; the link shows on
        # their settings.
        peer, oidc_core, oidc_base, issuer = start_oidc(build, work)
        try:
            browser.expected_refusals.update(["pico.min.css", f"{issuer}/favicon.ico"])
            browser.open(f"{oidc_base}/login")
            assert browser.evaluate("document.getElementById('oidc-start').textContent.includes('Google')"), \
                "no Sign in with Google button"
            browser.evaluate("document.getElementById('oidc-start').click()")
            browser.wait_for("document.querySelector('input[name=sub]') !== null", what="the provider's page")
            browser.screenshot("24-oidc-provider")
            browser.evaluate("document.querySelector('input[name=sub]').value = 'google-root'; "
                             "document.querySelector('input[name=sub]').form.requestSubmit()")
            browser.wait_for(f"location.href.startsWith({json.dumps(oidc_base + '/home')})",
                             what="home, signed in through the provider")
            browser.open(f"{oidc_base}/settings")
            browser.wait_for("(document.getElementById('oidc-link') || {}).textContent?.includes('root@club.mx')",
                             what="the link on the settings page")
            browser.screenshot("25-oidc-linked")
        finally:
            stop(oidc_core)
            peer.stdin.close()
            peer.wait(timeout=10)

        if browser.problems:
            for problem in browser.problems:
                print("  browser:", problem, file=sys.stderr)
            return 1
        print(f"browser test passed; screenshots in {ARTIFACTS}")
        return 0
    finally:
        browser.close()
        stop(demo)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
