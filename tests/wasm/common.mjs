// common.mjs - what the WebAssembly tests share: options, the native
// command-line tool run on the same files, file lists, comparisons.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SOURCE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

// --name value options, with defaults.
export function options(defaults) {
  const out = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)$/.exec(argv[i]);
    if (!m || !(m[1] in defaults)) throw new Error(`unknown option ${argv[i]} (known: ${Object.keys(defaults).map((k) => '--' + k).join(' ')})`);
    out[m[1]] = typeof defaults[m[1]] === 'boolean' ? true : argv[++i];
  }
  return out;
}

// Runs the native CLI; returns stdout (exit statuses 0 and 1 are answers).
export function native(cli, args) {
  try {
    return execFileSync(cli, args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (e.status === 1 || e.status === 2) return e.stdout + (e.stderr ? `\n${e.stderr}` : '');
    throw e;
  }
}

// JSON lines of the native CLI, keyed by their "path".
export function nativeJson(cli, args) {
  const byPath = new Map();
  for (const line of native(cli, args).split('\n')) {
    if (!line.startsWith('{')) continue;
    const o = JSON.parse(line);
    byPath.set(o.path, o);
  }
  return byPath;
}

export function listFiles(dir, keep = () => true) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p, keep));
    else if (keep(p)) out.push(p);
  }
  return out;
}

export const isImageName = (p) => /\.(jpe?g|png|gif|webp|pgm|ppm)$/i.test(p);

// Stable text of a value, for equality and messages.
export function canonical(v) {
  return JSON.stringify(v, (k, x) => (x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.keys(x).sort().map((key) => [key, x[key]])) : x));
}

// Collects mismatches; report() prints them and sets the exit status.
export class Checker {
  constructor() { this.failures = []; this.checks = 0; }
  equal(what, got, want) {
    this.checks++;
    const g = canonical(got);
    const w = canonical(want);
    if (g !== w) this.failures.push(`${what}:\n      wasm:   ${g}\n      wanted: ${w}`);
    return g === w;
  }
  ok(what, cond, detail = '') {
    this.checks++;
    if (!cond) this.failures.push(`${what}${detail ? `: ${detail}` : ''}`);
    return cond;
  }
  report(name) {
    if (this.failures.length) {
      console.log(`\n${name}: ${this.failures.length} of ${this.checks} checks FAILED`);
      for (const f of this.failures.slice(0, 40)) console.log(`  - ${f}`);
      process.exitCode = 1;
    } else {
      console.log(`${name}: all ${this.checks} checks passed`);
    }
  }
}

export const rel = (p) => relative(SOURCE_DIR, p);
