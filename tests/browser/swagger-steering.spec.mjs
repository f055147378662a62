#!/usr/bin/env node
// Steering from Swagger UI in real Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core; no browser is ever downloaded). Run by tests/e2e/test_swagger_steering.py
// against a served mock started without a control token:
//
//   node tests/browser/swagger-steering.spec.mjs <origin> [--screenshot FILE]
//
// Prints `ok <check>` or `not ok <check>: <why>` per check, then `N passed, N failed`;
// exits 0 only if every check passed.

import {parseArgs} from 'node:util';
import {attempt, check, finish, launch} from './tap.mjs';

const {values: options, positionals} = parseArgs({
  allowPositionals: true,
  options: {screenshot: {type: 'string'}},
});
const [origin] = positionals;
if (!origin) {
  console.error('usage: node swagger-steering.spec.mjs <origin> [--screenshot FILE]');
  process.exit(2);
}

const TIMEOUT = 10_000;
const PRIYA_KEY = 'bmk_30ad7e29f4ae54bbc956d62580a5a9ad'; // Owner of recalll.co
const SUBSCRIPTION = 'sub_SwSd6R9tXWNJlE'; // recalll.co's
// Unique per run: a journal from an earlier run on the same server cannot pass the check.
const SANDBOX = `pw-swagger-${Date.now().toString(36)}`;
/** URLs of API calls made with a Prefer header: their 4xx is the point. */
const steered = new Set();

const browser = await launch();
try {
  const page = await (await browser.newContext({viewport: {width: 1366, height: 900}})).newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errors = [];
  const foreign = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Chromium reports every 4xx fetch as an error; the steered 404 is one on purpose.
    const url = message.location().url || '';
    if (message.text().startsWith('Failed to load resource') && steered.has(url)) return;
    errors.push(`${message.text()} ${url}`);
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('request', (request) => {
    if (request.headers()['prefer']) steered.add(request.url());
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.origin !== origin) foreign.push(request.url());
  });

  await attempt('the page could be driven to the end', async () => {
    await steer(page);
    return true;
  });
  check('no console error', errors.length === 0, errors.join(' | '));
  check('no request to another origin', foreign.length === 0, foreign.join(' '));
} finally {
  await browser.close();
}

finish();

