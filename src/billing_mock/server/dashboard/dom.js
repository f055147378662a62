// Small DOM helpers. Everything shown goes through text nodes and attributes, never
// innerHTML: organisation names, paths and journal bodies are input from anyone.

const SVG = 'http://www.w3.org/2000/svg';

/** An element: h('td', {class: 'x', 'aria-label': 'y', onclick: f}, 'text', child, ...). */
export function h(tag, props = {}, ...children) {
  return fill(document.createElement(tag), props, children);
}

/** An SVG element, like h. */
export function s(tag, props = {}, ...children) {
  return fill(document.createElementNS(SVG, tag), props, children);
}

function fill(element, props, children) {
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replace every child of `element` with `children`. */
export function replace(element, ...children) {
  element.replaceChildren();
  return fill(element, {}, children);
}

/** `2026-11-15T09:30:00Z` as `15 Nov 2026, 09:30 UTC`. */
export function instant(text) {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return text;
  const day = date.toLocaleDateString('en-GB', {day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC'});
  const time = date.toLocaleTimeString('en-GB', {hour: '2-digit', minute: '2-digit', timeZone: 'UTC'});
  return `${day}, ${time} UTC`;
}

/** A <time> element showing `text` (an ISO 8601 instant) for people. */
export function time(text) {
  return h('time', {datetime: text}, instant(text));
}

/** Put `text` on the clipboard; resolves to whether it worked. */
export async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Not a secure context (a page on a name other than localhost): the old way.
    const area = h('textarea', {class: 'visually-hidden', 'aria-hidden': 'true'}, text);
    document.body.append(area);
    area.select();
    const done = document.execCommand('copy');
    area.remove();
    return done;
  }
}
