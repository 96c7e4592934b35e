/**
 * Go's `net/url` (and `net`, `path`) rules a scrape URL is built with, byte for byte: `SplitHostPort`,
 * `URL.JoinPath`, path escaping and `Values.Encode`. Kept apart from Alloy's target rules (scrape-url.ts):
 * these follow Go's standard library, those follow Alloy's code.
 */
import { compareUtf8 } from '../../../util/label-hash.js'

/** Go `url.Values`: each key's values in order. */
export type QueryParams = Map<string, string[]>

/** Go `net.SplitHostPort` succeeds (the port may be empty). */
export function hasHostPort(address: string): boolean {
  const colon = address.lastIndexOf(':')
  if (colon < 0) return false
  let noOpenFrom = 0
  let noCloseFrom = 0
  if (address.startsWith('[')) {
    const end = address.indexOf(']')
    if (end < 0 || end + 1 !== colon) return false
    noOpenFrom = 1
    noCloseFrom = end + 1
  } else if (address.slice(0, colon).includes(':')) {
    return false
  }
  return !address.slice(noOpenFrom).includes('[') && !address.slice(noCloseFrom).includes(']')
}

/**
 * Go `url.URL.JoinPath` on a URL without a path: path.Join rules (clean `//`, `.`, `..`), one trailing
 * `/` kept when the last element has one, then Go's path escaping.
 */
export function joinPath(prefix: string, path: string): string {
  let joined = cleanRootedPath(`/${[prefix, path].filter((e) => e !== '').join('/')}`).slice(1)
  if (path.endsWith('/') && !joined.endsWith('/')) joined += '/'
  return joined === '' ? '' : `/${escapePath(joined)}`
}

/** Go `path.Clean` for a path starting with `/`. */
function cleanRootedPath(path: string): string {
  const kept: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') kept.pop()
    else kept.push(segment)
  }
  return `/${kept.join('/')}`
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/
/** Characters Go leaves alone in a path it was given already escaped (`validEncoded`). */
const VALID_IN_ENCODED_PATH = /^(?:[A-Za-z0-9\-_.~$&+,/:;=@!'()*[\]]|%[0-9A-Fa-f]{2})*$/

/**
 * Go `URL.EscapedPath` after `setPath`: a path that is already validly escaped stays as written;
 * otherwise it is unescaped and every byte outside Go's path set is percent-encoded. (Go drops a path
 * with a malformed `%`; here such a `%` is escaped instead.)
 */
function escapePath(path: string): string {
  if (VALID_IN_ENCODED_PATH.test(path)) return path
  return percentEncode(percentDecode(path), (c) => UNRESERVED.test(c) || '$&+,/:;=@'.includes(c))
}

/** UTF-8 bytes of `text` with valid `%XX` sequences decoded. */
function percentDecode(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text)
  const out: number[] = []
  for (let i = 0; i < bytes.length; i++) {
    const hex = String.fromCharCode(bytes[i + 1] ?? 0, bytes[i + 2] ?? 0)
    if (bytes[i] === 0x25 && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16))
      i += 2
    } else {
      out.push(bytes[i] as number)
    }
  }
  return Uint8Array.from(out)
}

function percentEncode(bytes: Uint8Array, keep: (char: string) => boolean, space = '%20'): string {
  let out = ''
  for (const byte of bytes) {
    const char = String.fromCharCode(byte)
    if (byte < 0x80 && keep(char)) out += char
    else if (byte === 0x20) out += space
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** Go `url.QueryEscape`. */
function queryEscape(text: string): string {
  return percentEncode(new TextEncoder().encode(text), (c) => UNRESERVED.test(c), '+')
}

/** Go `url.Values.Encode`: keys sorted, values in order, `k=v` joined by `&`. */
export function encodeQuery(query: QueryParams): string {
  const parts: string[] = []
  for (const key of [...query.keys()].sort(compareUtf8)) {
    for (const value of query.get(key) ?? []) parts.push(`${queryEscape(key)}=${queryEscape(value)}`)
  }
  return parts.join('&')
}
