// wasm_bench.mjs - the WebAssembly build in Node against the native build on
// the same JPEGs, in one run: PDQ and the four imagehash hashes of a 1 and a
// 12 megapixel photo, made at run time from demo/images/bridge.jpg (cropped
// to 4:3, resized with Pillow's Lanczos, light seeded grain so that it
// compresses like a photo, quality 90).
//
// Native figures come from `hashmatch bench hash --json` run twice: as
// shipped (libjpeg-turbo's SIMD, the widest imagehash kernel tier) and
// scalar (JSIMD_FORCENONE=1 and the imagehash_all4_scalar row; PDQ and the
// rest of the library have no SIMD tiers), both with glibc's malloc on
// transparent huge pages (GLIBC_TUNABLES=glibc.malloc.hugetlb=1): glibc maps
// a fresh 36 MB block for every 12-megapixel decode and unmaps it after,
// and on a virtual machine the page faults of that first touch can cost more
// than the decode itself, while the WebAssembly heap keeps the memory it
// grew into (it is warmed up first). The WebAssembly module times the
// same stages through its API: decode(), then hash() of the decoded image.
// Every figure is the median of --repeat runs; the three builds take turns
// for --rounds rounds and each figure is its best round, so that a burst of
// load on a shared machine does not land on one side of a ratio only.
//
//   node bench/wasm_bench.mjs [--module build/wasm/dist/hashmatch.mjs]
//        [--cli build/release/hashmatch] [--repeat 7] [--rounds 3] [--cpu-time] [--json]
//
// Needs Debian's Pillow and numpy (scripts/setup.sh bench) to make the images.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SOURCE_DIR, options } from '../tests/wasm/common.mjs';

const opt = options({
  module: join(SOURCE_DIR, 'build/wasm/dist/hashmatch.mjs'),
  cli: join(SOURCE_DIR, 'build/release/hashmatch'),
  repeat: '7',
  rounds: '3',
  'cpu-time': false,
  json: false,
});
const REPEAT = Number(opt.repeat);
const hm = await import(pathToFileURL(resolve(opt.module)).href);
const IH4 = ['ahash', 'dhash', 'phash', 'whash'];

const MAKE_IMAGES = `
import sys, numpy as np
from PIL import Image
src, out = sys.argv[1], sys.argv[2]
im = Image.open(src).convert('RGB')
w, h = im.size
cw = min(w, h * 4 // 3)
im = im.crop(((w - cw) // 2, 0, (w - cw) // 2 + cw, h))
rng = np.random.default_rng(1)
for name, size in (('photo-1mp.jpg', (1152, 864)), ('photo-12mp.jpg', (4032, 3024))):
    a = np.asarray(im.resize(size, Image.LANCZOS), dtype=np.int16)
    a = np.clip(a + rng.normal(0, 3, a.shape).round(), 0, 255).astype(np.uint8)
    Image.fromarray(a).save(f'{out}/{name}', quality=90)
`;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

// Milliseconds of fn(): wall clock, or this process's CPU time.
function timeMs(fn) {
  if (opt['cpu-time']) {
    const t0 = process.cpuUsage();
    fn();
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / 1000;
  }
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function wasmStages(file) {
  const bytes = readFileSync(file);
  const t = { decode: [], pdq: [], ih4: [] };
  let img = hm.decode(bytes); // warm-up: compiles the code paths, grows memory
  img.hash(['pdq']);
  img.hash(IH4);
  img.close();
  for (let r = 0; r < REPEAT; r++) {
    t.decode.push(timeMs(() => { img = hm.decode(bytes); }));
    t.pdq.push(timeMs(() => img.hash(['pdq'])));
    t.ih4.push(timeMs(() => img.hash(IH4)));
    img.close();
  }
  return { decode: median(t.decode), pdq: median(t.pdq), ih4: median(t.ih4) };
}

function nativeStages(files, env) {
  const args = ['bench', 'hash', '--json', '--no-generated', '--repeat', String(REPEAT),
    ...(opt['cpu-time'] ? ['--cpu-time'] : []), ...files];
  const out = execFileSync(resolve(opt.cli), args, {
    encoding: 'utf8', env: { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1', ...env } });
  return new Map(out.trim().split('\n').map((l) => JSON.parse(l)).map((o) => [o.file, o.ms]));
}

const dir = mkdtempSync(join(tmpdir(), 'hm-wasm-bench-'));
try {
  execFileSync('/usr/bin/python3', ['-c', MAKE_IMAGES, join(SOURCE_DIR, 'demo/images/bridge.jpg'), dir]);
  const files = ['photo-1mp.jpg', 'photo-12mp.jpg'].map((n) => join(dir, n));
  const rounds = [];
  for (let r = 0; r < Number(opt.rounds); r++) {
    rounds.push({
      best: nativeStages(files, {}),
      scalar: nativeStages(files, { JSIMD_FORCENONE: '1' }),
      wasm: new Map(files.map((f) => [f, wasmStages(f)])),
    });
  }
  const bestOf = (side) => new Map(files.map((f) => [f, Object.fromEntries(Object.keys(rounds[0][side].get(f))
    .map((k) => [k, Math.min(...rounds.map((r) => r[side].get(f)[k]))]))]));
  const best = bestOf('best');
  const scalar = bestOf('scalar');
  const wasm = bestOf('wasm');
  const rows = [];
  for (const f of files) {
    const w = wasm.get(f);
    const b = best.get(f);
    const s = scalar.get(f);
    const stages = [
      ['decode', w.decode, s.decode, b.decode],
      ['pdq from pixels', w.pdq, s.pdq_from_image, b.pdq_from_image],
      ['imagehash four from pixels', w.ih4, s.imagehash_all4_scalar, b.imagehash_all4],
      ['PDQ: decode + hash', w.decode + w.pdq, s.decode + s.pdq_from_image, b.decode + b.pdq_from_image],
      ['imagehash four: decode + hashes', w.decode + w.ih4, s.decode + s.imagehash_all4_scalar, b.decode + b.imagehash_all4],
    ];
    const img = hm.decode(readFileSync(f));
    const size = `${img.width}x${img.height}`;
    img.close();
    for (const [stage, wm, sm, bm] of stages) {
      rows.push({ image: `${basename(f)} (${size})`, stage, wasm_ms: wm, native_scalar_ms: sm, native_best_ms: bm,
        wasm_over_scalar: wm / sm, wasm_over_best: wm / bm });
    }
  }
  if (opt.json) {
    for (const r of rows) console.log(JSON.stringify(r));
  } else {
    const clock = opt['cpu-time'] ? 'CPU time' : 'wall clock';
    console.log(`hashmatch ${hm.version}: WebAssembly in Node ${process.version} against native, ${clock}, ` +
      `median of ${REPEAT}, best of ${opt.rounds} rounds`);
    console.log(`${'image'.padEnd(30)} ${'stage'.padEnd(32)} ${'wasm ms'.padStart(9)} ${'scalar ms'.padStart(10)} ${'best ms'.padStart(9)} ${'wasm/scalar'.padStart(12)} ${'wasm/best'.padStart(10)}`);
    for (const r of rows) {
      console.log(`${r.image.padEnd(30)} ${r.stage.padEnd(32)} ${r.wasm_ms.toFixed(1).padStart(9)} ${r.native_scalar_ms.toFixed(1).padStart(10)} ` +
        `${r.native_best_ms.toFixed(1).padStart(9)} ${r.wasm_over_scalar.toFixed(2).padStart(12)} ${r.wasm_over_best.toFixed(2).padStart(10)}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
