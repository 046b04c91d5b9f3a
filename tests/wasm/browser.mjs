// browser.mjs - the page (web/, assembled by scripts/wasm.sh in
// build/wasm/site) in headless Chromium, driven through the DevTools protocol
// over a pipe (no driver library needed):
//   - serves the site on 127.0.0.1 and records every request the page and
//     its worker make (DevTools Network events) and every request the
//     server receives;
//   - the demo set verifies by default; a tampered set is refused;
//   - the demo inbox images, given to the file input, give exactly the
//     matches of the native `hashmatch scan` on the same files, and the page
//     shows each match's distance and category;
//   - keyboard only: Tab reaches every control in order, Enter on "scan the
//     demo images" scans them again with the same results;
//   - every control has a label; every text has a contrast ratio >= 4.5;
//   - no request goes anywhere but the page's origin, and the server saw only
//     the site's own files;
//   - a screenshot of the results is saved (--out, default build/wasm/test).
//
//   node tests/wasm/browser.mjs [--site DIR] [--cli PATH] [--chromium PATH] [--out DIR]
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';
import { Checker, SOURCE_DIR, isImageName, listFiles, nativeJson, options } from './common.mjs';

const opt = options({
  site: join(SOURCE_DIR, 'build/wasm/site'),
  cli: join(SOURCE_DIR, 'build/release/hashmatch'),
  chromium: process.env.CHROMIUM || '/usr/bin/chromium',
  out: join(SOURCE_DIR, 'build/wasm/test'),
  timeout: '120',
});
const SITE = resolve(opt.site);
const TIMEOUT_MS = Number(opt.timeout) * 1000;
const check = new Checker();
mkdirSync(opt.out, { recursive: true });

// ---- a static server for the site ----------------------------------------------

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json',
  '.jpg': 'image/jpeg', '.txt': 'text/plain; charset=utf-8', '.hmset': 'application/octet-stream',
};
const served = [];
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  served.push(path);
  const file = normalize(join(SITE, path === '/' ? 'index.html' : path));
  let ok = file.startsWith(SITE + sep);
  try { ok = ok && statSync(file).isFile(); } catch { ok = false; }
  if (!ok) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
  res.end(readFileSync(file));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const ORIGIN = `http://127.0.0.1:${server.address().port}`;

// ---- Chromium and the DevTools protocol over a pipe ------------------------------------

const profile = mkdtempSync(join(tmpdir(), 'hm-chromium-'));
const chromeArgs = [
  '--headless=new', '--disable-gpu', '--disable-quic', '--no-first-run', '--no-default-browser-check',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions',
  '--disable-default-apps', '--disable-features=Translate,OptimizationHints,MediaRouter',
  // Nothing outside this machine can be reached even by the browser itself;
  // requests the page might attempt are still recorded.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  `--user-data-dir=${profile}`, '--remote-debugging-pipe', '--window-size=1100,900', 'about:blank',
];
if (process.getuid && process.getuid() === 0) chromeArgs.unshift('--no-sandbox');
const chrome = spawn(opt.chromium, chromeArgs, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
let chromeLog = '';
chrome.stdio[2].on('data', (d) => {
  // (its complaints about the missing D-Bus of a headless machine aside)
  const lines = String(d).split('\n').filter((l) => l && !/dbus/i.test(l));
  if (lines.length) chromeLog = `${chromeLog}${lines.join('\n')}\n`.slice(-4000);
});

class Cdp {
  constructor(proc) {
    this.out = proc.stdio[3];
    this.id = 0;
    this.pending = new Map();
    this.listeners = [];
    let buf = Buffer.alloc(0);
    proc.stdio[4].on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (let i = buf.indexOf(0); i >= 0; i = buf.indexOf(0)) {
        const msg = JSON.parse(buf.subarray(0, i).toString('utf8'));
        buf = buf.subarray(i + 1);
        this.dispatch(msg);
      }
    });
  }
  send(method, params = {}, sessionId = undefined) {
    const id = ++this.id;
    this.out.write(`${JSON.stringify({ id, method, params, sessionId })}\0`);
    return new Promise((res, rej) => this.pending.set(id, { res, rej, method }));
  }
  dispatch(msg) {
    if (msg.id) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p.rej(new Error(`${p.method}: ${msg.error.message}`));
      else p.res(msg.result);
    } else {
      for (const l of this.listeners) l(msg);
    }
  }
  on(fn) { this.listeners.push(fn); }
}

