// bitexact.mjs - the WebAssembly build gives exactly the native build's
// results: both run in this process's test on the same files and their
// outputs are compared field by field, and the reference vectors'
// expected hashes are checked directly.
//
//   node tests/wasm/bitexact.mjs --module build/wasm/dist/hashmatch.mjs \
//        --cli build/release/hashmatch [--vectors ../shared/vectors]
//
// Self-contained part: every image of demo/ and tests/data/ and the decoder
// fuzz corpus (hashes, PDQ quality, dihedral hashes, digests, or the error
// status and message) in both PDQ modes; the demo set (its description, the
// scan of demo/inbox/, seven rejections) and the set fuzz corpus under three
// trust policies. With the vectors: every image under pdq/ and imagehash/ in
// both modes against the native tool, the PDQ reference hashes (coreinput
// and synthetic exact) and the 248 imagehash hashes.
import { createPublicKey, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Checker, SOURCE_DIR, isImageName, listFiles, native, nativeJson, options, rel } from './common.mjs';

const opt = options({
  module: join(SOURCE_DIR, 'build/wasm/dist/hashmatch.mjs'),
  cli: join(SOURCE_DIR, 'build/release/hashmatch'),
  vectors: process.env.HM_VECTORS_DIR || join(SOURCE_DIR, '../shared/vectors'),
});
const hm = await import(pathToFileURL(resolve(opt.module)).href);
const CLI = resolve(opt.cli);
const check = new Checker();
const MODES = ['fullres', 'cli512'];

// ---- hashing: wasm against the native tool -------------------------------

const IMAGE_ALGOS = 'pdq,ahash,dhash,phash,whash,md5,sha1,sha256';

function wasmHash(path, mode) {
  try {
    return hm.hash(readFileSync(path), IMAGE_ALGOS.split(','), { pdqMode: mode, dihedral: true });
  } catch (e) {
    if (e.name !== 'HashmatchError') throw e;
    return { error: e.status, message: e.message };
  }
}

// Hashes `files` in both modes with both builds; returns wasm[mode] maps.
function compareHashes(label, files) {
  const wasm = {};
  for (const mode of MODES) {
    // Every image algorithm: the module decodes no video, so vPDQ (in the
    // native tool's 'all') is left out on both sides.
    const want = nativeJson(CLI, ['hash', '--json', '-q', '--algo', IMAGE_ALGOS, '--dihedral',
      '--pdq-mode', mode, ...files]);
    wasm[mode] = new Map();
    for (const f of files) {
      const got = wasmHash(f, mode);
      wasm[mode].set(f, got);
      const w = want.get(f);
      if (!check.ok(`${rel(f)} (${mode})`, w, 'no native result')) continue;
      delete w.path;
      check.equal(`${rel(f)} (${mode})`, got, w);
    }
  }
  const errors = [...wasm.fullres.values()].filter((r) => r.error).length;
  console.log(`  ${label}: ${files.length} files x ${MODES.length} PDQ modes, ${errors} refused with an error`);
  return wasm;
}

// ---- the demo set and the set corpus ---------------------------------------

const DEMO = join(SOURCE_DIR, 'demo');
const TRUST = join(DEMO, 'trust.txt');

// The status the native tool gives a set under the given options: "ok" or
// the rejection's status name.
function nativeVerify(file, args) {
  const out = native(CLI, ['set', 'verify', ...args, file]);
  if (/: OK\n/.test(out)) return 'ok';
  const m = /rejected: ([a-z_]+):/.exec(out) || /error: ([a-z_]+):/.exec(out);
  return m ? m[1] : `unparsed: ${out.trim()}`;
}

function wasmVerify(bytes, trust) {
  try {
    hm.openSet(bytes, trust).close();
    return 'ok';
  } catch (e) {
    if (e.name !== 'HashmatchError') throw e;
    return e.status;
  }
}

function demoSet() {
  const bytes = readFileSync(join(DEMO, 'demo.hmset'));
  const trustText = readFileSync(TRUST, 'utf8');
  const set = hm.openSet(bytes, trustText);
  const inspect = JSON.parse(native(CLI, ['set', 'inspect', '--json', '--trust', TRUST, join(DEMO, 'demo.hmset')]));
  for (const k of ['file', 'format_version']) delete inspect[k];
  for (const s of inspect.sections) delete s.per_category;
  check.equal('demo set: openSet().info against `set inspect --json`', set.info, inspect);

  const inbox = listFiles(join(DEMO, 'inbox'), isImageName);
  const want = nativeJson(CLI, ['scan', '--json', '-q', '--set', join(DEMO, 'demo.hmset'), '--trust', TRUST, ...inbox]);
  let matched = 0;
  for (const f of inbox) {
    const got = set.scan(readFileSync(f));
    const w = want.get(f);
    delete w.path;
    const { hashes, ...report } = got;
    check.equal(`scan ${rel(f)}`, report, w);
    check.equal(`scan ${rel(f)}: its hashes`, hashes.pdq, wasmHash(f, 'fullres').pdq);
    matched += got.matches.length > 0;
  }
  check.ok('the demo inbox has matches', matched === 3, `${matched} images matched`);
  set.close();
  return { bytes, inbox: inbox.length };
}

