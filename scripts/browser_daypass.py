"""Day and guest passes in the browser test: the Centro receptionist sells a 2-entry pass to a new
guest on /day-passes/new, opens the pass's ticket as it prints (80 mm), zbar reads the QR code
from a screenshot of it, and the code is typed into a serial QR scanner of an enrolled porterod
(scripts/browser_door.py): the door grants it twice, then refuses it with plan.visit_limit.

Python's standard library only; zbarimg (Debian's zbar-tools) is run as a subprocess.
"""
import base64
import json
import os

import browser_door
import browser_pass

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".build", "browser-artifacts")


def make_pass_plan(base, password, branch_name="Centro"):
    """A pass plan as the administrator makes it through the API: 2 entries in 1 day at `branch_name`."""
    headers, session = browser_door._api(base, "POST", "/api/v1/session", {"login": "admin", "password": password})
    cookie, csrf = headers["Set-Cookie"].split(";")[0], session["csrfToken"]
    _, branches = browser_door._api(base, "GET", "/api/v1/branches", cookie=cookie)
    branch = next(b for b in branches if b["name"] == branch_name)
    _, plan = browser_door._api(base, "POST", "/api/v1/plans", {
        "name": "Pase de día 2 entradas", "priceMinor": 15000, "durationDays": 1, "visitsTotal": 2,
        "branches": [branch["id"]],
    }, cookie=cookie, csrf=csrf)
    return plan["id"], branch["id"]


def sell_to_guest(browser, base, plan, branch, name="Invitada del navegador"):
    """On /day-passes/new (signed in at the desk): sells the pass to a new guest; answers the
    subscription and the guest's user id as the pass page shows them."""
    browser.open(f"{base}/day-passes/new")
    assert browser.evaluate(f"document.querySelector('#f-plan option[value=\"{plan}\"]') !== null"), \
        "the pass plan is not offered"
    browser.evaluate(f"document.getElementById('f-plan').value = '{plan}'; "
                     f"document.getElementById('f-branch').value = '{branch}'; "
                     "document.getElementById('holder-guest').checked = true; "
                     "document.getElementById('how-sell').checked = true; "
                     f"document.getElementById('f-guestName').value = {json.dumps(name)}")
    browser.screenshot("32-day-pass-form")
    browser.submit("form[action='/day-passes']")
    browser.wait_for("/^\\/subscriptions\\/\\d+\\/pass$/.test(location.pathname) && "
                     "document.querySelector('#pass-qr svg') !== null", what="the pass's ticket")
    subscription = int(browser.evaluate("location.pathname").split("/")[2])
    holder = browser.evaluate("document.getElementById('pass-holder').textContent")
    assert holder == name, holder
    assert browser.evaluate("document.getElementById('pass-left').textContent") == "2 / 2"
    user = int(browser.evaluate("document.querySelector('main p.noprint a[href^=\"/members/\"]')"
                                ".getAttribute('href')").split("/")[2])
    return subscription, user


def read_ticket(browser, name="33-day-pass-printed"):
    """The ticket as it prints (print media: no menu, the 80 mm receipt alone), read by zbar."""
    browser.call("Emulation.setEmulatedMedia", media="print")
    try:
        assert browser.evaluate("getComputedStyle(document.querySelector('header')).display") == "none", \
            "the menu prints"
        shown = browser.evaluate("document.getElementById('pass-code').textContent")
        picture = base64.b64decode(browser.call("Page.captureScreenshot", format="png")["data"])
    finally:
        browser.call("Emulation.setEmulatedMedia", media="")
    with open(os.path.join(ARTIFACTS, f"{name}.png"), "wb") as file:
        file.write(picture)
    codes = browser_pass.zbar(picture)
    assert codes == [shown], (codes, shown)
    assert len(shown) == 174 and shown.startswith("72"), shown
    return shown


def check_at_door(build, base, work, password, code, subscription, user):
    """The code at a scanner door: granted twice, then refused once its entries are used."""
    door = browser_door.ScannerDoor(build, base, os.path.join(work, "day-pass-door"), password,
                                    device_name="escáner de pases")
    try:
        for count in (1, 2):
            door.scan(code)
            door.wait_for(f"day pass {subscription} granted user {user}", count=count, what=f"entry {count} granted")
        door.scan(code)
        door.wait_for(f"day pass {subscription} plan.visit_limit", what="the third entry refused")
    finally:
        door.close()


def check(browser, base, build, work, password):
    """Sold at the desk (signed in as the Centro receptionist), printed, read, used up at the door."""
    plan, branch = make_pass_plan(base, password)
    subscription, user = sell_to_guest(browser, base, plan, branch)
    code = read_ticket(browser)
    check_at_door(build, base, work, password, code, subscription, user)
    return subscription, code


def main():
    """Only the day pass: a fresh demo, the desk sells it, the door admits it twice."""
    import shutil
    import sys
    import tempfile
    import browser_test as bt
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(bt.ROOT, ".build", "debug")
    os.makedirs(bt.ARTIFACTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="portero-daypass-")
    port = bt.free_port()
    base = f"http://127.0.0.1:{port}"
    demo = bt.start_demo(os.path.join(build, "portero"), port, os.path.join(work, "demo"), True)
    browser = bt.Browser(shutil.which("chromium") or "chromium", os.path.join(work, "profile"))
    try:
        bt.sign_in(browser, base, "/home", "recepcion.centro")
        subscription, code = check(browser, base, build, work, bt.PASSWORD)
        for problem in browser.problems:
            print("  browser:", problem, file=sys.stderr)
        print(f"day pass test {'failed' if browser.problems else 'passed'}: subscription {subscription}, "
              f"{len(code)} digits, granted twice and refused the third time")
        return 1 if browser.problems else 0
    finally:
        browser.close()
        bt.stop(demo)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
