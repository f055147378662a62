#!/usr/bin/env node
// The Razorpay Checkout stand-in (/razorpay/v1/checkout.js) in real Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core; no browser is ever downloaded), on
// tests/browser/checkout.html served from another localhost port than the mock. Run by
// tests/e2e/test_checkout_standin.py:
//
//   node tests/browser/checkout.spec.mjs <page url> <mock origin>
//
// Prints `ok <check>` or `not ok <check>: <why>` per check, then `N passed, N failed`;
// exits 0 only if every check passed.

import {attempt, finish, launch} from './tap.mjs';

const [pageUrl, mock] = process.argv.slice(2);
if (!pageUrl || !mock) {
  console.error('usage: node checkout.spec.mjs <page url> <mock origin>');
  process.exit(2);
}

const TIMEOUT = 5_000;
const SANDBOX = 'pw-checkout';
const OWNER_KEY = 'bmk_20f0a34abf93f820df1b49035b3ed283'; // lumen.studio's Owner: its trial lapsed
const ERROR_FIELDS = ['code', 'description', 'source', 'step', 'reason', 'metadata'];

/** Here a check passes only on `true`; anything else is printed as its reason. */
const exactly = (name, step) => attempt(name, step, {exact: true});

/** subscription/me in the test's sandbox, from outside the page. */
async function status() {
  const response = await fetch(`${mock}/api/billing/subscription/me`, {
    headers: {'X-API-Key': OWNER_KEY, 'X-Mock-Sandbox': SANDBOX},
  });
  return (await response.json()).status;
}

const browser = await launch();
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errors = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(String(error)));
  const events = () => page.evaluate(() => window.events);
  const last = async (type) => {
    await page.waitForFunction((wanted) => window.events.some((e) => e.type === wanted), type);
    return (await events()).filter((e) => e.type === type).at(-1);
  };
  const dialog = page.getByRole('dialog');
  const buy = async () => {
    const before = (await events()).filter((e) => e.type === 'checkout').length;
    await page.getByRole('button', {name: 'Buy'}).click();
    await page.waitForFunction((n) => window.events.filter((e) => e.type === 'checkout').length > n, before);
    await dialog.waitFor();
    return (await events()).filter((e) => e.type === 'checkout').at(-1);
  };

  const query = new URLSearchParams({mock, sandbox: SANDBOX, key: OWNER_KEY});
  await page.goto(`${pageUrl}?${query}`);
  await last('loaded');

  await exactly('the page and the mock are on different origins', async () =>
    new URL(page.url()).origin !== new URL(mock).origin);

  let checkout;
  await exactly("open() shows the order's amount and currency", async () => {
    checkout = await buy();
    const text = (await dialog.textContent()).replace(/,/g, '');
    const razorpay = checkout.body.razorpay;
    return checkout.status === 201 && razorpay.currency === 'INR' && text.includes(`₹${checkout.body.amount}`)
      && text.includes(razorpay.name) && text.includes(razorpay.prefill.email) || text;
  });

  await exactly('focus starts on Pay, stays in the modal, and Tab cycles its buttons', async () => {
    const focused = () => page.evaluate(() => document.activeElement.textContent);
    const seen = [await focused()];
    for (let i = 0; i < 3; i += 1) {
      await page.keyboard.press('Tab');
      seen.push(await focused());
    }
    await page.keyboard.press('Shift+Tab');
    seen.push(await focused());
    const names = seen.map((name) => name.split(' ')[0]);
    return JSON.stringify(names) === JSON.stringify(['Pay', 'Fail', 'Cancel', 'Pay', 'Cancel']) || names;
  });

  await exactly("Fail fires payment.failed with Razorpay's error object, and nothing changes", async () => {
    await dialog.getByRole('button', {name: /^Fail/}).click();
    const {error} = (await last('failed')).response;
    const fields = ERROR_FIELDS.every((field) => field in error);
    const metadata = error.metadata.order_id === checkout.body.orderId && /^pay_\w{14}$/.test(error.metadata.payment_id);
    const still = await dialog.isVisible(); // as the real one: open for a retry
    return fields && metadata && still && error.code === 'BAD_REQUEST_ERROR' && (await status()) === 'cancelled'
      || {error, still};
  });

  await exactly('Cancel calls ondismiss, closes the modal, and nothing changes', async () => {
    await dialog.getByRole('button', {name: 'Cancel'}).click();
    await last('dismissed');
    await dialog.waitFor({state: 'detached'});
    return (await status()) === 'cancelled';
  });

  await exactly('Escape is Cancel', async () => {
    const before = (await events()).filter((e) => e.type === 'dismissed').length;
    await buy();
    await page.keyboard.press('Escape');
    await page.waitForFunction((n) => window.events.filter((e) => e.type === 'dismissed').length > n, before);
    await dialog.waitFor({state: 'detached'});
    return true;
  });

  await exactly("Pay calls handler with Razorpay's three fields; the page's confirm activates", async () => {
    checkout = await buy();
    await dialog.getByRole('button', {name: /^Pay/}).click();
    const {response} = await last('paid');
    const confirmed = await last('confirmed');
    const ids = response.razorpay_order_id === checkout.body.orderId && /^pay_\w{14}$/.test(response.razorpay_payment_id)
      && /^[0-9a-f]{64}$/.test(response.razorpay_signature);
    return ids && confirmed.status === 200 && (await dialog.count()) === 0 && (await status()) === 'active'
      || {response, confirmed: confirmed.status};
  });

  await exactly('markup in the options is shown as text, never run', async () => {
    const shown = await page.evaluate(() => {
      const rzp = new Razorpay({key: 'k', order_id: 'o', amount: 100, currency: 'INR',
        name: '<img src=x onerror="window.pwned=1">'});
      rzp.open();
      const box = document.querySelector('[data-razorpay-standin]');
      const result = {text: box.textContent, images: box.querySelectorAll('img').length};
      rzp.close();
      return result;
    });
    await page.waitForTimeout(100);
    return shown.text.includes('<img src=x') && shown.images === 0 && !(await page.evaluate(() => window.pwned))
      || shown;
  });

  await exactly('no console error', async () => errors.length === 0 || errors);
} finally {
  await browser.close();
}
finish();
