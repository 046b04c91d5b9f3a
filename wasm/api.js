// api.js - the JavaScript API of hashmatch.mjs, appended to emscripten's
// module factory (createHashmatchCore, above). Importing the module loads
// and instantiates hashmatch.wasm from beside it; every function below is
// then synchronous and returns plain objects whose keys are those of the
// command-line tool's JSON output. Errors are thrown as HashmatchError with
// the library's status name (error.status), number (error.code) and message.
// docs/WASM.md documents the API.

async function hmwModuleOptions() {
  const url = new URL('hashmatch.wasm', import.meta.url);
  const node = typeof process === 'object' && process.versions && process.versions.node &&
    typeof window === 'undefined' && typeof importScripts === 'undefined';
  if (node) {
    // emscripten 3.1.6's loader would fetch() a file path under Node 18+.
    const fs = await import('node:fs/promises');
    return { wasmBinary: await fs.readFile(url) };
  }
  return { locateFile: () => url.href };
}

const M = await createHashmatchCore(await hmwModuleOptions());

/** An error reported by the library: `status` is its stable name
 *  ("image_truncated"), `code` the hm_status number. */
export class HashmatchError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'HashmatchError';
    this.status = status;
    this.code = code;
  }
}

/** The library's version string. */
export const version = M.UTF8ToString(M._hm_version());

const ALGO_NAMES = []; // index: hm_algo id
for (let id = 1; id < 32; id++) {
  const p = M._hm_algo_name(id);
  if (!p) break;
  ALGO_NAMES[id] = M.UTF8ToString(p);
}
/** The algorithms this build hashes and matches, in id order: every image
 * algorithm (vPDQ is a video hash, and no video decoder is built into the
 * module; sets holding vPDQ sections still open and scan images). */
export const algorithms = ALGO_NAMES.filter((name) => name && name !== 'vpdq');
const VPDQ_BIT = 1 << ALGO_NAMES.indexOf('vpdq');

const SIG_STATUS = ['unchecked', 'valid', 'ignored'];
const PDQ_MODES = { fullres: 0, cli512: 1 };

// ---- memory helpers ------------------------------------------------------

function fail(status, code, message) {
  throw new HashmatchError(status, code, message);
}

function malloc(n) {
  const p = M._malloc(Math.max(n, 1));
  if (!p) fail('no_memory', 2, `out of memory for ${n} bytes`);
  return p;
}

function toBytes(bytes, what) {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  fail('invalid_argument', 1, `${what} must be a Uint8Array or an ArrayBuffer`);
}

// Runs fn(pointer, length) with a private copy of `bytes` in wasm memory.
function withBytes(bytes, fn) {
  const p = malloc(bytes.length);
  M.HEAPU8.set(bytes, p);
  try {
    return fn(p, bytes.length);
  } finally {
    M._free(p);
  }
}

// Runs fn(err, scratch): an hm_error and 64 bytes of scratch space for
// out-parameters, both released afterwards.
function withScratch(fn) {
  const err = M._hmw_error_new();
  if (!err) fail('no_memory', 2, 'out of memory');
  let scratch = 0;
  try {
    scratch = malloc(64);
    return fn(err, scratch);
  } finally {
    M._free(err);
    M._free(scratch);
  }
}

function check(code, err) {
  if (code === 0) return;
  const message = err ? M.UTF8ToString(M._hmw_error_message(err)) : '';
  fail(M.UTF8ToString(M._hm_status_name(code)), code,
    message || M.UTF8ToString(M._hm_strerror(code)));
}

function hex(p, n) {
  let s = '';
  for (const b of M.HEAPU8.subarray(p, p + n)) s += b.toString(16).padStart(2, '0');
  return s;
}

const u32 = (p, i) => M.HEAPU32[(p >>> 2) + i];
const i32 = (p, i) => M.HEAP32[(p >>> 2) + i];
const ptr = (p) => M.HEAPU32[p >>> 2];

function withString(s, fn) {
  const bytes = new TextEncoder().encode(s);
  const z = new Uint8Array(bytes.length + 1);
  z.set(bytes);
  return withBytes(z, fn);
}

function algoMask(algos) {
  if (algos === undefined || algos === null) algos = 'all';
  const list = Array.isArray(algos) ? algos.join(',') : String(algos);
  return withScratch((err, out) => withString(list, (s) => {
    const code = M._hm_algo_mask_parse(s, out);
    if (code !== 0) fail('parse', code, `unknown algorithm list '${list}' (known: ${algorithms.join(', ')}, all)`);
    if (list.split(',').includes('vpdq'))
      fail('unsupported', 5, 'vpdq hashes videos, and this WebAssembly build decodes no video');
    return u32(out, 0) & ~VPDQ_BIT;
  }));
}