async function steer(page) {
  await page.goto(origin + '/api/billing/ui/');
  await page.locator('.opblock').first().waitFor();
  const bar = page.getByRole('form', {name: 'Steer the mock'});

  await attempt('the bar lists the contract\'s codes and named examples, and the scenarios', async () => {
    const codes = await bar.getByLabel('Prefer code').locator('option').allTextContents();
    const examples = await bar.getByLabel('Prefer example').locator('option').allTextContents();
    const scenarios = await bar.getByLabel('X-Mock-Scenario').locator('option').allTextContents();
    const group = await bar.locator('optgroup[label="createCheckout"] option', {hasText: 'couponExpired (400)'}).count();
    return codes.includes('404') && codes.includes('201') && examples.includes('inTrial (200)')
      && group === 1 && scenarios.includes('failed-payment') && scenarios.includes('expired-card');
  });

  await attempt('the first operation shows on the first screen, under a long description', async () => {
    const box = await page.locator('.opblock').first().boundingBox();
    const viewport = page.viewportSize();
    return box !== null && viewport !== null && box.y < viewport.height;
  });

  await authorize(page);

  await attempt('Prefer code=404 is sent and the steered 404 is shown', async () => {
    await bar.getByLabel('Prefer code').selectOption('404');
    const {request, status} = await execute(page, 'Subscription', 'getSubscription', {id: SUBSCRIPTION});
    const curl = await page.locator('#operations-Subscription-getSubscription .curl').textContent();
    return request['prefer'] === 'code=404' && request['x-api-key'] === PRIYA_KEY
      && status === '404' && curl.includes('Prefer: code=404');
  });

  await attempt('a named example sets its code and answers that example', async () => {
    await bar.getByLabel('Prefer example').selectOption('inTrial');
    const code = await bar.getByLabel('Prefer code').inputValue();
    const {request, status, body} = await execute(page, 'Subscription', 'getMySubscription');
    return code === '200' && request['prefer'] === 'code=200, example=inTrial'
      && status === '200' && body.status === 'authenticated' && body.id === 'sub_kV0eCzS86rEgr0';
  });

  await attempt('X-Mock-Scenario failed-payment shows the subscription pending', async () => {
    await bar.getByRole('button', {name: 'Clear'}).click();
    await bar.getByLabel('X-Mock-Scenario').selectOption('failed-payment');
    const {request, status, body} = await execute(page, 'Subscription', 'getMySubscription');
    return !('prefer' in request) && request['x-mock-scenario'] === 'failed-payment'
      && status === '200' && body.status === 'pending';
  });

  await attempt('a sandbox name that the server would refuse is marked invalid', async () => {
    await bar.getByLabel('X-Mock-Sandbox').fill('Not A Name');
    return bar.locator('#mock-sandbox:invalid').count().then((count) => count === 1);
  });

  await attempt('X-Mock-Sandbox is sent: the request is in that sandbox\'s journal', async () => {
    await bar.getByRole('button', {name: 'Clear'}).click();
    await bar.getByLabel('X-Mock-Sandbox').fill(SANDBOX);
    const sent = await bar.locator('output').textContent();
    const {request, status} = await execute(page, 'Subscription', 'getMySubscription');
    const response = await fetch(`${origin}/__mock/requests?sandbox=${SANDBOX}`, {
      headers: {'X-Mock-Control-Token': 'local'},
    });
    const journal = await response.json();
    return request['x-mock-sandbox'] === SANDBOX && !('x-mock-scenario' in request) && status === '200'
      && sent.includes(`X-Mock-Sandbox: ${SANDBOX}`) && journal.requests.length === 1
      && journal.requests[0].path === '/api/billing/subscription/me';
  });

  if (options.screenshot) {
    await page.locator('#operations-Subscription-getMySubscription .live-responses-table').scrollIntoViewIfNeeded();
    await page.screenshot({path: options.screenshot});
  }

  await attempt('the spec is fetched without steering headers', async () => {
    const spec = page.waitForRequest((request) => request.url().endsWith('/api/billing/openapi.json'));
    await page.reload();
    const headers = (await spec).headers();
    return !('x-mock-sandbox' in headers) && !('prefer' in headers);
  });
}

/** Authorize with Priya's API key, as a person does: the dialog, the key, Close. */
async function authorize(page) {
  await page.locator('.auth-wrapper button.authorize').click();
  const scheme = page.locator('.auth-container', {hasText: 'ApiKeyAuth'});
  await scheme.locator('input').fill(PRIYA_KEY);
  await scheme.getByRole('button', {name: 'Authorize', exact: true}).click();
  await page.getByRole('button', {name: 'Close'}).first().click();
}

/**
 * Open an operation, Try it out (with `parameters` typed in), Execute: the request's
 * headers as sent, and the status and body the page then shows.
 */
async function execute(page, tag, operationId, parameters = {}) {
  const block = page.locator(`#operations-${tag}-${operationId}`);
  if (!(await block.locator('.opblock-body').count())) await block.locator('.opblock-summary').click();
  // Swagger UI renders the body after the click: wait for its button before asking it.
  await block.locator('button.try-out__btn').waitFor();
  const tryOut = block.locator('button.try-out__btn', {hasText: 'Try it out'});
  if (await tryOut.count()) await tryOut.click();
  for (const [name, value] of Object.entries(parameters)) {
    await block.locator(`tr[data-param-name="${name}"] input`).fill(value);
  }
  const clear = block.locator('button.btn-clear');
  if (await clear.count()) await clear.click();
  const sent = page.waitForRequest((request) => request.method() !== 'OPTIONS' && request.url().startsWith(`${origin}/api/billing/`)
    && !request.url().endsWith('/openapi.json'));
  await block.locator('button.execute').click();
  const request = (await sent).headers();
  const row = block.locator('.live-responses-table .response').first();
  const status = (await row.locator('.response-col_status').textContent()).trim();
  const text = await row.locator('.microlight').first().textContent();
  let body = null;
  try { body = JSON.parse(text); } catch { body = text; }
  return {request, status, body};
}
