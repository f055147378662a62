// The billing timeline: a sandbox's events (GET /__mock/events) drawn in time order, one
// lane per organisation, from the clock's start to its present; events at one instant
// stack upwards. The same events are listed in a table for keyboards and screen readers.

import {h, instant, replace, s} from './dom.js';

/** Families of events, each drawn in its own shape and colour (style.css: .k-<name>). */
export const KINDS = [
  {name: 'invoice', label: 'Invoice', shape: 'square', types: ['invoice.created', 'invoice.paid']},
  {name: 'paid', label: 'Payment', shape: 'circle', types: ['payment.succeeded']},
  {name: 'failed', label: 'Failed payment', shape: 'circle', types: ['payment.failed']},
  {name: 'dunning', label: 'Dunning, overdue', shape: 'triangle', types: ['subscription.past_due', 'subscription.unpaid', 'invoice.overdue']},
  {name: 'cancelled', label: 'Cancellation', shape: 'cross', types: ['subscription.cancelled']},
  {name: 'subscription', label: 'Subscription', shape: 'diamond', types: ['subscription.activated', 'subscription.renewed', 'trial.ended']},
  {name: 'expiry', label: 'Expiry', shape: 'ring', types: ['payment_method.expired', 'order.expired']},
];

const WIDTH = 1000;
const LEFT = 170;
const RIGHT = 24;
const TOP = 34;
const LANE = 66;
const MARK = 5;
const DAY = 86400000;

function kindOf(type) {
  return KINDS.find((kind) => kind.types.includes(type)) || KINDS[KINDS.length - 1];
}

/** The legend: one swatch per family. */
export function drawLegend(container) {
  replace(container, KINDS.map((kind) => h('span', {class: 'legend-item'},
    s('svg', {width: 14, height: 14, viewBox: '-7 -7 14 14'}, marker(kind, 0, 0)), ' ', kind.label)));
}

/**
 * Draw `events` (oldest first) of `organisations` ([{handle, name}]) between the clock's
 * `start` and `now` into `container`, and list them in `table`'s body.
 */
export function drawTimeline(container, table, {start, now, events, organisations}) {
  const from = Date.parse(start);
  const last = events.length ? Date.parse(events[events.length - 1].at) : from;
  const to = Math.max(Date.parse(now), last, from + DAY);
  const x = (at) => LEFT + ((Date.parse(at) - from) / (to - from)) * (WIDTH - LEFT - RIGHT);
  const height = TOP + LANE * organisations.length + 8;
  const svg = s('svg', {
    viewBox: `0 0 ${WIDTH} ${height}`, width: '100%', role: 'img',
    'aria-label': events.length
      ? `Billing timeline: ${events.length} events from ${instant(start)} to ${instant(now)}; the table below lists them.`
      : 'Billing timeline: no events yet.',
  });
  svg.append(axis(from, to, x, height));
  organisations.forEach((org, index) => {
    svg.append(lane(org, index, events.filter((event) => event.organisation === org.handle), x));
  });
  const nowX = x(now);
  svg.append(s('line', {class: 'now', x1: nowX, x2: nowX, y1: TOP - 6, y2: height - 4}),
    s('text', {class: 'now-label', x: nowX, y: 12, 'text-anchor': 'end'}, 'now'));
  replace(container, svg, events.length ? null : h('p', {class: 'empty'}, 'No events yet: move the clock.'));
  replace(table.tBodies[0], events.map(eventRow));
}

function lane(org, index, events, x) {
  const top = TOP + LANE * index;
  const group = s('g', {class: 'lane'},
    s('rect', {class: index % 2 ? 'lane-bg odd' : 'lane-bg', x: 0, y: top, width: WIDTH, height: LANE}),
    s('text', {class: 'lane-label', x: 8, y: top + 24}, org.handle),
    s('text', {class: 'lane-sub', x: 8, y: top + 42}, `${events.length} event${events.length === 1 ? '' : 's'}`),
    s('line', {class: 'lane-axis', x1: LEFT, x2: WIDTH - RIGHT, y1: top + LANE - 10, y2: top + LANE - 10}));
  // Events at one instant (a renewal's invoice, payment, paid invoice) stack upwards.
  const stacks = new Map();
  for (const event of events) {
    const list = stacks.get(event.at) || [];
    list.push(event);
    stacks.set(event.at, list);
  }
  for (const [at, stack] of stacks) {
    const step = Math.min(12, (LANE - 18) / stack.length);
    stack.forEach((event, depth) => {
      const kind = kindOf(event.type);
      const y = top + LANE - 10 - MARK - depth * step;
      group.append(s('g', {class: `event k-${kind.name}`, 'data-type': event.type},
        s('title', {}, describe(event)), marker(kind, x(at), y)));
    });
  }
  return group;
}

