#!/usr/bin/env node
// The dashboard in real Chromium (Debian's /usr/bin/chromium, driven by playwright-core;
// no browser is ever downloaded). Run by tests/e2e/test_dashboard.py against a served mock:
//
//   node tests/browser/dashboard.spec.mjs <origin> [--screenshots DIR]   a server without a control token
//   node tests/browser/dashboard.spec.mjs <origin> --token TOKEN         one started with --control-token TOKEN
//
// Prints `ok <check>` or `not ok <check>: <why>` per check, then `N passed, N failed`;
// exits 0 only if every check passed. With --screenshots, writes dashboard.png,
// timeline.png and journal.png there.

import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {parseArgs} from 'node:util';
import {attempt, check, finish, launch} from './tap.mjs';

const {values: options, positionals} = parseArgs({
  allowPositionals: true,
  options: {screenshots: {type: 'string'}, token: {type: 'string'}},
});
const [origin] = positionals;
if (!origin) {
  console.error('usage: node dashboard.spec.mjs <origin> [--screenshots DIR] [--token TOKEN]');
  process.exit(2);
}
const shots = options.screenshots;

const TIMEOUT = 10_000;
const PRIYA_KEY = 'bmk_30ad7e29f4ae54bbc956d62580a5a9ad';
const PRIYA_MASKED = 'bmk_30ad…a9ad';
const SANDBOX = 'pw-dashboard';
const APIS = [
  'Unpod platform billing', 'Stripe-backed billing details',
  'Razorpay-backed subscription billing', 'Cognita organization billing',
];
const HANDLES = ['recalll.co', 'northwind.io', 'tinylabs.dev', 'sakura.jp', 'lumen.studio'];

/** The control API from outside the page, as a test script would call it. */
async function control(method, path, sandbox) {
  const headers = {'X-Mock-Control-Token': options.token || 'local'};
  if (sandbox) headers['X-Mock-Sandbox'] = sandbox;
  const response = await fetch(origin + '/__mock' + path, {method, headers});
  return {status: response.status, body: response.status === 204 ? null : await response.json()};
}

const browser = await launch();
try {
  const context = await browser.newContext({viewport: {width: 1366, height: 900}});
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errors = [];
  const foreign = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.origin !== origin) foreign.push(request.url());
  });

  await attempt('the page could be driven to the end', async () => {
    await (options.token ? tokenChecks(page, options.token) : everyPart(page));
    return true;
  });
  if (!options.token) check('no console error', errors.length === 0, errors.join(' | '));
  check('no request to another origin', foreign.length === 0, foreign.join(' '));
} finally {
  await browser.close();
}

finish();

/** A server with a control token: the page asks for it, keeps it for the tab only. */
async function tokenChecks(page, token) {
  await page.goto(origin + '/');
  await attempt('without the token the page says the control API refused it', async () => {
    await page.locator('#status', {hasText: 'refused'}).waitFor();
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    return focused === 'token' && (await page.locator('#organisation-list article.org').count()) === 0;
  });
  await attempt('with the token pasted in the field, the page loads', async () => {
    await page.getByLabel('Control token').fill(token);
    await page.getByRole('button', {name: 'Use', exact: true}).click();
    await page.locator('#organisation-list article.org').first().waitFor();
    return true;
  });
  await attempt('the token is kept for this tab only, not in localStorage', async () => {
    await page.reload();
    await page.locator('#organisation-list article.org').first().waitFor();
    const stored = await page.evaluate(() => [localStorage.length, sessionStorage.length]);
    return stored[0] === 0 && stored[1] === 1;
  });
}

