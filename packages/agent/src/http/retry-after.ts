import type { IncomingHttpHeaders } from 'node:http';

/** Upper bound on a server-requested wait so a bad header cannot park an upload for hours. */
const MAX_RETRY_AFTER_MS = 120_000;

/** The `Retry-After` header (delta-seconds or HTTP date) in ms, or undefined when absent or unusable. */
export function retryAfterMs(headers: IncomingHttpHeaders, now: number = Date.now()): number | undefined {
  const raw = headers['retry-after'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.max(0, Math.min(ms, MAX_RETRY_AFTER_MS));
}