function u64(value, what) {
  if (value === undefined || value === null) return 0n;
  if (typeof value !== 'bigint' && !Number.isFinite(Number(value))) fail('invalid_argument', 1, `${what} must be a number`);
  const v = typeof value === 'bigint' ? value : BigInt(Math.floor(Number(value)));
  if (v < 0n || v >= 1n << 64n) fail('invalid_argument', 1, `${what} is out of range`);
  return v;
}

function timeSeconds(t, what) {
  if (t instanceof Date) return u64(Math.floor(t.getTime() / 1000), what);
  return u64(t, what);
}

// ---- hashes --------------------------------------------------------------

// The hashes in `h` as the CLI's `hash --json` prints them.
function readHashes(h) {
  const out = {};
  const f = withScratch((err, s) => {
    M._hmw_hashes_fields(h, s);
    return [0, 1, 2, 3, 4].map((i) => u32(s, i));
  });
  const [mask, width, height, quality, dihedral] = f;
  if (width || height) Object.assign(out, { width, height });
  ALGO_NAMES.forEach((name, id) => {
    if (!name || !(mask & (1 << id))) return;
    out[name] = hex(M._hmw_hashes_bytes(h, id), M._hm_algo_hash_size(id));
    if (name === 'pdq') {
      out.pdq_quality = quality;
      if (dihedral) {
        out.pdq_dihedral = [];
        for (let i = 0; i < 8; i++) out.pdq_dihedral.push(hex(M._hmw_hashes_dihedral(h, i), 32));
      }
    }
  });
  return out;
}

function hashOptions(options = {}) {
  const mode = PDQ_MODES[options.pdqMode ?? 'fullres'];
  if (mode === undefined) fail('invalid_argument', 1, `pdqMode must be 'fullres' or 'cli512'`);
  return {
    mode,
    dihedral: options.dihedral ? 1 : 0,
    maxPixels: u64(options.maxPixels, 'maxPixels'),
    exif: options.exifOrientation ? 1 : 0,
  };
}

function withHashes(fn) {
  const h = M._hmw_hashes_new();
  if (!h) fail('no_memory', 2, 'out of memory');
  try {
    return fn(h);
  } finally {
    M._free(h);
  }
}

/** Hashes an encoded image (JPEG, PNG, GIF, WebP, PNM): `algos` is an array
 *  of names, a comma list or 'all' (default). Options: pdqMode ('fullres' or
 *  'cli512'), dihedral, maxPixels, exifOrientation. */
export function hash(bytes, algos, options) {
  bytes = toBytes(bytes, 'bytes');
  const mask = algoMask(algos);
  const o = hashOptions(options);
  return withHashes((h) => withScratch((err) => withBytes(bytes, (p, n) => {
    check(M._hmw_hash_buffer(p, n, mask, o.mode, o.dihedral, o.maxPixels, o.exif, h, err), err);
    return readHashes(h);
  })));
}

/** A decoded image: hash it with several algorithm lists without decoding
 *  again. Release it with close(). */