// Rejections: a changed byte, a changed signature, a truncated file, the
// clock, a rollback, a stranger's key, a trust file asking for too much.
function demoRejections(bytes, tmp) {
  const cases = [];
  const variant = (name, edit) => {
    const b = Uint8Array.from(bytes);
    edit(b);
    const path = join(tmp, `${name}.hmset`);
    writeFileSync(path, b);
    return { path, bytes: b };
  };
  const content = variant('content-byte', (b) => { b[200] ^= 1; });
  const sig = variant('signature-byte', (b) => { b[b.length - 1] ^= 0x80; });
  const demo = { path: join(DEMO, 'demo.hmset'), bytes };
  const trust = readFileSync(TRUST, 'utf8');
  const other = readFileSync(join(SOURCE_DIR, 'tests/data/cli/other.pub'), 'utf8').match(/^key (\S+)/m)[1];
  const demoKey = trust.match(/^key (\S+)/m)[1];
  cases.push(['a content byte changed', content, trust, ['--trust', TRUST]]);
  cases.push(['a signature byte changed', sig, trust, ['--trust', TRUST]]);
  const cut = { path: join(tmp, 'truncated.hmset'), bytes: bytes.subarray(0, bytes.length - 10) };
  writeFileSync(cut.path, cut.bytes);
  cases.push(['truncated', cut, trust, ['--trust', TRUST]]);
  cases.push(['expired (now 2040)', demo, { ...hm.parseTrust(trust), now: new Date('2040-01-01T00:00:00Z') },
    ['--trust', TRUST, '--now', '2040-01-01T00:00:00Z']]);
  cases.push(['not yet valid (now 2020)', demo, { ...hm.parseTrust(trust), now: new Date('2020-01-01T00:00:00Z') },
    ['--trust', TRUST, '--now', '2020-01-01T00:00:00Z']]);
  cases.push(['rollback (minimum version 2)', demo, { ...hm.parseTrust(trust), minVersion: 2 },
    ['--trust', TRUST, '--min-version', '2']]);
  cases.push(['signed by a key not trusted', demo, { keys: [other], threshold: 1 },
    ['--trusted-key', other, '--threshold', '1']]);
  cases.push(['threshold 2 of 2, one signature', demo, { keys: [demoKey, other], threshold: 2 },
    ['--trusted-key', demoKey, '--trusted-key', other, '--threshold', '2']]);
  for (const [name, c, t, args] of cases) {
    const got = wasmVerify(c.bytes, t);
    const want = nativeVerify(c.path, args);
    check.equal(`demo set, ${name}`, got, want);
    check.ok(`demo set, ${name}: refused`, got !== 'ok', got);
  }
  console.log(`  demo set: description, ${cases.length} rejections`);
}

// The fixture keys of tests/unit/set_fixture.c (secret i: bytes 17i+j+1),
// their public halves derived by Node's own crypto.
function fixtureKeys() {
  const prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
  return [0, 1, 2].map((i) => {
    const seed = Buffer.from(Array.from({ length: 32 }, (_, j) => (17 * i + j + 1) & 255));
    const priv = createPrivateKey({ key: Buffer.concat([prefix, seed]), format: 'der', type: 'pkcs8' });
    return createPublicKey(priv).export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  });
}

function entryCount(file) {
  const info = JSON.parse(native(CLI, ['set', 'inspect', '--json', file]));
  return info.sections.reduce((n, s) => n + s.entries, 0);
}

function setCorpus() {
  const files = listFiles(join(SOURCE_DIR, 'tests/fuzz/corpus/set'));
  const keys = fixtureKeys();
  const keyArgs = keys.flatMap((k) => ['--trusted-key', k]);
  const policies = [
    ['demo trust', readFileSync(TRUST, 'utf8'), ['--trust', TRUST]],
    ['fixture keys, 1 of 3', { keys, threshold: 1 }, [...keyArgs, '--threshold', '1']],
    ['fixture keys, 1 of 3, unknown keys ignored', { keys, threshold: 1, allowUnknownKeys: true },
      [...keyArgs, '--threshold', '1', '--allow-unknown-keys']],
  ];
  const seen = new Set();
  for (const [name, trust, args] of policies) {
    for (const f of files) {
      const got = wasmVerify(readFileSync(f), trust);
      let want = nativeVerify(f, args);
      // openSet also builds the scanner, which refuses a set with nothing
      // to match: that is the verified answer for an empty set.
      if (want === 'ok' && got === 'scan_no_algorithm' && entryCount(f) === 0) want = got;
      check.equal(`${rel(f)} (${name})`, got, want);
      seen.add(got);
    }
  }
  check.ok('the set corpus verifies some sets', seen.has('ok'));
  console.log(`  set corpus: ${files.length} files x ${policies.length} trust policies (${[...seen].sort().join(', ')})`);
}