const cdp = new Cdp(chrome);
const requests = []; // every URL the page or its worker asked for
const blocked = []; // what the page's Content-Security-Policy refused (never sent)
cdp.on((m) => {
  if (m.method === 'Network.requestWillBeSent') requests.push(m.params.request.url);
  if (m.method === 'Log.entryAdded' && /Content Security Policy/.test(m.params.entry.text)) blocked.push(m.params.entry.text);
  if (m.method === 'Target.attachedToTarget') { // the worker: record it too, then let it run
    const s = m.params.sessionId;
    cdp.send('Network.enable', {}, s)
      .then(() => cdp.send('Runtime.runIfWaitingForDebugger', {}, s)).catch(() => {});
  }
});

const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
const { sessionId: S } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
const page = (method, params) => cdp.send(method, params, S);
await page('Network.enable');
await page('Page.enable');
await page('Runtime.enable');
await page('Log.enable');
await page('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true });

async function evaluate(expression) {
  const r = await page('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
  if (r.exceptionDetails) throw new Error(`${expression}: ${r.exceptionDetails.exception?.description || r.exceptionDetails.text}`);
  return r.result.value;
}

async function waitFor(expression, what) {
  const t0 = Date.now();
  for (;;) {
    if (await evaluate(expression)) return;
    if (Date.now() - t0 > TIMEOUT_MS) {
      const state = await evaluate('document.body && document.body.dataset.state + " / " + document.getElementById("set-status").textContent');
      throw new Error(`timed out waiting for ${what} (page: ${state})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
const stateIs = (s) => `!!document.body && document.body.dataset.state === ${JSON.stringify(s)}`;

async function setFiles(selector, files) {
  const { root } = await page('DOM.getDocument', {});
  const { nodeId } = await page('DOM.querySelector', { nodeId: root.nodeId, selector });
  await page('DOM.setFileInputFiles', { nodeId, files });
}

async function press(key) {
  const codes = { Tab: 9, Enter: 13 };
  const base = { key, code: key, windowsVirtualKeyCode: codes[key], nativeVirtualKeyCode: codes[key] };
  await page('Input.dispatchKeyEvent', { type: 'keyDown', ...base, ...(key === 'Enter' ? { text: '\r' } : {}) });
  await page('Input.dispatchKeyEvent', { type: 'keyUp', ...base });
}

// ---- the checks ---------------------------------------------------------------------

const inbox = listFiles(join(SOURCE_DIR, 'demo/inbox'), isImageName);
const nativeScan = nativeJson(resolve(opt.cli), ['scan', '--json', '-q', '--set', join(SOURCE_DIR, 'demo/demo.hmset'),
  '--trust', join(SOURCE_DIR, 'demo/trust.txt'), ...inbox]);

function compareResults(how, results) {
  check.equal(`${how}: the images in order`, results.map((r) => r.name), inbox.map((f) => basename(f)));
  for (const f of inbox) {
    const got = results.find((r) => r.name === basename(f));
    const want = { ...nativeScan.get(f) };
    delete want.path;
    if (!check.ok(`${how}: ${basename(f)} scanned`, got && got.report, JSON.stringify(got))) continue;
    const { hashes, ...report } = got.report;
    check.equal(`${how}: ${basename(f)} against \`hashmatch scan --json\``, report, want);
  }
}

// What the cards show: one table row per match with its distance and
// category, and the badge.
const SHOWN = `[...document.querySelectorAll('#results .card')].map((c) => ({
  name: c.dataset.file, badge: c.querySelector('.badge').textContent,
  rows: [...c.querySelectorAll('table.matches tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent)) }))`;

function compareShown(shown) {
  for (const f of inbox) {
    const want = nativeScan.get(f);
    const card = shown.find((c) => c.name === basename(f));
    const rows = want.matches.map((m) => [m.algo, String(m.distance), m.category, m.external_id || '—', String(m.entry)]);
    check.equal(`page shows ${basename(f)}'s matches (algorithm, distance, category, id, entry)`, card?.rows, rows);
    check.equal(`page badge of ${basename(f)}`, card?.badge, want.matches.length ? `match (${want.matches.length})` : 'no match');
  }
}

// Every text node's colour against the first opaque background behind it.
const CONTRAST = `(() => {
  const rgb = (s) => (s.match(/[0-9.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const bg = (e) => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length === 3 || c[3] > 0.5) return c.slice(0, 3); } return [255, 255, 255]; };
  const worst = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const e = n.parentElement;
    if (!n.textContent.trim() || !e.offsetParent && getComputedStyle(e).position !== 'fixed') continue;
    const a = lum(rgb(getComputedStyle(e).color)), b = lum(bg(e));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) worst.push(e.tagName + '.' + e.className + ': ' + ratio.toFixed(2) + ' ' + n.textContent.trim().slice(0, 30));
  }
  return worst;
})()`;

const UNLABELLED = `[...document.querySelectorAll('input, button, select, textarea, progress')].filter((e) =>
  !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby') &&
  !e.textContent.trim()).map((e) => e.id || e.outerHTML.slice(0, 60))`;

const t0 = Date.now();
try {
  await page('Emulation.setDeviceMetricsOverride', { width: 1100, height: 900, deviceScaleFactor: 1, mobile: false });
  await page('Page.navigate', { url: `${ORIGIN}/index.html` });
  await waitFor(stateIs('ready'), 'the demo set to verify');
  const setStatus = await evaluate('document.getElementById("set-status").textContent');
  check.ok('the demo set verifies', /^Verified/.test(setStatus), setStatus);
  check.equal('the page shows the demo set digest', await evaluate('document.getElementById("set-digest").textContent'),
    JSON.parse((await import('node:child_process')).execFileSync(resolve(opt.cli),
      ['set', 'inspect', '--json', join(SOURCE_DIR, 'demo/demo.hmset')], { encoding: 'utf8' })).digest);

  // A tampered set is refused, then the demo set is chosen again.
  const tmp = mkdtempSync(join(tmpdir(), 'hm-browser-'));
  const bad = Uint8Array.from(readFileSync(join(SOURCE_DIR, 'demo/demo.hmset')));
  bad[300] ^= 4;
  writeFileSync(join(tmp, 'tampered.hmset'), bad);
  await setFiles('#set-file', [join(tmp, 'tampered.hmset')]);
  await waitFor(stateIs('refused'), 'the tampered set to be refused');
  const refused = await evaluate('document.getElementById("set-status").textContent');
  check.ok('a tampered set is refused with set_digest', /^Refused.*set_digest/.test(refused), refused);
  rmSync(tmp, { recursive: true, force: true });
  await evaluate('document.getElementById("demo-set").click()');
  await waitFor(stateIs('ready'), 'the demo set to verify again');

  // The demo inbox through the file input, as a user picks files.
  await setFiles('#images', inbox);
  await waitFor(stateIs('done'), 'the images to be scanned');
  compareResults('file input', await evaluate('window.hashmatchResults'));
  compareShown(await evaluate(SHOWN));
  const progress = await evaluate('[document.getElementById("progress").value, document.getElementById("progress").max, document.getElementById("progress-text").textContent]');
  check.equal('progress at the end', progress, [inbox.length, inbox.length, `${inbox.length} of ${inbox.length} images hashed`]);

  // Screenshots: the whole page with the results (one image's hashes shown),
  // and its top down to the first result (the README's picture).
  await evaluate('document.querySelector("#results .hashes").open = true');
  const top = await evaluate('document.querySelector("#results .card").getBoundingClientRect().bottom + window.scrollY + 10');
  const head = await page('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true,
    clip: { x: 0, y: 0, width: 1100, height: Math.ceil(top), scale: 1 } });
  writeFileSync(join(opt.out, 'page-top.png'), Buffer.from(head.data, 'base64'));
  const { cssContentSize } = await page('Page.getLayoutMetrics');
  await page('Emulation.setDeviceMetricsOverride', { width: 1100, height: Math.ceil(cssContentSize.height), deviceScaleFactor: 1, mobile: false });
  const shot = await page('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true });
  writeFileSync(join(opt.out, 'page.png'), Buffer.from(shot.data, 'base64'));
  await page('Emulation.setDeviceMetricsOverride', { width: 1100, height: 900, deviceScaleFactor: 1, mobile: false });

  // Accessibility: labels, contrast, then the keyboard alone.
  check.equal('controls without a label', await evaluate(UNLABELLED), []);
  check.equal('texts with a contrast ratio below 4.5', await evaluate(CONTRAST), []);
  await evaluate('document.activeElement.blur(); window.scrollTo(0, 0)');
  const order = [];
  for (let i = 0; i < 12 && !order.includes('demo-images'); i++) {
    await press('Tab');
    order.push(await evaluate('document.activeElement.id || document.activeElement.tagName'));
  }
  const wanted = ['set-file', 'trust-file', 'demo-set', 'images', 'demo-images'];
  check.equal('Tab reaches the controls in order', order.filter((id) => wanted.includes(id)), wanted);
  const scans = await evaluate('window.hashmatchScans');
  await press('Enter');
  await waitFor(`window.hashmatchScans > ${scans} && ${stateIs('done')}`, 'the demo images to be scanned from the keyboard');
  compareResults('keyboard, demo images button', await evaluate('window.hashmatchResults'));

  // Files that are not images, or broken ones: the library's error, shown.
  const odd = ['tests/data/cli/broken.jpg', 'tests/data/cli/notes.txt'].map((f) => join(SOURCE_DIR, f));
  const oddWant = nativeJson(resolve(opt.cli), ['scan', '--json', '-q', '--set', join(SOURCE_DIR, 'demo/demo.hmset'),
    '--trust', join(SOURCE_DIR, 'demo/trust.txt'), ...odd]);
  const before = await evaluate('window.hashmatchScans');
  await setFiles('#images', odd);
  await waitFor(`window.hashmatchScans > ${before} && ${stateIs('done')}`, 'the odd files to be scanned');
  const oddGot = await evaluate('window.hashmatchResults');
  for (const f of odd) {
    const got = oddGot.find((r) => r.name === basename(f));
    check.equal(`${basename(f)}: the native scan's error`, got && [got.error, got.message],
      [oddWant.get(f).error, oddWant.get(f).message]);
  }
  check.equal('the odd files are shown as errors', await evaluate(
    `[...document.querySelectorAll('#results .card.error .problem')].map((p) => p.textContent)`),
  odd.map((f) => `${oddWant.get(f).error}: ${oddWant.get(f).message}`));
} catch (e) {
  check.ok('the page test ran to its end', false, e.message);
  if (chromeLog) console.log(`chromium said:\n${chromeLog}`);
} finally {
  // Allow late events (e.g. a beacon) to arrive before judging requests.
  await new Promise((r) => setTimeout(r, 300));
  await cdp.send('Browser.close').catch(() => {});
  server.close();
}

const foreign = requests.filter((u) => {
  if (u.startsWith('blob:')) return new URL(u.slice(5)).origin !== ORIGIN;
  return new URL(u).origin !== ORIGIN;
});
check.equal('requests to anywhere but the page\'s origin', foreign, []);
check.equal('requests the Content-Security-Policy refused', blocked, []);
const siteFiles = new Set(listFiles(SITE).map((f) => `/${f.slice(SITE.length + 1).split(sep).join('/')}`));
check.equal('requests the server got for files not in the site', served.filter((p) => !siteFiles.has(p)), []);
check.ok('the worker\'s requests were recorded too', requests.some((u) => u.endsWith('/hashmatch.wasm')), requests.join(' '));
writeFileSync(join(opt.out, 'requests.txt'), `${requests.join('\n')}\n`);
if (chrome.exitCode === null && chrome.signalCode === null) {
  await new Promise((r) => {
    chrome.once('exit', r);
    setTimeout(() => { chrome.kill(); r(); }, 3000);
  });
}
rmSync(profile, { recursive: true, force: true });
const blobs = requests.filter((u) => u.startsWith('blob:')).length;
console.log(`  ${requests.length} requests by the page and its worker (${blobs} of them blob: URLs of thumbnails), ` +
  `${foreign.length} to another origin; the server was asked for ${[...new Set(served)].join(' ')}`);
console.log(`  screenshot: ${join(opt.out, 'page.png')} (${((Date.now() - t0) / 1000).toFixed(1)} s in Chromium)`);
check.report('wasm page in Chromium');
