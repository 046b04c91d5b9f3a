// app.js - the page: chooses the set and the trust list, hands images to the
// worker (worker.js) and shows what it reports. Files are read with the File
// API; the only requests are for the page's own files and the demo set.
const $ = (id) => document.getElementById(id);
const worker = new Worker('worker.js', { type: 'module' });

const state = {
  setBytes: null,
  trustText: null,
  setName: '',
  images: [], // {id, name, size, bytes, url}
  pending: 0,
  done: 0,
};
// For tests and the curious: every report, in the order the images came,
// and how many scans of a whole choice of images have started.
window.hashmatchResults = [];
window.hashmatchScans = 0;
document.body.dataset.state = 'loading';

// ---- small DOM helpers ------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function setStatus(text, kind = '') {
  const s = $('set-status');
  s.textContent = text;
  s.className = `status ${kind}`;
}

const kb = (n) => (n < 1024 ? `${n} bytes` : n < 1 << 20 ? `${(n / 1024).toFixed(0)} KB` : `${(n / (1 << 20)).toFixed(1)} MB`);
const day = (iso) => iso.slice(0, 10);

// ---- the set -------------------------------------------------------------------

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.arrayBuffer();
}

async function loadDemoSet() {
  setStatus('Loading the demo set…');
  try {
    state.setBytes = await fetchBytes('demo/demo.hmset');
    state.trustText = new TextDecoder().decode(await fetchBytes('demo/trust.txt'));
    state.setName = 'demo/demo.hmset';
    openSet();
  } catch (e) {
    setStatus(`The demo set could not be loaded: ${e.message}`, 'bad');
  }
}

function openSet() {
  document.body.dataset.state = 'verifying';
  setStatus(`Verifying ${state.setName}…`);
  worker.postMessage({ type: 'open', bytes: state.setBytes.slice(0), trust: state.trustText });
}

function showSet({ info, trust }) {
  const valid = info.signatures.filter((s) => s.status === 'valid');
  setStatus(`Verified: ${state.setName} is signed by ${valid.length} trusted key${valid.length === 1 ? '' : 's'} ` +
    `(${trust.threshold} of ${trust.keys.length} required), unchanged and not expired.`, 'good');
  $('set-name').textContent = info.name;
  $('set-issuer').textContent = info.issuer || '—';
  $('set-version').textContent = String(info.version);
  $('set-dates').textContent = `from ${day(info.created)} to ${day(info.expires)}`;
  $('set-digest').textContent = info.digest;
  $('set-signers').replaceChildren(...info.signatures.map((s) => el('span', { class: 'signer' },
    s.key || 'unknown key', ' ', el('code', { class: 'hex', text: `${s.key_id.slice(0, 16)}…` }), ` (${s.status})`)));
  $('set-entries').textContent = info.sections.map((s) =>
    `${s.algo} ${s.entries}${s.radius ? ` (radius ${s.radius})` : ' (exact)'}`).join(' · ');
  $('set-trust').replaceChildren(...trust.keys.map((k) => el('span', { class: 'signer' }, k.name, ' ',
    el('code', { class: 'hex', text: `${k.key.slice(0, 16)}…` }))),
  el('span', { class: 'signer', text: `threshold ${trust.threshold}${trust.allowUnknownKeys ? ', unknown keys ignored' : ''}` }));
  $('set-info').hidden = false;
  document.body.dataset.state = 'ready';
  if (state.images.length) rescan();
}

function showSetError({ status, message }) {
  $('set-info').hidden = true;
  setStatus(`Refused: ${state.setName} did not verify (${status}: ${message}). No image is matched ` +
    'against an unverified set.', 'bad');
  document.body.dataset.state = 'refused';
}

// ---- images --------------------------------------------------------------------

function progress() {
  const total = state.images.length;
  $('progress').max = Math.max(total, 1);
  $('progress').value = state.done;
  $('progress-text').textContent = total ? `${state.done} of ${total} image${total === 1 ? '' : 's'} hashed` : 'No images yet.';
}

function card(img) {
  const li = el('li', { class: 'card waiting', id: `img-${img.id}`, 'data-file': img.name });
  li.append(el('img', { class: 'thumb', src: img.url, alt: '' }),
    el('div', { class: 'body' }, el('h3', {}, el('span', { class: 'name', text: img.name }),
      el('span', { class: 'badge', text: 'waiting' })), el('p', { class: 'meta', text: kb(img.size) })));
  return li;
}

// Each choice of images replaces the previous one.
async function chooseImages(files) {
  if (document.body.dataset.state !== 'ready' && document.body.dataset.state !== 'done') {
    $('progress-text').textContent = 'Images can be scanned once a set has verified.';
    return;
  }
  for (const img of state.images) URL.revokeObjectURL(img.url);
  state.images = [];
  for (const f of files) {
    const bytes = await f.arrayBuffer();
    state.images.push({ id: state.images.length, name: f.name, size: bytes.byteLength, bytes,
      url: URL.createObjectURL(new Blob([bytes])) });
  }
  rescan();
}

