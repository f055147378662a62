// The dashboard: the APIs (listed by the server in the page), the fixture organisations
// and their credentials, the sandboxes, one sandbox's clock and billing timeline
// (/?sandbox=<name>), and the request journal. Everything it does is a control API call
// (control.js), so a script can do the same.

import {ControlError, control, hasToken, keepToken} from './control.js';
import {copy, h, instant, replace} from './dom.js';
import {startJournal} from './journal.js';
import {drawLegend, drawTimeline} from './timeline.js';

const $ = (id) => document.getElementById(id);
const SANDBOX = new URLSearchParams(location.search).get('sandbox');
const REFRESH_MS = 3000;
const ROLES = {owner: 'Owner', admin: 'Admin', member: 'Member', super_admin: 'Super Admin'};

const apis = [...document.querySelectorAll('#api-rows tr[data-api]')].map((row) => ({
  name: row.dataset.api,
  title: row.querySelector('th').textContent,
}));
const holders = new Map(); // masked credential -> who holds it, for the journal
let organisations = [];
let scenarios = [];
let refused = false;

function say(message, kind = 'info') {
  const status = $('status');
  status.textContent = message;
  status.dataset.kind = kind;
}

function failed(error) {
  if (error instanceof ControlError && (error.status === 401 || error.status === 403)) {
    if (!refused) {
      refused = true;
      const hint = hasToken()
        ? 'Check the control token above.'
        : 'If the server was started with --control-token, paste that token above.';
      say(`The control API refused this page (${error.status}: ${error.message}). ${hint}`, 'error');
      $('token').focus();
    }
    return;
  }
  say(error.message, 'error');
}

/** Run a control API call for a button or form, reporting its outcome. */
async function act(work, done) {
  try {
    const result = await work();
    if (done) say(typeof done === 'function' ? done(result) : done);
    return result;
  } catch (error) {
    failed(error);
    return undefined;
  }
}

// --- organisations and credentials ---------------------------------------------------

async function loadOrganisations() {
  const [list, known] = await Promise.all([control('GET', '/credentials'), control('GET', '/scenarios')]);
  organisations = list.organisations;
  scenarios = known.scenarios;
  holders.clear();
  for (const org of organisations) {
    for (const member of org.members) {
      for (const credential of member.credentials) {
        const own = credential.kind === 'apiKey' || credential.kind === 'session';
        // A JWT, API token or bearer is the user's in every organisation; a key is one membership's.
        if (own) holders.set(credential.masked, `${member.email}, ${ROLES[member.role]} of ${org.handle}`);
        else if (!holders.has(credential.masked)) holders.set(credential.masked, member.email);
      }
    }
  }
  const vendor = apis.filter((api) => organisations.some((org) => org.members.some(
    (member) => member.credentials.some((credential) => credential.apis.includes(api.name)))));
  replace($('organisation-list'), organisations.map((org) => organisationCard(org, vendor)));
  replace($('scenario-fields'), organisations.map(scenarioField));
}

function organisationCard(org, vendor) {
  const id = `org-${org.handle}`;
  return h('article', {class: 'org', 'aria-labelledby': id},
    h('h3', {id}, org.handle, ' ', h('span', {class: 'hint'}, `${org.name} · ${org.currency}`)),
    h('p', {}, 'orgId ', h('code', {}, org.id), ' ', copyButton(org.id, `Copy the orgId of ${org.handle}`)),
    h('div', {class: 'scroll'}, h('table', {class: 'grid creds'},
      h('thead', {}, h('tr', {},
        h('th', {scope: 'col'}, 'Role'), h('th', {scope: 'col'}, 'User'),
        vendor.map((api) => h('th', {scope: 'col'}, api.title)))),
      h('tbody', {}, org.members.map((member) => h('tr', {},
        h('th', {scope: 'row'}, ROLES[member.role]),
        h('td', {}, member.email),
        vendor.map((api) => h('td', {}, member.credentials
          .filter((credential) => credential.apis.includes(api.name))
          .map((credential) => credentialView(credential, member, api))))))))));
}

