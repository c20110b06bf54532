// Talking to the nslab ui server: JSON requests and the live event stream, each carrying the
// token. The token came once in the page's URL and is kept in sessionStorage, which only this
// origin (this port of 127.0.0.1) can read, so a reload keeps working; never in a cookie, which
// every port of the host would receive.

const KEY = 'nslab-ui-token';

/** Take the token out of the address bar into this origin's sessionStorage; the token, or null. */
export function adoptToken() {
  const fromUrl = new URLSearchParams(location.search).get('token');
  if (fromUrl) {
    sessionStorage.setItem(KEY, fromUrl);
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem(KEY);
}

const token = () => sessionStorage.getItem(KEY) ?? '';

/** GET or POST JSON; throws Error with the server's message on a non-2xx answer. */
export async function api(path, body) {
  const auth = { Authorization: `Bearer ${token()}` };
  const init =
    body === undefined
      ? { credentials: 'omit', headers: auth }
      : { method: 'POST', credentials: 'omit', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
  const res = await fetch(path, init);
  const text = await res.text();
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    value = { error: text.trim() };
  }
  if (!res.ok) throw new Error(value.error || `${res.status} ${res.statusText}`);
  return value;
}

/** Subscribe to live ticks; onState(true|false) follows the connection. */
export function live(onTick, onState) {
  // EventSource cannot send headers: the token goes in the query (same origin, never stored).
  const es = new EventSource(`/api/events?token=${encodeURIComponent(token())}`);
  es.onopen = () => onState(true);
  es.onerror = () => onState(false);
  es.onmessage = (m) => onTick(JSON.parse(m.data));
  es.addEventListener('problem', (m) => console.warn('nslab ui:', JSON.parse(m.data).error));
  return es;
}
