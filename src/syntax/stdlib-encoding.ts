/**
 * The `encoding` namespace, `json_path` and their deprecated aliases. Decoded JSON objects are
 * null-prototype objects so keys such as "__proto__" stay ordinary data.
 */
import { fn } from './stdlib-args.js'
import type { Args } from './stdlib-args.js'
import { AlloyFunction, Capsule, Secret, makeObject, typeOf as typeOfValue } from './value.js'
import type { Value, ValueObject } from './value.js'

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const URL_BASE64 = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/

/** Converts parsed JSON into config values (objects get a null prototype). */
export function fromJsonValue(v: unknown): Value {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v
  if (Array.isArray(v)) return v.map(fromJsonValue)
  return makeObject(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromJsonValue(x)] as const))
}

export function jsonDecode(name: string): AlloyFunction {
  return fn(name, 1, (a) => fromJsonValue(parseJson(a, a.string(0))))
}

function parseJson(a: Args, text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    // The reason (e.g. "Unexpected token } in JSON at position 7") is about the decoded text, not the
    // config, so the error points at the call.
    throw a.callError(`invalid JSON: ${err instanceof Error ? err.message : String(err)}`)
  }
}

function toJsonValue(a: Args, v: Value): unknown {
  if (v instanceof Secret) throw a.error(0, 'cannot encode a secret as JSON')
  if (v instanceof Capsule || v instanceof AlloyFunction) throw a.error(0, `cannot encode ${String(v)} as JSON`)
  if (Array.isArray(v)) return v.map((x: Value) => toJsonValue(a, x))
  if (v !== null && typeof v === 'object') {
    // Go's json.Marshal writes map keys sorted (by bytes, which UTF-16 order matches outside surrogates).
    const entries = Object.entries(v as ValueObject).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    return Object.fromEntries(entries.map(([k, x]) => [k, toJsonValue(a, x)]))
  }
  return v
}

/** Alloy's encoding.to_json: Go's json.Marshal of an object (keys sorted, HTML characters escaped). */
function toJson(a: Args): string {
  const v = a.value(0)
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Secret || v instanceof Capsule || v instanceof AlloyFunction) {
    throw a.error(0, `only an object can be encoded, got ${typeOfValue(v)}`)
  }
  return JSON.stringify(toJsonValue(a, v)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function base64Decode(a: Args, pattern: RegExp, encoding: 'base64' | 'base64url'): string {
  const text = a.string(0)
  if (!pattern.test(text)) throw a.error(0, 'illegal base64 data')
  return Buffer.from(text, encoding).toString('utf8')
}

/** Go's url.QueryEscape: space → "+", everything but A-Z a-z 0-9 - _ . ~ percent-encoded. */
function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
}

/** Go's url.QueryUnescape: "+" → space, %XX → byte; a malformed escape is an error. */
function queryUnescape(a: Args, s: string): string {
  const bytes: number[] = []
  const raw = Buffer.from(s, 'utf8')
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i] ?? 0
    if (b === 0x2b) bytes.push(0x20)
    else if (b === 0x25) {
      const hex = raw.subarray(i + 1, i + 3).toString('latin1')
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw a.error(0, `invalid URL escape "%${hex}"`)
      bytes.push(parseInt(hex, 16))
      i += 2
    } else bytes.push(b)
  }
  return Buffer.from(bytes).toString('utf8')
}

export function fromBase64(name: string): AlloyFunction {
  return fn(name, 1, (a) => base64Decode(a, STD_BASE64, 'base64'))
}

export function encodingFunctions(): ValueObject {
  return makeObject([
    ['from_json', jsonDecode('encoding.from_json')],
    ['to_json', fn('encoding.to_json', 1, toJson)],
    ['from_base64', fromBase64('encoding.from_base64')],
    ['from_URLbase64', fn('encoding.from_URLbase64', 1, (a) => base64Decode(a, URL_BASE64, 'base64url'))],
    ['to_base64', fn('encoding.to_base64', 1, (a) => Buffer.from(a.string(0), 'utf8').toString('base64'))],
    ['to_URLbase64', fn('encoding.to_URLbase64', 1, (a) => base64Url(a.string(0)))],
    ['url_encode', fn('encoding.url_encode', 1, (a) => queryEscape(a.string(0)))],
    ['url_decode', fn('encoding.url_decode', 1, (a) => queryUnescape(a, a.string(0)))]
  ])
}

/** Go's base64.URLEncoding keeps the "=" padding (Node's base64url drops it). */
function base64Url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_')
}
