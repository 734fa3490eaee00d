"""The member's phone pass in the browser test: the page's QR encoder against zbar, a phone added
on /my/pass in a phone's viewport, the rotating code read back from screenshots with zbarimg and
its signature checked against the public key the core holds, the pass offline (renewed there too),
the phone revoked at the desk, then added again and revoked by the member.

Alone, against a fresh demo: `python3 scripts/browser_pass.py .build/debug`.

`read_pass(browser)` answers the code on the screen now, as a door's scanner would read it.
Python's standard library only; zbarimg (Debian's zbar-tools) is run as a subprocess.
"""
import base64
import hashlib
import json
import os
import subprocess
import tempfile
import time

# NIST P-256 (FIPS 186-4, D.1.2.3): the field, the curve's b, the base point and its order.
P = 2**256 - 2**224 + 2**192 + 2**96 - 1
B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
     0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def _add(p, q):
    """Affine point addition on y² = x³ − 3x + b (None is the point at infinity)."""
    if p is None:
        return q
    if q is None:
        return p
    if p[0] == q[0] and (p[1] + q[1]) % P == 0:
        return None
    if p == q:
        slope = (3 * p[0] * p[0] - 3) * pow(2 * p[1], -1, P) % P
    else:
        slope = (q[1] - p[1]) * pow(q[0] - p[0], -1, P) % P
    x = (slope * slope - p[0] - q[0]) % P
    return x, (slope * (p[0] - x) - p[1]) % P


def _times(k, point):
    result = None
    while k:
        if k & 1:
            result = _add(result, point)
        point = _add(point, point)
        k >>= 1
    return result


def _unbase64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify(code, x, y):
    """True when the 196-digit `code` carries a valid ECDSA P-256 SHA-256 signature of its first
    36 digits by the key whose JWK coordinates are `x` and `y`."""
    digits, groups = code[:36], code[36:]
    signature = b"".join(int(groups[i:i + 10]).to_bytes(4, "big") for i in range(0, 160, 10))
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    key = (int.from_bytes(_unbase64url(x), "big"), int.from_bytes(_unbase64url(y), "big"))
    assert (key[1] ** 2 - key[0] ** 3 + 3 * key[0] - B) % P == 0, "the phone's key is not on P-256"
    if not (0 < r < N and 0 < s < N):
        return False
    e = int.from_bytes(hashlib.sha256(b"portero-pass:" + digits.encode()).digest(), "big")
    w = pow(s, -1, N)
    point = _add(_times(e * w % N, G), _times(r * w % N, key))
    return point is not None and point[0] % N == r


def zbar(png_or_pgm):
    """The texts zbarimg reads in a picture (PNG or PGM bytes)."""
    with tempfile.NamedTemporaryFile(suffix=".img") as picture:
        picture.write(png_or_pgm)
        picture.flush()
        found = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", picture.name],
                               capture_output=True, text=True)
    return [line for line in found.stdout.splitlines() if line]


def check_encoder(browser):
    """The page's own QR encoder (numeric mode for digits, byte mode otherwise) against zbar, for
    lengths across versions 1 to 10."""
    texts = ["7", "12345", "0" * 41, "9" * 77, "71" + "0123456789" * 19 + "5432", "3" * 395,
             "https://portero.example/my/pass", "x" * 200]
    for text in texts:
        rows = browser.evaluate(f"PorteroQR.encode({json.dumps(text)})")
        scale, size = 4, len(rows)
        full = (size + 8) * scale
        pixels = bytearray()
        for row in range(full):
            for column in range(full):
                y, x = row // scale - 4, column // scale - 4
                pixels.append(0 if 0 <= y < size and 0 <= x < size and rows[y][x] else 255)
        assert zbar(f"P5\n{full} {full}\n255\n".encode() + bytes(pixels)) == [text], f"QR of {text[:20]}… ({size})"
    size = len(browser.evaluate("PorteroQR.encode('7' + '1'.repeat(195))"))
    assert size == 37, f"196 digits fill a version {(size - 17) // 4} code, not 5"


def read_pass(browser, name="pass"):
    """The code the pass shows now, read from a screenshot of the page with zbarimg."""
    browser.wait_for("document.querySelector('#pass-code svg') !== null", what="the pass's QR code")
    shown = browser.evaluate("document.getElementById('pass-code').getAttribute('data-code')")
    data = browser.call("Page.captureScreenshot", format="png")["data"]
    picture = base64.b64decode(data)
    with open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".build",
                           "browser-artifacts", f"{name}.png"), "wb") as file:
        file.write(picture)
    after = browser.evaluate("document.getElementById('pass-code').getAttribute('data-code')")
    codes = zbar(picture)
    assert len(codes) == 1, f"zbar read {codes} from the pass"
    # The code on the screen: the one shown before the screenshot or, renewed meanwhile, after it.
    assert codes[0] in (shown, after), (codes[0], shown, after)
    return codes[0]


