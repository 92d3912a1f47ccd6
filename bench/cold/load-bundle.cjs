// Child process of bench/cold-start.ts: `node load-bundle.cjs [bundle.cjs [export]]`.
// Requires the bundle (module load plus the handler's init code), calls nothing, prints one
// JSON line and exits. Without arguments it is the bare-node baseline: this same file, nothing
// loaded.
'use strict';
const { readFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');

/**
 * Peak RSS in KiB. Linux keeps getrusage's maxRSS across exec, so a child forked from a big
 * parent would report the parent's size; VmHWM belongs to this process image alone.
 */
function peakRssKiB() {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]);
  } catch {}
  return process.resourceUsage().maxRSS;
}

const [bundle, exportName = 'handler'] = process.argv.slice(2);
const before = performance.now();
if (bundle) {
  const loaded = require(bundle);
  if (typeof loaded[exportName] !== 'function') {
    throw new Error(`${bundle} does not export a function named ${exportName}`);
  }
}
const after = performance.now();
process.stdout.write(`${JSON.stringify({ requireMs: after - before, maxRssKiB: peakRssKiB() })}\n`);
process.exit(0);
