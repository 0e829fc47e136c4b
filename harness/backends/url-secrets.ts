// Credentials a user may put into an endpoint URL (`https://user:pass@host/v1?api-key=...`): the request
// needs them, nothing written may hold them. requestTarget() splits a URL into what fetch() is given (it
// refuses userinfo, so that becomes a Basic Authorization header) and displayUrl() is the only form that
// reaches a message, a manifest, a fingerprint or a log. Every query value is treated as a secret: a URL
// cannot say which of its parameters are keys, and an api-version shown as [redacted] costs nothing.

const REDACTED = '[redacted]';

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** The URL with userinfo and query values replaced by [redacted]; unparsable text is redacted whole. */
export function displayUrl(url: string): string {
  const u = parse(url);
  if (!u) return REDACTED;
  if (u.username) u.username = REDACTED;
  if (u.password) u.password = REDACTED;
  const keys = [...u.searchParams.keys()];
  if (keys.length) u.search = keys.map((k) => `${encodeURIComponent(k)}=${REDACTED}`).join('&');
  // URL percent-encodes the brackets; shown as written.
  return u.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED);
}

/** The secrets inside a URL (userinfo parts, query values), for scrubbing text a server sends back. */
export function urlSecrets(url: string): string[] {
  const u = parse(url);
  if (!u) return [];
  const out = [u.username, u.password, ...u.searchParams.values()].flatMap((s) => [s, decodeURIComponent(s)]);
  // Very short values ("1", "v2") would blank out ordinary words; they are not credentials worth the name.
  return [...new Set(out)].filter((s) => s.length >= 4);
}

/** What fetch() gets: the URL without userinfo, and the userinfo as a Basic authorization value. */
export function requestTarget(url: string): { url: string; basicAuth?: string } {
  const u = parse(url);
  if (!u || (!u.username && !u.password)) return { url };
  const basicAuth = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  u.username = '';
  u.password = '';
  return { url: u.toString(), basicAuth };
}

/** `text` with every given secret replaced by [redacted]. */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join(REDACTED);
  return out;
}