def phone_viewport(browser):
    """A phone's screen: 390×844 CSS pixels at 3× with touch."""
    browser.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=3, mobile=True)


def desktop_viewport(browser):
    browser.call("Emulation.clearDeviceMetricsOverride")


def add_phone(browser, base, name="Teléfono de prueba"):
    """On /my/pass (signed in as a member with no phone here): adds this phone, waits for the
    pass, and answers (member, phone) as the page knows them."""
    browser.open(f"{base}/my/pass")
    browser.wait_for("document.getElementById('pass-state').textContent === "
                     "document.getElementById('pass').getAttribute('data-nokey')", what="the pass without a key")
    check_encoder(browser)
    browser.evaluate(f"document.getElementById('f-name').value = {json.dumps(name)}")
    before = browser.loads
    browser.evaluate("document.querySelector('#pass-add button[type=submit]').click()")
    browser.wait_for_load(before, "the page after adding the phone")
    browser.wait_for("location.search === '?done=added' && document.querySelector('#pass-code svg') !== null",
                     what="the pass after adding the phone")
    assert browser.evaluate("document.getElementById('pass-add').hidden"), "the add form shows beside a pass"
    member = browser.evaluate("document.getElementById('pass').getAttribute('data-member')")
    phone = browser.evaluate("document.querySelector('.phones li.this-phone').getAttribute('data-phone')")
    return int(member), int(phone)


def check_pass(browser, base):
    """Adds the phone as the signed-in member, reads two successive codes from screenshots, checks
    each against the member, the phone, the clock and the public key, then the pass offline.
    Answers (member, phone, the last code read)."""
    phone_viewport(browser)
    # The phone's clock is an hour slow: the codes carry the core's time all the same, offline too.
    skew = browser.call("Page.addScriptToEvaluateOnNewDocument",
                        source="(function (now) { Date.now = function () { return now() - 3600000; }; })(Date.now);")
    member, phone = add_phone(browser, base)
    assert browser.evaluate("Date.now() / 1000") < time.time() - 3500, "the phone's clock is not slow"
    me = browser.evaluate("fetch('/api/v1/me').then(r => r.json())")
    assert int(me["id"]) == member, (me["id"], member)
    shown_name = browser.evaluate("document.querySelector('#pass h2').textContent")
    assert shown_name.startswith(f"{me['name']} {me['paternalSurname']}"), (shown_name, me)
    countdown = browser.evaluate("document.getElementById('pass-countdown').textContent")
    assert countdown in ("1", "2", "3", "4", "5"), f"countdown {countdown!r}"
    keys = browser.evaluate("fetch('/api/v1/me/phones').then(r => r.json())")
    key = next(k for k in keys if int(k["id"]) == phone)
    first = read_pass(browser, "26-pass")
    now = int(time.time())
    for code in (first,):
        assert len(code) == 196 and code.isdigit() and code.startswith("71"), code
        assert code[2:14] == f"{member:012d}" and code[14:26] == f"{phone:012d}", code[:36]
        assert abs(int(code[26:36]) - now) <= 10, (code[26:36], now)
        assert verify(code, key["x"], key["y"]), "the code's signature does not verify"
    browser.wait_for(f"document.getElementById('pass-code').getAttribute('data-code') !== {json.dumps(first)}",
                     timeout=12, what="a new code")
    second = read_pass(browser, "27-pass-renewed")
    assert int(second[26:36]) > int(first[26:36]) and verify(second, key["x"], key["y"]), second[:36]
    # Offline: the page, its script and styles come from the service worker's copy.
    browser.wait_for("navigator.serviceWorker.controller !== null", what="the service worker in charge")
    browser.call("Network.emulateNetworkConditions", offline=True, latency=0, downloadThroughput=-1,
                 uploadThroughput=-1)
    try:
        browser.open(f"{base}/my/pass")
        offline = read_pass(browser, "28-pass-offline")
        assert verify(offline, key["x"], key["y"]) and offline[14:26] == f"{phone:012d}", offline[:36]
        assert abs(int(offline[26:36]) - time.time()) <= 10, (offline[26:36], time.time())
        assert browser.evaluate("document.querySelector('main .notice') === null"), "the offline copy has a notice"
        browser.wait_for(f"document.getElementById('pass-code').getAttribute('data-code') !== {json.dumps(offline)}",
                         timeout=12, what="a new code offline")
        renewed = read_pass(browser, "28b-pass-offline-renewed")
        assert int(renewed[26:36]) > int(offline[26:36]) and verify(renewed, key["x"], key["y"]), renewed[:36]
    finally:
        browser.call("Network.emulateNetworkConditions", offline=False, latency=0, downloadThroughput=-1,
                     uploadThroughput=-1)
    browser.call("Page.removeScriptToEvaluateOnNewDocument", identifier=skew["identifier"])
    desktop_viewport(browser)
    return member, phone, second


