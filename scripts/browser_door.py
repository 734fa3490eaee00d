"""The phone pass at a door, for the browser test: a second controller for the demo's Centro branch
(a real porterod, enrolled with a code the administrator asks the API for, GPIO simulated) with a
serial QR scanner on a pty pair. A code read from the member's screen by zbar is typed into the
scanner as a serial scanner sends it (the digits, then CR LF); the daemon's log tells the decision.

Python's standard library only.
"""
import json
import os
import subprocess
import time
import urllib.request


def _api(base, method, path, body=None, cookie=None, csrf=None):
    request = urllib.request.Request(f"{base}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if cookie:
        request.add_header("Cookie", cookie)
    if csrf:
        request.add_header("X-CSRF-Token", csrf)
    with urllib.request.urlopen(request) as answer:
        return answer.headers, json.loads(answer.read() or b"null")


class ScannerDoor:
    """porterod with one door of Centro and a serial QR scanner the test types into."""

    def __init__(self, build, base, work, password, branch_name="Centro", device_name="escáner QR"):
        headers, session = _api(base, "POST", "/api/v1/session", {"login": "admin", "password": password})
        cookie = headers["Set-Cookie"].split(";")[0]
        csrf = session["csrfToken"]
        _, branches = _api(base, "GET", "/api/v1/branches", cookie=cookie)
        branch = next(b for b in branches if b["name"] == branch_name)
        _, device = _api(base, "POST", "/api/v1/devices", {"branch": branch["id"], "name": device_name},
                         cookie=cookie, csrf=csrf)
        self.master, slave = os.openpty()
        self.slave = slave
        directory = os.path.join(work, "scanner-door")
        os.makedirs(directory, exist_ok=True)
        config = os.path.join(directory, "porterod.json")
        with open(config, "w") as file:
            json.dump({
                "branch": {"id": branch["id"], "time_zone": branch["timeZone"]},
                "data_directory": os.path.join(directory, "data"),
                "pin_key_file": os.path.join(directory, "pin.key"),
                "core": {"url": base + "/", "token_file": os.path.join(directory, "device.token")},
                "status": {"socket": os.path.join(directory, "status.sock")},
                "doors": [{"id": 1, "pulse_ms": 300, "relay": {"chip": "sim0", "line": 4, "kind": "fail_secure"}}],
                "readers": [{"name": "qr", "kind": "scanner", "device": os.ttyname(slave), "door": 1}],
            }, file)
        daemon = os.path.join(build, "porterod")
        subprocess.run([daemon, "enroll", "--config", config, "--code", device["enrollmentCode"]], check=True,
                       capture_output=True)
        self.log_path = os.path.join(directory, "porterod.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([daemon, "--config", config, "--simulate-gpio"], stdout=subprocess.DEVNULL,
                                        stderr=self.log)
        self.wait_for("settings from headquarters", what="the door's settings from the core")
        self.wait_for("reader qr: open", what="the scanner open")

    def text(self):
        with open(self.log_path) as file:
            return file.read()

    def wait_for(self, needle, count=1, timeout=15, what=None):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.text().count(needle) >= count:
                return
            time.sleep(0.05)
        raise AssertionError(f"porterod: no {what or needle!r} in its log:\n{self.text()[-2000:]}")

    def scan(self, code):
        os.write(self.master, (code + "\r\n").encode())

    def decision(self, code, member, phone, reason, count=1):
        """Scans `code` and waits for the door's decision with `reason` (the count-th such)."""
        self.scan(code)
        self.wait_for(f"phone pass of user {member} phone {phone} {reason}", count=count,
                      what=f"the decision {reason}")

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        os.close(self.master)
        os.close(self.slave)