/** A server without a control token: every part of the page. */
async function everyPart(page) {
  await page.goto(origin + '/');
  await page.locator('#organisation-list article.org').first().waitFor();

  await attempt('the page lists the four APIs with Swagger UI and contract links', async () => {
    const titles = await page.locator('#api-rows th').allTextContents();
    const docs = await page.locator('#api-rows a', {hasText: 'Swagger UI'}).count();
    const yaml = await page.locator('#api-rows a', {hasText: 'YAML'}).count();
    return APIS.every((title) => titles.includes(title)) && docs >= 4 && yaml >= 4;
  });

  await attempt('the page lists the fixture organisations with a credential per role', async () => {
    const headings = (await page.locator('#organisation-list h3').allTextContents()).join(' ');
    const recalll = page.locator('#organisation-list article', {has: page.locator('h3', {hasText: 'recalll.co'})});
    const owner = recalll.locator('tr', {hasText: 'priya.sharma@recalll.co'});
    const key = await owner.locator('code.secret', {hasText: PRIYA_KEY}).count();
    const buttons = await owner.getByRole('button', {name: /Copy the apiKey header of priya/}).count();
    return HANDLES.every((handle) => headings.includes(handle)) && key === 1 && buttons === 1;
  });

  await attempt('a request made outside the page appears in the journal within seconds', async () => {
    const sent = await fetch(`${origin}/api/billing/subscription/me?from=outside`, {headers: {'X-API-Key': PRIYA_KEY}});
    if (sent.status !== 200) throw new Error(`the request answered ${sent.status}`);
    const row = page.locator('#journal-table tr.entry', {hasText: '/api/billing/subscription/me'}).first();
    await row.waitFor({timeout: 5000});
    const text = await row.textContent();
    return text.includes(PRIYA_MASKED) && text.includes('priya.sharma@recalll.co') && text.includes('200');
  });

  await attempt('a journal entry opens from the keyboard, its secrets masked', async () => {
    const row = page.locator('#journal-table tr.entry', {hasText: '/api/billing/subscription/me'}).first();
    await row.locator('button.toggle').focus();
    await page.keyboard.press('Enter');
    const detail = page.locator('#journal-table tr.detail:not([hidden])').first();
    await detail.waitFor();
    const shown = await detail.textContent();
    const whole = await page.locator('#journal').textContent();
    return shown.includes('x-api-key') && shown.includes(PRIYA_MASKED)
      && shown.includes('"status"') && !whole.includes(PRIYA_KEY);
  });

  await attempt('markup sent to the mock is shown as text, never run', async () => {
    const markup = '<img src=x onerror=window.hacked=1>';
    await fetch(`${origin}/api/billing/${encodeURIComponent('<b>bold</b>')}`, {headers: {'X-API-Key': PRIYA_KEY}});
    await fetch(`${origin}/api/billing/checkout`, {
      method: 'POST',
      headers: {'X-API-Key': PRIYA_KEY, 'Content-Type': 'application/json'},
      body: JSON.stringify({planId: 'growth', billingCycle: 'monthly', couponCode: markup}),
    });
    const path = page.locator('#journal-table tr.entry', {hasText: '/api/billing/<b>bold</b>'}).first();
    const row = page.locator('#journal-table tr.entry', {hasText: '/api/billing/checkout'}).first();
    await row.waitFor({timeout: 5000});
    await path.waitFor();
    await row.locator('button.toggle').click();
    const detail = page.locator('#journal-table tr.detail:not([hidden])', {hasText: 'couponCode'}).first();
    await detail.waitFor();
    const shown = await detail.textContent();
    const elements = await page.locator('#journal img, #journal b').count();
    return shown.includes(markup) && elements === 0 && !(await page.evaluate(() => window.hacked));
  });

  await attempt('a sandbox is created from the page with a scenario', async () => {
    await control('DELETE', `/sandboxes/${SANDBOX}`);
    const form = page.locator('#sandbox-form');
    await form.getByLabel('Name').fill(SANDBOX);
    await form.getByLabel('recalll.co').selectOption('failed-payment');
    await form.getByRole('button', {name: 'Create sandbox'}).click();
    await page.locator(`#sandbox-table tr[data-sandbox="${SANDBOX}"]`).waitFor();
    const made = await control('GET', `/sandboxes/${SANDBOX}`);
    return made.status === 200 && made.body.scenarios['recalll.co'] === 'failed-payment';
  });

  await attempt('/?sandbox=<name> opens the sandbox with its clock', async () => {
    await page.getByRole('link', {name: `Open sandbox ${SANDBOX}`}).click();
    await page.waitForURL(`**/?sandbox=${SANDBOX}`);
    await page.locator('#sandbox').waitFor();
    await page.locator('#clock-now', {hasText: '15 Nov 2026'}).waitFor();
    return (await page.locator('#sandbox-name').textContent()) === SANDBOX;
  });

  await attempt('after a clock move the timeline shows invoice.created and payment events', async () => {
    await page.getByRole('button', {name: '+1 month'}).click();
    await page.locator('#timeline g.event[data-type="invoice.created"]').first().waitFor();
    const types = await page.locator('#timeline g.event').evaluateAll(
      (marks) => marks.map((mark) => mark.dataset.type));
    const listed = await page.locator('#event-table tbody tr').count();
    const events = await control('GET', '/events', SANDBOX);
    return types.includes('payment.succeeded') && types.includes('payment.failed')
      && listed === events.body.events.length && listed === types.length;
  });

  await attempt('a duration typed in the field moves the clock', async () => {
    await page.getByLabel('ISO 8601 duration or instant').fill('P10D');
    await page.getByRole('button', {name: 'Move', exact: true}).click();
    await page.locator('#clock-now', {hasText: '25 Dec 2026'}).waitFor();
    return true;
  });

  if (shots) {
    mkdirSync(shots, {recursive: true});
    await page.locator('#sandbox').screenshot({path: join(shots, 'timeline.png')});
  }

  await attempt('reset from the page puts the sandbox back at its start', async () => {
    await page.getByRole('button', {name: 'Reset this sandbox'}).click();
    await page.locator('#clock-now', {hasText: '15 Nov 2026'}).waitFor();
    await page.locator('#event-table tbody tr').first().waitFor({state: 'detached'});
    const events = await control('GET', '/events', SANDBOX);
    return events.body.events.length === 0;
  });

  await attempt('delete from the page drops the sandbox', async () => {
    await page.getByRole('button', {name: `Delete sandbox ${SANDBOX}`}).click();
    await page.locator(`#sandbox-table tr[data-sandbox="${SANDBOX}"]`).waitFor({state: 'detached'});
    await page.getByRole('button', {name: `Create ${SANDBOX}`}).waitFor();
    const gone = await control('GET', `/sandboxes/${SANDBOX}`);
    return gone.status === 404;
  });

  if (shots) {
    await page.goto(origin + '/');
    await page.locator('#journal-table tr.entry').first().waitFor();
    await page.screenshot({path: join(shots, 'dashboard.png')});
    const confirm = page.locator('#journal-table tr.entry', {hasText: '/api/billing/subscription/me'}).first();
    await confirm.locator('button.toggle').click();
    await page.locator('#journal').screenshot({path: join(shots, 'journal.png')});
  }
}
