// The request journal, live: GET /__mock/requests polled for entries newer than the
// newest shown (`after`), prepended, each row expandable to both sides' headers and
// bodies. Filters are the API's own (sandbox, method, path prefix, status).

import {control} from './control.js';
import {h} from './dom.js';

const POLL_MS = 1000;
const MAX_ROWS = 200;

/**
 * Start the journal in `table`, filtered by `form`; `clear` empties it, `count` shows how
 * many are listed, `who(credential)` names the fixture user a masked credential is,
 * `failed(error)` reports a refused or failed call.
 */
export function startJournal({table, form, clear, count, who, failed}) {
  const body = table.tBodies[0];
  let newest = 0;
  let rows = 0;
  let generation = 0;
  let timer;

  const filters = () => {
    const data = new FormData(form);
    return {
      sandbox: data.get('sandbox').trim(),
      method: data.get('method'),
      path: data.get('path').trim(),
      status: data.get('status').trim(),
    };
  };

  async function poll() {
    clearTimeout(timer);
    const mine = generation;
    if (form.checkValidity()) {
      try {
        const query = {...filters(), after: newest || undefined, limit: MAX_ROWS};
        const {requests, capacity} = await control('GET', '/requests', {query});
        if (mine !== generation) return; // the filters changed meanwhile
        show(requests, capacity);
      } catch (error) {
        failed(error);
      }
    }
    if (mine === generation && form.elements.live.checked) timer = setTimeout(poll, POLL_MS);
  }

  function show(requests, capacity) {
    if (requests.length) {
      newest = requests[0].id;
      const fragment = document.createDocumentFragment();
      for (const entry of requests) fragment.append(...entryRows(entry, who));
      body.prepend(fragment);
      rows += requests.length;
      while (rows > MAX_ROWS) {
        body.lastElementChild.remove(); // the detail row
        body.lastElementChild.remove(); // its entry
        rows -= 1;
      }
    }
    count.textContent = rows
      ? `${rows} shown; the server keeps the last ${capacity}.`
      : `Nothing yet: requests to the vendor APIs show here (the server keeps the last ${capacity}).`;
  }

  function restart() {
    generation += 1;
    newest = 0;
    rows = 0;
    body.replaceChildren();
    poll();
  }

  let typing;
  form.addEventListener('input', (event) => {
    if (event.target.name === 'live') return;
    clearTimeout(typing);
    typing = setTimeout(restart, 300);
  });
  form.addEventListener('change', (event) => {
    if (event.target.name === 'live') poll();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    restart();
  });
  clear.addEventListener('click', async () => {
    try {
      await control('DELETE', '/requests');
      restart();
    } catch (error) {
      failed(error);
    }
  });
  poll();
  return {refresh: poll, restart};
}

function entryRows(entry, who) {
  const detailId = `entry-${entry.id}-detail`;
  const detail = h('tr', {id: detailId, class: 'detail', hidden: true});
  const toggle = h('button', {
    type: 'button', class: 'toggle', 'aria-expanded': 'false', 'aria-controls': detailId,
    'aria-label': `Headers and bodies of request ${entry.id}`,
  }, '▸');
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    if (open && !detail.firstChild) detail.append(h('td', {colspan: 10}, sides(entry)));
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = open ? '▾' : '▸';
    detail.hidden = !open;
  });
  const status = entry.status === 0 ? 'dropped' : entry.status;
  const credential = entry.credential;
  const row = h('tr', {class: 'entry', 'data-id': entry.id},
    h('td', {}, toggle),
    h('td', {class: 'num'}, entry.id),
    h('td', {}, h('time', {datetime: entry.receivedAt}, entry.receivedAt.slice(11, 23))),
    h('td', {}, entry.method),
    h('td', {class: 'path'}, h('code', {}, entry.path), entry.query ? h('span', {class: 'query'}, '?' + entry.query) : ''),
    h('td', {class: `status s-${String(entry.status)[0]}`}, status),
    h('td', {class: 'num'}, entry.latencyMs.toFixed(1)),
    h('td', {}, entry.sandbox),
    h('td', {}, entry.scenario || '–'),
    h('td', {}, credential
      ? [h('span', {class: 'kind'}, credential.kind), ' ', h('code', {}, credential.masked),
        who(credential.masked) ? h('span', {class: 'who'}, who(credential.masked)) : '']
      : '–'));
  return [row, detail];
}

function sides(entry) {
  return h('div', {class: 'sides'},
    side(`Request: ${entry.method} ${entry.path}${entry.query ? '?' + entry.query : ''}`, entry.request),
    side(`Response: ${entry.status === 0 ? 'dropped' : entry.status}`, entry.response));
}

function side(title, {headers, body}) {
  return h('section', {class: 'side'},
    h('h4', {}, title),
    headers.length
      ? h('table', {class: 'headers'}, h('tbody', {}, headers.map(({name, value}) =>
        h('tr', {}, h('th', {scope: 'row'}, name), h('td', {}, h('code', {}, value))))))
      : h('p', {class: 'hint'}, 'No headers.'),
    bodyView(body));
}

function bodyView(body) {
  if (body.size === 0) return h('p', {class: 'hint'}, 'No body.');
  const size = `${body.size.toLocaleString('en')} bytes`;
  if (body.text === null) {
    return h('p', {class: 'hint'}, `${body.mediaType || 'a body'} of ${size}: binary, not shown.`);
  }
  let text = body.text;
  if (!body.truncated && /json/i.test(body.mediaType || '')) {
    try {
      text = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // Not JSON after all: shown as it came.
    }
  }
  return [
    h('p', {class: 'hint'}, `${body.mediaType || 'no Content-Type'}, ${size}${body.truncated ? ': only the first 4096 bytes are kept' : ''}.`),
    h('pre', {class: 'body', tabindex: 0}, text),
  ];
}
