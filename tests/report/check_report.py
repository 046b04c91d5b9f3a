#!/usr/bin/python3
"""Renders `hashmatch eval` HTML reports in headless Chromium and checks them
as a reader would see them.

    check_report.py HASHMATCH WORKDIR [IMAGES...]

Builds an fpr + robustness + roc report and an account report on the images
(default: the repository's demo photos), opens each page in Chromium through
the DevTools protocol (over a pipe: no extra Python package) and asserts:
the page loads with no console error or exception and no script; every
figure is an SVG with a visible size holding its axis labels, log-scale decade
ticks and data; every standalone NAME.svg parses as SVG in the browser and
every NAME.csv has the documented header. A full-page screenshot of each
report is saved in WORKDIR (look at it). Exits 77 (skipped) when Chromium is
not installed.
"""
import base64
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--hide-scrollbars", "--remote-debugging-pipe"]


class Browser:
    """A Chromium driven through --remote-debugging-pipe (fd 3: commands in,
    fd 4: replies out; messages are JSON terminated by NUL)."""

    def __init__(self, exe, profile):
        cmd_r, self.cmd_w = os.pipe()
        self.out_r, out_w = os.pipe()

        def fds():  # in the child: the pipe ends become fds 3 and 4, kept across exec
            a, b = os.dup(cmd_r), os.dup(out_w)
            os.dup2(a, 3)
            os.dup2(b, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.proc = subprocess.Popen([exe] + CHROMIUM_FLAGS + ["--user-data-dir=" + profile, "about:blank"],
                                     close_fds=False, preexec_fn=fds,
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(profile, "stderr.log"), "w"))
        os.close(cmd_r)
        os.close(out_w)
        self.log = os.path.join(profile, "stderr.log")
        self.buf = b""
        self.next_id = 0
        self.events = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(domain + ".enable", session=True)

    def _read(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("no reply from chromium")
            chunk = os.read(self.out_r, 1 << 16)
            if not chunk:
                with open(self.log) as f:
                    raise RuntimeError("chromium closed the pipe:\n" + f.read()[-2000:])
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, session=False, timeout=30, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, name, timeout=30):
        deadline = time.time() + timeout
        for k, e in enumerate(self.events):
            if e.get("method") == name:
                return self.events.pop(k)
        while True:
            e = self._read(deadline)
            if e.get("method") == name:
                return e
            self.events.append(e)

    def load(self, url):
        self.events = []
        self.call("Page.navigate", session=True, url=url)
        self.wait_event("Page.loadEventFired")

    def eval(self, expr):
        r = self.call("Runtime.evaluate", session=True, expression=expr, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError("evaluate failed: %s" % r["exceptionDetails"])
        return r["result"].get("value")

    def errors(self):
        bad = []
        for e in self.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.exceptionThrown":
                bad.append(p["exceptionDetails"].get("text"))
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                bad.append(str(p.get("args")))
            elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
                bad.append(p["entry"].get("text"))
        return bad

    def screenshot(self, path, width=1150):
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=600,
                  deviceScaleFactor=1, mobile=False)
        height = self.eval("document.documentElement.scrollHeight")
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        shot = self.call("Page.captureScreenshot", session=True, format="png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


FIGURE_PROBE = """JSON.stringify({
  scripts: document.querySelectorAll('script').length,
  title: document.title,
  figures: [...document.querySelectorAll('figure')].map(f => {
    const s = f.querySelector('svg'), r = s ? s.getBoundingClientRect() : {width: 0, height: 0};
    return {id: f.id, w: r.width, h: r.height,
            text: s ? [...s.querySelectorAll('text')].map(t => t.textContent) : [],
            marks: s ? s.querySelectorAll('path,polyline,rect,circle').length : 0,
            links: [...f.querySelectorAll('figcaption a')].map(a => a.getAttribute('href'))};
  }),
  tables: document.querySelectorAll('table').length,
  text: document.body.innerText})"""


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def run(cli, args):
    r = subprocess.run([cli] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode:
        raise AssertionError("%s exited %d: %s" % (" ".join(args[:2]), r.returncode, r.stderr))


def start_browser(exe):
    """Chromium, started again once if the first start fails (say why)."""
    for attempt in (1, 2):
        profile = tempfile.mkdtemp(prefix="hm-chromium-")
        try:
            return Browser(exe, profile), profile
        except (RuntimeError, TimeoutError) as e:
            print("chromium start %d failed: %s" % (attempt, e), file=sys.stderr)
            shutil.rmtree(profile, ignore_errors=True)
            if attempt == 2:
                raise


def check_page(b, report_dir, expect_figures, shot):
    b.load("file://" + os.path.abspath(report_dir) + "/index.html")
    info = json.loads(b.eval(FIGURE_PROBE))
    check(not b.errors(), "console errors: %s" % b.errors())
    check(info["scripts"] == 0, "the report holds no script")
    ids = [f["id"] for f in info["figures"]]
    for name in expect_figures:
        check(name in ids, "figure %s missing (have %s)" % (name, ids))
    for f in info["figures"]:
        check(f["w"] > 200 and f["h"] > 150, "%s is drawn with a visible size (%sx%s)" % (f["id"], f["w"], f["h"]))
        check(f["marks"] >= 3, "%s draws data" % f["id"])
        check(f["links"] == [f["id"] + ".svg", f["id"] + ".csv"], "%s links its SVG and CSV" % f["id"])
        labels = " ".join(f["text"])
        if f["id"].startswith("histogram-"):
            check("Hamming distance (bits)" in labels and "fraction of pairs (log scale)" in labels,
                  "%s has axis labels with units" % f["id"])
            check(sum(t.startswith("10") and len(t) > 2 for t in f["text"]) >= 1 and "1" in f["text"],
                  "%s has labelled decade ticks: %s" % (f["id"], f["text"]))
        if f["id"] == "roc":
            check("recall of edited copies (%)" in labels and "log scale" in labels, "roc axis labels")
        if f["id"] == "account":
            check("log scale" in labels and "K = " in labels, "account axis labels")
    b.screenshot(shot)
    # each standalone figure parses as SVG on its own; each CSV has a header
    for f in info["figures"]:
        b.load("file://" + os.path.abspath(report_dir) + "/" + f["id"] + ".svg")
        root = b.eval("document.documentElement.tagName + '/' + document.getElementsByTagName('parsererror').length")
        check(root == "svg/0", "%s.svg is well-formed SVG (%s)" % (f["id"], root))
        check(not b.errors(), "%s.svg: %s" % (f["id"], b.errors()))
        with open(os.path.join(report_dir, f["id"] + ".csv"), newline="") as fh:
            rows = list(csv.reader(fh))
        check(len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows), "%s.csv is a table" % f["id"])
    return info


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cli, work = sys.argv[1], sys.argv[2]
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        print("chromium not found: skipped")
        return 77
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    images = sys.argv[3:] or [os.path.join(repo, "demo", "images"), os.path.join(repo, "demo", "inbox")]
    os.makedirs(work, exist_ok=True)
    fpr, rob = os.path.join(work, "fpr.json"), os.path.join(work, "rob.json")
    report, account = os.path.join(work, "report"), os.path.join(work, "account")
    run(cli, ["eval", "fpr", "-q", "-r", "--json", "--dihedral", "-o", fpr] + images)
    run(cli, ["eval", "robustness", "-q", "-r", "--json", "--dihedral", "--transforms",
              "jpeg:50,scale:0.5,crop:10,rotate:5,flip,noise:10,overlay:15", "-o", rob] + images)
    run(cli, ["eval", "roc", "-q", "--fpr", fpr, "--robustness", rob, "--report", report,
              "-o", os.path.join(work, "roc.csv")])
    run(cli, ["eval", "account", "-q", "--fpr", fpr, "--algo", "dhash", "--distance", "20",
              "--images-per-account", "5", "--threshold", "2", "--trials", "2000",
              "--report", account, "-o", os.path.join(work, "account.txt")])
    algos = ["pdq", "ahash", "dhash", "phash", "whash", "pdq_dihedral"]
    b, profile = start_browser(exe)
    try:
        info = check_page(b, report, ["histogram-" + a for a in algos] + ["roc", "recall"],
                          os.path.join(work, "report.png"))
        check("Closest pairs of different images" in info["text"], "the closest-pairs table")
        check("canal-copy.jpg" in info["text"], "paths of the closest pair shown")
        check_page(b, account, ["account"], os.path.join(work, "account.png"))
    finally:
        b.close()
        shutil.rmtree(profile, ignore_errors=True)
    print("reports render: %s/report.png, %s/account.png" % (work, work))
    return 0


if __name__ == "__main__":
    sys.exit(main())