function credentialView(credential, member, api) {
  const line = `${credential.header}: ${credential.value}`;
  const also = Object.entries(credential.also).map(([name, value]) => `${name}: ${value}`);
  return h('div', {class: 'cred'},
    h('code', {class: 'secret', title: line}, line),
    copyButton(line, `Copy the ${credential.kind} header of ${member.email} for ${api.title}`),
    also.length ? h('span', {class: 'hint'}, ' with ', also.map((text) => h('code', {}, text))) : '');
}

function copyButton(text, label) {
  return h('button', {
    type: 'button', class: 'copy', 'aria-label': label,
    onclick: async (event) => {
      const button = event.currentTarget;
      const ok = await copy(text);
      button.textContent = ok ? 'Copied' : 'Copy failed';
      setTimeout(() => { button.textContent = 'Copy'; }, 1500);
    },
  }, 'Copy');
}

function scenarioField(org) {
  return h('label', {}, org.handle, ' ',
    h('select', {name: `scenario:${org.handle}`},
      h('option', {value: ''}, 'as the fixtures say'),
      scenarios.map((scenario) => h('option', {value: scenario.name, title: scenario.description}, scenario.name))));
}

// --- sandboxes -----------------------------------------------------------------------

let shownSandboxes = '';

async function loadSandboxes() {
  const {sandboxes} = await control('GET', '/sandboxes');
  const key = JSON.stringify(sandboxes);
  if (key === shownSandboxes) return; // unchanged: keep the rows (and the focus in them)
  shownSandboxes = key;
  replace($('sandbox-table').tBodies[0], sandboxes.map(sandboxRow));
}

function sandboxRow(sandbox) {
  const link = `/?sandbox=${encodeURIComponent(sandbox.name)}`;
  const pairs = Object.entries(sandbox.scenarios);
  return h('tr', {'data-sandbox': sandbox.name},
    h('th', {scope: 'row'}, h('a', {href: link}, sandbox.name)),
    h('td', {class: 'num'}, sandbox.seed),
    h('td', {}, pairs.length ? pairs.map(([handle, name]) => h('div', {}, `${handle}: ${name}`)) : '–'),
    h('td', {}, h('div', {class: 'buttons'},
      h('a', {class: 'button', href: link, 'aria-label': `Open sandbox ${sandbox.name}`}, 'Open'),
      h('button', {type: 'button', 'aria-label': `Reset sandbox ${sandbox.name}`, onclick: () => resetSandbox(sandbox.name)}, 'Reset'),
      sandbox.default ? '' : h('button', {
        type: 'button', class: 'danger', 'aria-label': `Delete sandbox ${sandbox.name}`,
        onclick: () => deleteSandbox(sandbox.name),
      }, 'Delete'))));
}

async function resetSandbox(name) {
  // Without the header, reset acts on default (and restarts its fault draws, as a fresh server).
  const sandbox = name === 'default' ? undefined : name;
  await act(() => control('POST', '/reset', {sandbox}), `Sandbox ${name} is back at its start.`);
  if (name === SANDBOX) await showSandbox(true);
}

async function deleteSandbox(name) {
  await act(() => control('DELETE', `/sandboxes/${encodeURIComponent(name)}`), `Sandbox ${name} deleted.`);
  await act(loadSandboxes);
  if (name === SANDBOX) await showSandbox(true);
}

async function createSandbox(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const data = new FormData(form);
  const name = data.get('name').trim();
  const body = {scenarios: {}};
  if (data.get('seed') !== '') body.seed = Number(data.get('seed'));
  for (const [field, value] of data) {
    if (field.startsWith('scenario:') && value) body.scenarios[field.slice(9)] = value;
  }
  const made = await act(() => control('PUT', `/sandboxes/${encodeURIComponent(name)}`, {body}));
  if (!made) return;
  await act(loadSandboxes);
  say(`Sandbox ${name} is ready (seed ${made.seed}).`);
  const open = $('sandbox-table').querySelector(`tr[data-sandbox="${CSS.escape(name)}"] a`);
  if (open) open.focus();
}

// --- one sandbox: its clock and billing timeline ---------------------------------------