function rescan() {
  window.hashmatchResults = [];
  window.hashmatchScans++;
  state.done = 0;
  $('summary').textContent = '';
  $('results').replaceChildren(...state.images.map(card));
  document.body.dataset.state = 'scanning';
  for (const img of state.images) {
    state.pending++;
    worker.postMessage({ type: 'scan', id: img.id, bytes: img.bytes.slice(0) });
  }
  progress();
}

function matchTable(title, matches) {
  const rows = matches.map((m) => el('tr', {}, el('td', { text: m.algo }),
    el('td', { class: 'num', text: String(m.distance) }), el('td', { text: m.category }),
    el('td', { text: m.external_id || '—' }), el('td', { class: 'num', text: String(m.entry) })));
  return el('table', { class: 'matches' }, el('caption', { text: title }),
    el('thead', {}, el('tr', {}, ...['Algorithm', 'Distance', 'Category', 'Listed as', 'Entry']
      .map((h) => el('th', { scope: 'col', text: h })))), el('tbody', {}, ...rows));
}

function hashList(hashes) {
  const keys = Object.keys(hashes).filter((k) => typeof hashes[k] === 'string');
  return el('details', { class: 'hashes' }, el('summary', { text: 'Hashes' }),
    el('dl', {}, ...keys.flatMap((k) => [el('dt', { text: k }), el('dd', {}, el('code', { class: 'hex', text: hashes[k] }))])));
}

function showResult(msg) {
  const img = state.images[msg.id];
  const li = $(`img-${msg.id}`);
  if (!img || !li) return;
  const body = li.querySelector('.body');
  const badge = li.querySelector('.badge');
  const meta = li.querySelector('.meta');
  const ms = `${msg.ms.toFixed(msg.ms < 10 ? 1 : 0)} ms`;
  if (msg.type === 'error') {
    li.className = 'card error';
    badge.textContent = 'error';
    meta.textContent = `${kb(img.size)} · ${ms}`;
    body.append(el('p', { class: 'problem', text: `${msg.status}: ${msg.message}` }));
    window.hashmatchResults[msg.id] = { name: img.name, error: msg.status, message: msg.message };
  } else {
    const r = msg.report;
    const n = r.matches.length;
    li.className = `card ${n ? 'match' : 'clear'}`;
    badge.textContent = n ? `match (${n})` : 'no match';
    meta.textContent = `${r.hashes.width} × ${r.hashes.height} · ${kb(img.size)} · hashed and matched in ${ms}`;
    if (n) body.append(matchTable(`Matches in ${state.setName}`, r.matches));
    if (r.suppressed.length) body.append(matchTable('Suppressed by the set\'s allowlist (known false positives)', r.suppressed));
    if (r.pdq_skipped) body.append(el('p', { class: 'note', text: `PDQ not matched: quality ${r.pdq_quality} is below the set's minimum.` }));
    body.append(hashList(r.hashes));
    window.hashmatchResults[msg.id] = { name: img.name, ms: msg.ms, report: r };
  }
  state.done++;
  state.pending--;
  progress();
  if (!state.pending) finish();
}

function finish() {
  const results = window.hashmatchResults;
  const matched = results.filter((r) => r.report && r.report.matches.length).length;
  const failed = results.filter((r) => r.error).length;
  $('summary').textContent = `${matched} of ${results.length} image${results.length === 1 ? '' : 's'} matched the set` +
    `${failed ? `, ${failed} could not be read` : ''}. Nothing was sent anywhere.`;
  document.body.dataset.state = 'done';
}

async function demoImages() {
  const names = JSON.parse(new TextDecoder().decode(await fetchBytes('demo/inbox/index.json')));
  const files = [];
  for (const n of names) files.push(new File([await fetchBytes(`demo/inbox/${n}`)], n));
  chooseImages(files);
}

// ---- wiring --------------------------------------------------------------------

worker.onmessage = ({ data }) => {
  if (data.type === 'ready') {
    $('version').textContent = data.version;
    loadDemoSet();
  } else if (data.type === 'set') showSet(data);
  else if (data.type === 'set-error') showSetError(data);
  else showResult(data);
};
worker.onerror = (e) => {
  setStatus(`hashmatch could not start in this browser (${e.message || 'the WebAssembly module failed to load'}).`, 'bad');
  document.body.dataset.state = 'failed';
};

$('set-file').addEventListener('change', async (e) => {
  const f = e.target.files[0];
  if (!f) return;
  state.setBytes = await f.arrayBuffer();
  state.setName = f.name;
  openSet();
});
$('trust-file').addEventListener('change', async (e) => {
  const f = e.target.files[0];
  if (!f) return;
  state.trustText = await f.text();
  if (state.setBytes) openSet();
});
$('demo-set').addEventListener('click', () => {
  $('set-file').value = '';
  $('trust-file').value = '';
  loadDemoSet();
});
$('images').addEventListener('change', (e) => chooseImages([...e.target.files]));
$('demo-images').addEventListener('click', () => demoImages());

const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  chooseImages([...e.dataTransfer.files]);
});
