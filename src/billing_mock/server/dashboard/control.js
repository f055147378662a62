// The control API (/__mock), as the page calls it: every request carries
// X-Mock-Control-Token. A server started without a token takes any value from a loopback
// caller, so the page sends `local`; with one, the user pastes it once, and it is kept in
// sessionStorage (this tab only, never sent anywhere but this origin).

const KEY = 'billing-mock.control-token';
const DEFAULT_TOKEN = 'local';

export class ControlError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function token() {
  return sessionStorage.getItem(KEY) || DEFAULT_TOKEN;
}

export function keepToken(value) {
  if (value) sessionStorage.setItem(KEY, value);
  else sessionStorage.removeItem(KEY);
}

export function hasToken() {
  return sessionStorage.getItem(KEY) !== null;
}

/**
 * Call the control API: control('POST', '/clock', {sandbox, body, query}).
 * Resolves to the JSON body (null for 204); rejects with a ControlError carrying the
 * status and the API's own message ({"error": {"status", "message"}}).
 */
export async function control(method, path, {sandbox, body, query} = {}) {
  const headers = {'X-Mock-Control-Token': token()};
  if (sandbox) headers['X-Mock-Sandbox'] = sandbox;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const search = query ? '?' + new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '' && v !== undefined && v !== null)) : '';
  let response;
  try {
    response = await fetch('/__mock' + path + search, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (error) {
    throw new ControlError(0, 'The mock did not answer: is it still running?');
  }
  if (response.status === 204) return null;
  const answer = await response.json().catch(() => null);
  if (!response.ok) {
    const message = answer && answer.error ? answer.error.message : response.statusText;
    throw new ControlError(response.status, message);
  }
  return answer;
}
