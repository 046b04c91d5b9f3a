// wasm_example.mjs - the JavaScript API in one page (docs/WASM.md), run by
// scripts/test.sh on the demo files:
//   node docs/wasm_example.mjs build/wasm/dist/hashmatch.mjs demo
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [modulePath = 'build/wasm/dist/hashmatch.mjs', demo = 'demo'] = process.argv.slice(2);
const { hash, openSet, version } = await import(pathToFileURL(resolve(modulePath)).href);
const file = (name) => readFileSync(join(demo, name));

console.log(`hashmatch ${version}`);
console.log(hash(file('images/bridge.jpg'), ['pdq', 'phash', 'sha256']));

// Verify the set against the trust list, then scan.
const set = openSet(file('demo.hmset'), file('trust.txt').toString('utf8'));
const { name, version: v, digest, signatures } = set.info;
console.log({ name, version: v, digest, signatures });
const { matches } = set.scan(file('inbox/bridge-thumbnail.jpg'));
for (const m of matches) console.log(`match: ${m.algo} entry ${m.entry} distance ${m.distance} category ${m.category} id ${m.external_id}`);
console.log(`sea.jpg: ${set.scan(file('inbox/sea.jpg')).matches.length} matches`);
set.close();

// Failures are HashmatchError with the library's status name.
try {
  hash(file('images/bridge.jpg').subarray(0, 10000));
} catch (e) {
  console.log(`${e.name}: ${e.status}: ${e.message}`);
}
const tampered = Uint8Array.from(file('demo.hmset'));
tampered[100] ^= 1;
try {
  openSet(tampered, file('trust.txt').toString('utf8'));
} catch (e) {
  console.log(`${e.name}: ${e.status}: ${e.message}`);
}
