// What every browser spec here shares: Debian's Chromium launched for this machine, and
// checks printed as `ok <check>` / `not ok <check>: <why>`, then `N passed, N failed`.

import {chromium} from 'playwright-core';

// This machine's closed network: without the background-networking flags Chromium keeps
// trying Google's hosts, and a sandbox needs privileges CI's root user does not give it.
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

let passed = 0;
let failed = 0;

/** Debian's /usr/bin/chromium through playwright-core; no browser is ever downloaded. */
export function launch() {
  return chromium.launch({executablePath: '/usr/bin/chromium', args: ARGS});
}

/** Count and print one check. */
export function check(name, ok, why = '') {
  if (ok) {
    passed += 1;
    console.log(`ok ${name}`);
  } else {
    failed += 1;
    console.log(`not ok ${name}${why ? `: ${why}` : ''}`);
  }
}

/**
 * Run `step`; a timeout or a thrown error fails the check `name` instead of the run.
 * With `exact`, only `true` passes and anything else is shown as the reason.
 */
export async function attempt(name, step, {exact = false} = {}) {
  try {
    const result = await step();
    if (exact) {
      check(name, result === true, result === true ? '' : JSON.stringify(result));
    } else {
      check(name, result);
    }
  } catch (error) {
    check(name, false, String(error.message || error).split('\n')[0]);
  }
}

/** Print the summary and exit: 0 only if every check passed. */
export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