function marker(kind, cx, cy) {
  const r = MARK;
  const cls = `mark k-${kind.name}`;
  switch (kind.shape) {
    case 'square': return s('rect', {class: cls, x: cx - r, y: cy - r, width: 2 * r, height: 2 * r});
    case 'triangle': return s('polygon', {class: cls, points: `${cx},${cy - r - 1} ${cx + r + 1},${cy + r} ${cx - r - 1},${cy + r}`});
    case 'diamond': return s('polygon', {class: cls, points: `${cx},${cy - r - 1} ${cx + r + 1},${cy} ${cx},${cy + r + 1} ${cx - r - 1},${cy}`});
    case 'cross': return s('path', {class: `${cls} stroke`, d: `M${cx - r},${cy - r}L${cx + r},${cy + r}M${cx + r},${cy - r}L${cx - r},${cy + r}`});
    case 'ring': return s('circle', {class: `${cls} stroke`, cx, cy, r: r - 1});
    default: return s('circle', {class: cls, cx, cy, r});
  }
}

function axis(from, to, x, height) {
  const group = s('g', {class: 'axis'});
  for (const tick of ticks(from, to)) {
    const at = new Date(tick).toISOString();
    const tx = x(at);
    group.append(s('line', {class: 'tick', x1: tx, x2: tx, y1: TOP - 6, y2: height - 4}),
      s('text', {class: 'tick-label', x: tx, y: TOP - 10, 'text-anchor': 'middle'}, tickLabel(tick, to - from)));
  }
  return group;
}

/** UTC midnights or firsts of a month between `from` and `to`: ten at most. */
function ticks(from, to) {
  const days = (to - from) / DAY;
  for (const step of [1, 2, 7, 14]) {
    if (days / step <= 10) {
      const first = Math.ceil(from / DAY) * DAY;
      const found = [];
      for (let at = first; at <= to; at += step * DAY) found.push(at);
      return found;
    }
  }
  // Firsts of a month, every `step` months counted from year 0, so a step of 12 is January.
  const step = [1, 2, 3, 6, 12, 24, 60].find((size) => days / 30.4 / size <= 10) || 120;
  const begin = new Date(from);
  let index = Math.ceil((begin.getUTCFullYear() * 12 + begin.getUTCMonth() + 1) / step) * step;
  const found = [];
  for (let at = first(index); at <= to; index += step, at = first(index)) found.push(at);
  return found;
}

function first(monthIndex) {
  return Date.UTC(Math.floor(monthIndex / 12), monthIndex % 12, 1);
}

function tickLabel(tick, span) {
  const date = new Date(tick);
  const options = span > 300 * DAY
    ? {month: 'short', year: 'numeric', timeZone: 'UTC'}
    : {day: 'numeric', month: 'short', timeZone: 'UTC'};
  return date.toLocaleDateString('en-GB', options);
}

function describe(event) {
  const parts = [instant(event.at), event.organisation, event.type];
  if (event.reason) parts.push(`${event.reason}${event.attempt ? `, attempt ${event.attempt} of 4` : ''}`);
  for (const id of [event.invoice, event.payment, event.order, event.paymentMethod]) if (id) parts.push(id);
  return parts.join(' · ');
}

function eventRow(event) {
  const kind = kindOf(event.type);
  const why = event.reason ? `${event.reason}${event.attempt ? ` (attempt ${event.attempt})` : ''}` : '';
  return h('tr', {'data-type': event.type},
    h('td', {}, h('time', {datetime: event.at}, instant(event.at))),
    h('td', {}, event.organisation),
    h('td', {}, h('span', {class: `badge k-${kind.name}`}, event.type)),
    h('td', {}, event.invoice ? h('code', {}, event.invoice) : ''),
    h('td', {}, event.payment ? h('code', {}, event.payment) : ''),
    h('td', {}, why));
}