// ---- the JavaScript API's own checks -------------------------------------------

function statusOf(fn) {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return e.name === 'HashmatchError' ? e.status : `${e.name}: ${e.message}`;
  }
}

function apiErrors() {
  const img = readFileSync(join(DEMO, 'images/canal.jpg'));
  const setBytes = readFileSync(join(DEMO, 'demo.hmset'));
  const trust = readFileSync(TRUST, 'utf8');
  const key = trust.match(/^key (\S+)/m)[1];
  const cases = [
    ['an unknown algorithm', () => hm.hash(img, ['pdq', 'nope']), 'parse'],
    ['vpdq, a video hash, in a build without video', () => hm.hash(img, ['pdq', 'vpdq']), 'unsupported'],
    ['a string instead of bytes', () => hm.hash('canal.jpg'), 'invalid_argument'],
    ['an unknown PDQ mode', () => hm.hash(img, 'pdq', { pdqMode: 'half' }), 'invalid_argument'],
    ['a maxPixels that is not a number', () => hm.hash(img, 'pdq', { maxPixels: 'many' }), 'invalid_argument'],
    ['too many pixels', () => hm.hash(img, 'pdq', { maxPixels: 1000 }), 'image_too_large'],
    ['empty bytes', () => hm.hash(new Uint8Array(0)), 'image_empty'],
    ['an ArrayBuffer and a DataView', () => { hm.hash(img.buffer.slice(img.byteOffset, img.byteOffset + img.length), 'md5');
      hm.hash(new DataView(img.buffer, img.byteOffset, img.length), 'md5'); }, 'ok'],
    ['a trust file without a threshold', () => hm.openSet(setBytes, `key ${key}\n`), 'parse'],
    ['a trust file with a bad key', () => hm.openSet(setBytes, 'key 1234 x\nthreshold 1\n'), 'parse'],
    ['a threshold above the key count', () => hm.openSet(setBytes, { keys: [key], threshold: 2 }), 'invalid_argument'],
    ['the same key twice', () => hm.openSet(setBytes, { keys: [key, key], threshold: 1 }), 'set_key'],
    ['a key of 31 bytes', () => hm.openSet(setBytes, { keys: [new Uint8Array(31)], threshold: 1 }), 'set_key'],
    // The identity point: anyone could forge a signature under it (hm_key_check).
    ['a key of small order', () => hm.openSet(setBytes, { keys: [`01${'0'.repeat(62)}`] }), 'set_weak_key'],
    ['a trust file with a key of small order', () => hm.openSet(setBytes, `key 01${'0'.repeat(62)} x\nthreshold 1\n`), 'set_weak_key'],
    ['a base64 key', () => hm.openSet(setBytes, { keys: [Buffer.from(key, 'hex').toString('base64')], threshold: 1 }).close(), 'ok'],
    ['a scan after close()', () => { const s = hm.openSet(setBytes, trust); s.close(); s.scan(img); }, 'invalid_argument'],
  ];
  for (const [name, fn, want] of cases) check.equal(`API: ${name}`, statusOf(fn), want);
  const d = hm.decode(img);
  check.equal('API: decode() then hash() equals hash()', d.hash('pdq,ahash,dhash,phash,whash', { dihedral: true }),
    (({ md5, sha1, sha256, ...rest }) => rest)(hm.hash(img, 'all', { dihedral: true })));
  d.close();
  console.log(`  API: ${cases.length + 1} argument and error cases`);
}

// ---- reference vectors -------------------------------------------------------

