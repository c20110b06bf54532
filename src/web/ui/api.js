// Talking to the nslab ui server: JSON requests (the token travels in the HttpOnly cookie the
// server set on the first visit) and the live event stream.

/** GET or POST JSON; throws Error with the server's message on a non-2xx answer. */
export async function api(path, body) {
  const init = body === undefined
    ? { credentials: 'same-origin' }
    : { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
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
  const es = new EventSource('/api/events');
  es.onopen = () => onState(true);
  es.onerror = () => onState(false);
  es.onmessage = (m) => onTick(JSON.parse(m.data));
  es.addEventListener('problem', (m) => console.warn('nslab ui:', JSON.parse(m.data).error));
  return es;
}