def revoke_at_desk(staff, base, member, phone):
    """Staff revoke the phone on the member's page; it shows revoked there."""
    staff.open(f"{base}/members/{member}")
    selector = f"#phones form[action='/members/{member}/phones/{phone}/revoke']"
    assert staff.evaluate(f"document.querySelector({json.dumps(selector)}) !== null"), "no revoke button"
    staff.submit(selector)
    staff.wait_for(f"location.search === '?done=phone' && "
                   f"document.querySelector('#phones li[data-phone=\"{phone}\"][data-revoked]') !== null",
                   what="the phone revoked on the member's page")
    staff.screenshot("29-phone-revoked-at-desk")


def check_revoked(browser, base):
    """The member's pass says the phone is revoked and shows no code."""
    browser.open(f"{base}/my/pass")
    browser.wait_for("document.getElementById('pass-state').textContent === "
                     "document.getElementById('pass').getAttribute('data-revoked')", what="the pass revoked")
    assert browser.evaluate("document.querySelector('#pass-code svg') === null"), "a revoked phone shows a code"
    browser.screenshot("30-pass-revoked")


def add_again_and_revoke(browser, base):
    """After a revocation the member adds the phone again (a new key, a new phone id) and then
    revokes it on /my/pass; the pass says so."""
    browser.evaluate("document.getElementById('f-name').value = 'Otra vez'")
    before = browser.loads
    browser.evaluate("document.querySelector('#pass-add button[type=submit]').click()")
    browser.wait_for_load(before, "the page after adding the phone again")
    browser.wait_for("document.querySelector('#pass-code svg') !== null", what="the pass with the new key")
    phone = browser.evaluate("document.querySelector('.phones li.this-phone').getAttribute('data-phone')")
    assert read_pass(browser, "31-pass-added-again")[14:26] == f"{int(phone):012d}"
    browser.submit(f"form[action='/my/pass/phones/{phone}/revoke']")
    browser.wait_for("location.search === '?done=revoked' && document.getElementById('pass-state').textContent === "
                     "document.getElementById('pass').getAttribute('data-revoked')", what="the pass revoked by the member")
    assert browser.evaluate("document.querySelector('#pass-code svg') === null"), "a revoked phone shows a code"


def main():
    """Only the pass: a fresh demo, the member adds the phone, the desk revokes it. Prints the code
    read while the phone was active."""
    import shutil
    import sys
    import browser_test as bt
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(bt.ROOT, ".build", "debug")
    os.makedirs(bt.ARTIFACTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="portero-pass-")
    port = bt.free_port()
    base = f"http://127.0.0.1:{port}"
    demo = bt.start_demo(os.path.join(build, "portero"), port, os.path.join(work, "demo"), True)
    browser = bt.Browser(shutil.which("chromium") or "chromium", os.path.join(work, "profile"))
    try:
        bt.sign_in(browser, base, "/my", "cliente.demo")
        assert browser.evaluate("document.querySelector('a[href=\\'/my/pass\\']') !== null"), "no link on /my"
        member, phone, code = check_pass(browser, base)
        staff = bt.Browser(None, None, context_of=browser)
        try:
            bt.sign_in(staff, base, "/home", "recepcion.centro")
            revoke_at_desk(staff, base, member, phone)
            browser.problems += staff.problems
        finally:
            staff.close()
        check_revoked(browser, base)
        add_again_and_revoke(browser, base)
        for problem in browser.problems:
            print("  browser:", problem, file=sys.stderr)
        print(f"pass test {'failed' if browser.problems else 'passed'}; a code read: {code}")
        return 1 if browser.problems else 0
    finally:
        browser.close()
        bt.stop(demo)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