let shownTimeline = '';

async function showSandbox(force = false) {
  const section = $('sandbox');
  // From the list, not GET /sandboxes/{name}: a sandbox gone is no error here. And its
  // clock is not asked for then, which would make it again.
  const {sandboxes} = await control('GET', '/sandboxes');
  if (!sandboxes.some((sandbox) => sandbox.name === SANDBOX)) {
    shownTimeline = '';
    section.classList.add('missing');
    replace($('timeline'), h('p', {class: 'empty'}, `There is no sandbox ${SANDBOX} now. `,
      h('button', {type: 'button', onclick: () => makeOpened()}, `Create ${SANDBOX}`)));
    replace($('event-table').tBodies[0]);
    return;
  }
  section.classList.remove('missing');
  const [clock, {events}] = await Promise.all([
    control('GET', '/clock', {sandbox: SANDBOX}),
    control('GET', '/events', {sandbox: SANDBOX}),
  ]);
  const key = JSON.stringify([clock.now, events.length, events.length && events[events.length - 1].id]);
  if (!force && key === shownTimeline) return;
  shownTimeline = key;
  for (const [id, at] of [['clock-now', clock.now], ['clock-start', clock.start]]) {
    $(id).setAttribute('datetime', at);
    $(id).textContent = instant(at);
  }
  drawTimeline($('timeline'), $('event-table'), {start: clock.start, now: clock.now, events, organisations});
}

async function makeOpened() {
  await act(() => control('PUT', `/sandboxes/${encodeURIComponent(SANDBOX)}`, {body: {}}), `Sandbox ${SANDBOX} made.`);
  await act(loadSandboxes);
  await act(() => showSandbox(true));
}

async function moveClock(move) {
  const moved = await act(() => control('POST', '/clock', {sandbox: SANDBOX, body: move}),
    (result) => `Clock moved from ${instant(result.previous)} to ${instant(result.now)}: ${result.events.length} event${result.events.length === 1 ? '' : 's'}.`);
  if (moved) await act(() => showSandbox(true));
}

function openSandbox() {
  const section = $('sandbox');
  section.hidden = false;
  $('sandbox-name').textContent = SANDBOX;
  document.title = `${SANDBOX} · billing-mock dashboard`;
  $('main').prepend(section); // the sandbox asked for comes first
  drawLegend($('legend'));
  for (const button of section.querySelectorAll('button[data-advance]')) {
    button.addEventListener('click', () => moveClock({advance: button.dataset.advance}));
  }
  $('clock-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('clock-move').value.trim();
    moveClock(/^p/i.test(value) ? {advance: value.toUpperCase()} : {to: value});
  });
  $('sandbox-reset').addEventListener('click', () => resetSandbox(SANDBOX));
  $('journal-filters').elements.sandbox.value = SANDBOX;
}

// --- start ---------------------------------------------------------------------------

async function load() {
  refused = false;
  await act(async () => {
    await loadOrganisations();
    await loadSandboxes();
    if (SANDBOX) await showSandbox(true);
  });
}

function tokenForm() {
  const form = $('token-form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    keepToken($('token').value.trim());
    say(hasToken() ? 'Using the token given.' : 'No token: sending local.');
    load().then(() => journal && journal.restart());
  });
  $('token-forget').addEventListener('click', () => {
    keepToken('');
    $('token').value = '';
    say('Token forgotten: sending local.');
    load().then(() => journal && journal.restart());
  });
}

let journal;

if (SANDBOX) openSandbox();
$('sandbox-form').addEventListener('submit', createSandbox);
tokenForm();
load().then(() => {
  // After the credentials, so the journal can name who sent each request.
  journal = startJournal({
    table: $('journal-table'),
    form: $('journal-filters'),
    clear: $('journal-clear'),
    count: $('journal-count'),
    who: (masked) => holders.get(masked),
    failed,
  });
  // Others (tests, scripts) change sandboxes and clocks too: follow them.
  setInterval(() => {
    if (refused) return;
    act(loadSandboxes);
    if (SANDBOX) act(() => showSandbox());
  }, REFRESH_MS);
});
