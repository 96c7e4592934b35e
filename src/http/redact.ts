/**
 * URLs for logs, status pages and error messages. A password in the userinfo becomes `xxxxx` (Go's
 * `URL.Redacted`, which Alloy uses for target URLs), and so does the value of any query parameter whose
 * name looks like a credential: tokens are often passed as `?access_token=` or signed URLs (`X-Amz-Signature`).
 */

const REDACTED = 'xxxxx'

/** Names that carry credentials in practice (OAuth, cloud signatures, API keys, basic passwords). */
const SECRET_PARAM_NAME = /token|passw|secret|credential|signature|apikey|api[-_]key|private|(^|[-_.])(key|sig|auth|pwd)$/i

export function isSecretParamName(name: string): boolean {
  return SECRET_PARAM_NAME.test(name)
}

/**
 * A target address with credentials (`user:password@host:port`, docs/hostile-input.md) → the password
 * as `xxxxx`. Addresses without `@` come back unchanged.
 */
export function redactAddress(address: string): string {
  const at = address.lastIndexOf('@')
  if (at < 0) return address
  const colon = address.indexOf(':')
  return colon >= 0 && colon < at ? `${address.slice(0, colon)}:${REDACTED}${address.slice(at)}` : address
}

/** `user:password@host:port` → `host:port`: what identifies a target, without who logs in. */
export function addressWithoutUserinfo(address: string): string {
  const at = address.lastIndexOf('@')
  return at < 0 ? address : address.slice(at + 1)
}

export function redactUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    // Not a URL we can parse: still hide what looks like `user:password@`.
    return url.replace(/\/\/([^/@:\s]*):[^/@\s]*@/, `//$1:${REDACTED}@`)
  }
  const search = redactQuery(parsed.search)
  if (parsed.password === '' && search === parsed.search) return url
  if (parsed.password !== '') parsed.password = REDACTED
  // Assigning `search` would re-encode it; keep the original text of the parameters we did not touch.
  return `${hrefWithoutQueryAndHash(parsed)}${search}${parsed.hash}`
}

function hrefWithoutQueryAndHash(u: URL): string {
  const href = u.href
  const cut = href.search(/[?#]/)
  return cut === -1 ? href : href.slice(0, cut)
}

/** Rewrites `?a=1&token=abc` → `?a=1&token=xxxxx`, leaving every other byte of the query as it was. */
export function redactQuery(search: string): string {
  if (search.length <= 1) return search
  const pairs = search.slice(1).split('&')
  const redacted = pairs.map((pair) => {
    const eq = pair.indexOf('=')
    if (eq === -1) return pair
    const rawName = pair.slice(0, eq)
    return isSecretParamName(safeDecode(rawName)) ? `${rawName}=${REDACTED}` : pair
  })
  return `?${redacted.join('&')}`
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    return text
  }
}

/**
 * Text from a remote server (an error body) made safe to log: credential-looking content becomes `xxxxx`.
 * Servers echo requests back in their errors, so `Authorization` values, bearer and basic credentials,
 * secret-named fields (`"token": "…"`, `password=…`), JWTs and URL passwords are all hidden
 * (docs/hostile-input.md, "Logged error bodies").
 */
export function scrubCredentials(text: string): string {
  return text
    .replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (url) => redactUrl(url))
    .replace(AUTH_SCHEME_CREDENTIAL, `$1$2${REDACTED}`)
    .replace(/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?/g, REDACTED)
    .replace(QUOTED_SECRET_FIELD, (_m, q: string, name: string, sep: string, vq: string) => `${q}${name}${q}${sep}${vq}${REDACTED}${vq}`)
    .replace(BARE_SECRET_FIELD, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`)
}

/** An HTTP auth scheme and the credential after it (`Bearer eyJ…`, `Basic dTpw…`): scheme, space, credential. */
export const AUTH_SCHEME_CREDENTIAL = /\b(bearer|basic|digest|negotiate)(\s+)([A-Za-z0-9\-._~+/=:]{4,})/gi

const SECRET_NAME = String.raw`[\w.-]*(?:authorization|token|passw(?:or)?d|pwd|secret|credential|api[-_]?key|cookie|signature)[\w.-]*`
/** `"name": "value"` (JSON and friends). */
const QUOTED_SECRET_FIELD = new RegExp(String.raw`(["'])(${SECRET_NAME})\1(\s*:\s*)(["'])(?:\\.|(?!\4).)*\4`, 'gi')
/**
 * `name: value`, `name=value`, `name:[value]` (Go maps), and JSON quoted once or escaped inside another
 * string (`\"name\":\"value\"`): the value up to a delimiter, a bracketed one whole.
 */
const BARE_SECRET_FIELD = new RegExp(String.raw`\b(${SECRET_NAME})(\\?["']?\s*[:=]\s*\\?["']?)(?:\[[^\]]*\]|[^\s,;&}\]"'<>\\]+)`, 'gi')