class DecodedImage {
  #img;
  constructor(img) {
    this.#img = img;
    this.width = M._hm_image_width(img);
    this.height = M._hm_image_height(img);
  }
  hash(algos, options) {
    if (!this.#img) fail('invalid_argument', 1, 'the image was closed');
    const mask = algoMask(algos);
    const o = hashOptions(options);
    return withHashes((h) => withScratch((err) => {
      check(M._hmw_hash_image(this.#img, mask, o.mode, o.dihedral, h, err), err);
      return readHashes(h);
    }));
  }
  close() {
    M._hm_image_free(this.#img);
    this.#img = 0;
  }
}

/** Decodes an encoded image once (options: maxPixels, exifOrientation). */
export function decode(bytes, options = {}) {
  bytes = toBytes(bytes, 'bytes');
  const max = u64(options.maxPixels, 'maxPixels');
  return withScratch((err, out) => withBytes(bytes, (p, n) => {
    check(M._hmw_image_decode(p, n, max, options.exifOrientation ? 1 : 0, out, err), err);
    return new DecodedImage(ptr(out));
  }));
}

// ---- trust policies --------------------------------------------------------

function keyBytes(text) {
  const t = String(text).trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Uint8Array.from(t.match(/../g), (b) => parseInt(b, 16));
  if (/^[A-Za-z0-9+/]{43}=$/.test(t)) {
    const bin = atob(t);
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }
  return null;
}

/** Parses a trust file (docs/TRUST.md): 'key <public key> [name]' lines, one
 *  'threshold K' line, optionally 'allow-unknown-keys'; '#' starts a
 *  comment. Returns {keys: [{key, name}], threshold, allowUnknownKeys}. */
export function parseTrust(text) {
  const keys = [];
  let threshold = 0;
  let allowUnknownKeys = false;
  String(text).split('\n').forEach((raw, i) => {
    const where = `trust file line ${i + 1}`;
    const line = raw.replace(/(^|[ \t])#.*$/, '').trim();
    if (!line) return;
    const [word, ...rest] = line.split(/[ \t]+/);
    if (word === 'key' && rest.length >= 1) {
      const key = keyBytes(rest[0]);
      if (!key) fail('parse', 4, `${where}: '${rest[0]}' is not an Ed25519 public key (64 hex digits or 44 base64 characters)`);
      const name = line.replace(/^key[ \t]+\S+[ \t]*/, '') || '(unnamed)';
      keys.push({ key: Array.from(key, (b) => b.toString(16).padStart(2, '0')).join(''), name });
    } else if (word === 'threshold' && rest.length === 1 && /^[0-9]+$/.test(rest[0]) && !threshold) {
      threshold = Number(rest[0]);
      if (threshold < 1 || threshold > 64) fail('parse', 4, `${where}: 'threshold' takes one number 1..64, once`);
    } else if (word === 'allow-unknown-keys' && rest.length === 0) {
      allowUnknownKeys = true;
    } else {
      fail('parse', 4, `${where}: unknown line '${word}' (expected 'key', 'threshold' or 'allow-unknown-keys')`);
    }
  });
  if (!keys.length || !threshold) fail('parse', 4, "a trust file needs at least one 'key' line and a 'threshold' line");
  if (threshold > keys.length) fail('parse', 4, `threshold ${threshold} but only ${keys.length} keys`);
  return { keys, threshold, allowUnknownKeys };
}

// Normalises a trust argument: trust file text, or {keys, threshold, ...}
// whose keys are hex/base64 strings, Uint8Arrays or {key, name} objects.
function trustPolicy(trust) {
  if (typeof trust === 'string') trust = parseTrust(trust);
  if (!trust || !Array.isArray(trust.keys) || !trust.keys.length) {
    fail('invalid_argument', 1, 'trust needs at least one public key');
  }
  const names = [];
  const raw = new Uint8Array(32 * trust.keys.length);
  trust.keys.forEach((k, i) => {
    const entry = typeof k === 'object' && !(k instanceof Uint8Array) ? k : { key: k };
    const bytes = entry.key instanceof Uint8Array ? entry.key : keyBytes(entry.key);
    if (!bytes || bytes.length !== 32) fail('set_key', 58, `trusted key ${i} is not a 32-byte Ed25519 public key`);
    raw.set(bytes, 32 * i);
    names.push(entry.name || `key ${i}`);
  });
  return { raw, names, count: trust.keys.length, threshold: trust.threshold ?? trust.keys.length, opt: trust };
}

// ---- sets and scanning -----------------------------------------------------

const isoTime = (s) => new Date(Number(s) * 1000).toISOString().replace('.000Z', 'Z');
const plainNumber = (v) => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString());

function setSections(set) {
  const sections = [];
  withScratch((err, s) => {
    ALGO_NAMES.forEach((algo, id) => {
      if (!algo || !M._hmw_set_section(set, id, s)) return;
      const variant = algo === 'pdq' ? (u32(s, 0) === 1 ? 'cli512' : 'fullres') : '-';
      sections.push({
        algo, variant, radius: u32(s, 1), allow_radius: u32(s, 2), min_quality: u32(s, 3),
        entries: u32(s, 4), active: u32(s, 5), allowlist: u32(s, 6),
      });
    });
  });
  return sections;
}

function setSignatures(set, names) {
  const sigs = [];
  withScratch((err, s) => {
    const n = M._hm_set_signature_count(set);
    for (let i = 0; i < n; i++) {
      const id = M._hmw_set_signature(set, i, s);
      const sig = { key_id: hex(id, 32), status: SIG_STATUS[i32(s, 0)] ?? String(i32(s, 0)) };
      if (i32(s, 1) >= 0) sig.key = names[i32(s, 1)];
      sigs.push(sig);
    }
  });
  return sigs;
}

// The set's header, sections and signatures, keyed as `set inspect --json`.
function setInfo(set, names) {
  const previous = M._hm_set_previous_digest(set);
  const categories = [];
  for (let i = 0; i < M._hm_set_category_count(set); i++) {
    categories.push(M.UTF8ToString(M._hm_set_category_name(set, i)));
  }
  return {
    file_size: M._hm_set_file_size(set),
    content_size: M._hm_set_content_size(set),
    name: M.UTF8ToString(M._hm_set_name(set)),
    issuer: M.UTF8ToString(M._hm_set_issuer(set)),
    version: plainNumber(BigInt.asUintN(64, M._hm_set_version(set))),
    created: isoTime(BigInt.asUintN(64, M._hm_set_created(set))),
    expires: isoTime(BigInt.asUintN(64, M._hm_set_expires(set))),
    previous_digest: previous ? hex(previous, 32) : null,
    digest: hex(M._hm_set_digest(set), 32),
    verified: M._hm_set_is_verified(set) === 1,
    categories,
    sections: setSections(set),
    signatures: setSignatures(set, names),
  };
}

function readMatches(report, set, suppressed) {
  const count = suppressed ? M._hm_report_suppressed_count(report) : M._hm_report_match_count(report);
  const matches = [];
  withScratch((err, s) => {
    const fields = s;
    const ext = s + 32;
    for (let i = 0; i < count; i++) {
      const cat = M._hmw_report_match(report, suppressed ? 1 : 0, i, fields, ext);
      const id = u32(fields, 0);
      const algo = ALGO_NAMES[id];
      const m = {
        algo, entry: u32(fields, 1), distance: u32(fields, 2), category: M.UTF8ToString(cat),
        attesters: u32(fields, 5), external_id: M.UTF8ToString(ptr(ext)),
        hash: hex(M._hmw_set_entry_hash(set, id, u32(fields, 1)), M._hm_algo_hash_size(id)),
      };
      if (algo === 'pdq') m.dihedral = u32(fields, 3);
      matches.push(m);
    }
  });
  return matches;
}

/** A verified fingerprint set and its scanner. `info` describes the set;
 *  scan() matches images against it with the set's own policy. */
class FingerprintSet {
  #set;
  #scanner;
  constructor(set, scanner, info) {
    this.#set = set;
    this.#scanner = scanner;
    this.info = info;
  }

  /** Hashes an encoded image and matches it: {matches, suppressed,
   *  pdq_quality, pdq_skipped, hashes} as `scan --json` prints them (plus
   *  the computed hashes). */
  scan(bytes) {
    if (!this.#scanner) fail('invalid_argument', 1, 'the set was closed');
    bytes = toBytes(bytes, 'bytes');
    return withScratch((err, out) => withBytes(bytes, (p, n) => {
      check(M._hm_scanner_scan_buffer(this.#scanner, p, n, out, err), err);
      const report = ptr(out);
      try {
        const hashes = readHashes(M._hm_report_hashes(report));
        return {
          matches: readMatches(report, this.#set, false),
          suppressed: readMatches(report, this.#set, true),
          pdq_quality: hashes.pdq_quality ?? null,
          pdq_skipped: M._hm_report_pdq_skipped(report) === 1,
          hashes,
        };
      } finally {
        M._hm_report_free(report);
      }
    }));
  }

  /** Releases the set and its scanner. */
  close() {
    M._hm_scanner_free(this.#scanner);
    M._hm_set_free(this.#set);
    this.#scanner = 0;
    this.#set = 0;
  }
}

/** Verifies a fingerprint set (digest, k-of-n signatures, version, times,
 *  structure) and builds its scanner. `trust` is trust file text or
 *  {keys, threshold, allowUnknownKeys, minVersion, now, maxClockSkew,
 *  minAttesters}; `options`: {dihedral, maxPixels, exifOrientation} for
 *  scanning. Throws HashmatchError when the set is refused. */
export function openSet(bytes, trust, options = {}) {
  bytes = toBytes(bytes, 'bytes');
  const t = trustPolicy(trust);
  const o = t.opt;
  return withScratch((err, out) => withBytes(t.raw, (keys) => withBytes(bytes, (p, n) => {
    check(M._hmw_set_open(p, n, keys, t.count, t.threshold, o.allowUnknownKeys ? 1 : 0,
      u64(o.minVersion, 'minVersion'), timeSeconds(o.now, 'now'), u64(o.maxClockSkew, 'maxClockSkew'),
      Number(o.minAttesters ?? 0), out, err), err);
    const set = ptr(out);
    let scanner = 0;
    try {
      check(M._hmw_scanner_new(set, options.dihedral ? 1 : 0, u64(options.maxPixels, 'maxPixels'),
        options.exifOrientation ? 1 : 0, out, err), err);
      scanner = ptr(out);
      return new FingerprintSet(set, scanner, setInfo(set, t.names));
    } catch (e) {
      M._hm_scanner_free(scanner);
      M._hm_set_free(set);
      throw e;
    }
  })));
}
