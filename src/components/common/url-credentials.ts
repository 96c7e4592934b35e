/**
 * `https://user:password@host/` in a `url` attribute (pyroscope.write endpoints, discovery.http): Go's HTTP
 * client sends the userinfo as basic auth, so Alloy configs carry credentials this way. They are taken out
 * of the URL at decode time and become a `basic_auth` (the password a Secret), so the URL that reaches logs,
 * the UI, the API and error messages never holds them. A configured basic_auth, authorization, bearer token
 * or oauth2 wins over the URL's credentials, as it does in Go (its round-tripper sets the header last).
 * See docs/alloy-compatibility.md.
 */
import type { HttpClientOptions } from '../../http/index.js'
import { Secret } from '../../syntax/index.js'

export interface UrlWithClient {
  readonly url: string
  readonly http_client: HttpClientOptions
}

export function moveUrlCredentials(text: string, client: HttpClientOptions): UrlWithClient {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return { url: text, http_client: client }
  }
  if (url.username === '' && url.password === '') return { url: text, http_client: client }
  const username = safeDecode(url.username)
  const password = safeDecode(url.password)
  url.username = ''
  url.password = ''
  const configured =
    client.basic_auth !== undefined ||
    client.authorization !== undefined ||
    client.oauth2 !== undefined ||
    client.bearer_token !== undefined ||
    client.bearer_token_file !== undefined
  const stripped = stripUserinfo(text, url)
  if (configured) return { url: stripped, http_client: client }
  return {
    url: stripped,
    http_client: Object.freeze({ ...client, basic_auth: Object.freeze({ username, password: new Secret(password) }) })
  }
}

/** The URL without its userinfo, keeping every other character as written (no re-encoding). */
function stripUserinfo(text: string, parsed: URL): string {
  const at = text.indexOf('@', text.indexOf('//') + 2)
  const slash = text.indexOf('//')
  if (slash < 0 || at < 0) return parsed.href
  return text.slice(0, slash + 2) + text.slice(at + 1)
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