function tsv(path) {
  const [head, ...rows] = readFileSync(path, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const cols = head.split('\t');
  return rows.map((r) => Object.fromEntries(r.split('\t').map((v, i) => [cols[i], v])));
}

function pdqVectors(dir) {
  const files = listFiles(join(dir, 'pdq'), isImageName);
  const wasm = compareHashes('PDQ vectors (pdq/) against the native tool', files);
  const fr = wasm.fullres;
  const cli = wasm.cli512;
  const rows = tsv(join(dir, 'pdq/reference.tsv'));
  let core = 0;
  let exactFull = 0;
  let exactCli = 0;
  for (const r of rows) {
    const h = fr.get(join(dir, 'pdq', r.coreinput));
    if (check.equal(`pdq coreinput ${r.coreinput}`, [h?.pdq, h?.pdq_quality], [r.cli512_hash, Number(r.cli512_quality)])) core++;
    exactFull += fr.get(join(dir, 'pdq', r.image))?.pdq === r.fullres_hash;
    exactCli += cli.get(join(dir, 'pdq', r.image))?.pdq === r.cli512_hash;
  }
  const bridge = rows.find((r) => r.image.includes('bridge-1-original.jpg'));
  const full = fr.get(join(dir, 'pdq/coreinput/fullres/bridge-1-original.decoded-fullres.png'));
  check.equal('pdq bridge-1 full-size decode', [full?.pdq, full?.pdq_quality], [bridge.fullres_hash, Number(bridge.fullres_quality)]);
  let synth = 0;
  const srows = tsv(join(dir, 'pdq/synthetic/synthetic_vectors.tsv'));
  for (const r of srows) {
    const p = join(dir, 'pdq/synthetic', r.file);
    const got = [fr.get(p)?.pdq, fr.get(p)?.pdq_quality, cli.get(p)?.pdq, cli.get(p)?.pdq_quality, cli.get(p)?.pdq_dihedral];
    const want = [r.fullres_core_hash, Number(r.fullres_core_quality), r.ref_tool_hash, Number(r.ref_tool_quality),
      ['orig', 'rot90', 'rot180', 'rot270', 'flipx', 'flipy', 'flipplus1', 'flipminus1'].map((d) => r[`dih_${d}`])];
    if (check.equal(`pdq synthetic ${r.file}`, got, want)) synth++;
  }
  check.ok('57 reference rows', rows.length >= 57, String(rows.length));
  check.ok('10 synthetic rows', srows.length === 10, String(srows.length));
  console.log(`  PDQ reference: coreinput ${core}/${rows.length} exact, bridge-1 full-size decode exact, ` +
    `synthetic ${synth}/${srows.length} exact (fullres, cli512, 8 dihedral); originals through our ` +
    `decoders equal to the reference: fullres ${exactFull}/${rows.length}, cli512 ${exactCli}/${rows.length} (the native build's counts, see docs/PDQ.md)`);
}

function imagehashVectors(dir) {
  const files = listFiles(join(dir, 'imagehash/images'), isImageName);
  const wasm = compareHashes('imagehash vectors (imagehash/images/) against the native tool', files);
  const rows = tsv(join(dir, 'imagehash/vectors.tsv'));
  let exact = 0;
  for (const r of rows) {
    const h = wasm.fullres.get(join(dir, 'imagehash', r.image));
    const pairs = [['ahash', 'average_hash'], ['dhash', 'dhash'], ['phash', 'phash'], ['whash', 'whash']];
    for (const [ours, theirs] of pairs) exact += check.equal(`imagehash ${r.image} ${ours}`, h?.[ours], r[theirs]);
    check.equal(`imagehash ${r.image} file`, h?.sha256?.slice(0, 16), r.file_sha256_prefix);
  }
  check.ok('62 imagehash rows', rows.length === 62, String(rows.length));
  console.log(`  imagehash reference: ${exact}/${rows.length * 4} hashes equal imagehash 4.3.2's`);
}

// ---- main ----------------------------------------------------------------------

console.log(`hashmatch ${hm.version} WebAssembly (${rel(resolve(opt.module))}) against native (${rel(CLI)})`);
check.equal('same version', hm.version, native(CLI, ['--version']).trim().split(/\s+/).pop());
const local = [...listFiles(DEMO, isImageName), ...listFiles(join(SOURCE_DIR, 'tests/data'), (p) => !p.endsWith('.tsv') && !p.endsWith('.md')),
  ...listFiles(join(SOURCE_DIR, 'tests/fuzz/corpus/decode'))];
compareHashes('demo/, tests/data/ and the decoder fuzz corpus', local);
const tmp = mkdtempSync(join(tmpdir(), 'hm-wasm-'));
try {
  const { bytes, inbox } = demoSet();
  console.log(`  demo set: ${inbox} scans of demo/inbox/ equal \`scan --json\``);
  demoRejections(bytes, tmp);
  setCorpus();
  apiErrors();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
if (existsSync(join(opt.vectors, 'pdq/reference.tsv'))) {
  pdqVectors(resolve(opt.vectors));
  imagehashVectors(resolve(opt.vectors));
} else {
  console.log(`  reference vectors: ${opt.vectors} not found, skipped (the self-contained checks above ran)`);
}
check.report('wasm bit-exactness');
