// worker.js - runs hashmatch off the page's thread: opens (verifies) the set
// and scans each image it is sent, one at a time, timing each scan.
import * as hm from './hashmatch.mjs';

let set = null;

function failure(e) {
  return e && e.name === 'HashmatchError'
    ? { status: e.status, message: e.message }
    : { status: 'internal', message: String(e && e.message ? e.message : e) };
}

function open({ bytes, trust }) {
  if (set) set.close();
  set = null;
  try {
    set = hm.openSet(new Uint8Array(bytes), trust);
    return { type: 'set', info: set.info, trust: hm.parseTrust(trust) };
  } catch (e) {
    return { type: 'set-error', ...failure(e) };
  }
}

function scan({ id, bytes }) {
  if (!set) return { type: 'error', id, status: 'invalid_argument', message: 'no verified set' };
  const t0 = performance.now();
  try {
    const report = set.scan(new Uint8Array(bytes));
    return { type: 'result', id, ms: performance.now() - t0, report };
  } catch (e) {
    return { type: 'error', id, ms: performance.now() - t0, ...failure(e) };
  }
}

self.onmessage = ({ data }) => {
  self.postMessage(data.type === 'open' ? open(data) : scan(data));
};
self.postMessage({ type: 'ready', version: hm.version });
