/**
 * The HTTP client block shared by pyroscope.scrape, pyroscope.write endpoints and discovery.http:
 * schema, defaults and Prometheus/Alloy's validation rules, producing `HttpClientOptions`.
 */
import { redactUrl } from '../../http/index.js'
import type { Diagnostic, Span } from '../../syntax/index.js'
import type { AttributeSpec, DecodedBlock, NestedBlockSpec } from '../../runtime/index.js'
import { t } from '../../runtime/index.js'
import type {
  AuthorizationConfig,
  BasicAuthConfig,
  HttpClientOptions,
  OAuth2Config,
  TlsConfig,
  TlsVersion
} from '../../http/index.js'

const TLS_VERSIONS: readonly TlsVersion[] = ['TLS10', 'TLS11', 'TLS12', 'TLS13']

export const PROXY_ATTRIBUTES: Readonly<Record<string, AttributeSpec>> = {
  proxy_url: { type: t.string },
  no_proxy: { type: t.string },
  proxy_from_environment: { type: t.bool, default: false },
  proxy_connect_header: { type: t.map(t.list(t.secret)) }
}

export const TLS_CONFIG_BLOCK: NestedBlockSpec = {
  body: {
    attributes: {
      ca_pem: { type: t.string },
      ca_file: { type: t.string },
      cert_pem: { type: t.string },
      cert_file: { type: t.string },
      key_pem: { type: t.secret },
      key_file: { type: t.string },
      server_name: { type: t.string },
      insecure_skip_verify: { type: t.bool, default: false },
      min_version: { type: t.string }
    },
    validate: validateTls
  }
}

const BASIC_AUTH_BLOCK: NestedBlockSpec = {
  body: {
    attributes: { username: { type: t.string, default: '' }, password: { type: t.secret }, password_file: { type: t.string } },
    validate: exclusive('basic_auth password & password_file', ['password', 'password_file'])
  }
}

const AUTHORIZATION_BLOCK: NestedBlockSpec = {
  body: {
    attributes: { type: { type: t.string, default: 'Bearer' }, credentials: { type: t.secret }, credentials_file: { type: t.string } },
    validate: (b) => [
      ...exclusive('authorization credentials & credentials_file', ['credentials', 'credentials_file'])(b),
      ...(String(b.values['type']).toLowerCase() === 'basic'
        ? [{ span: spanOf(b, 'type'), message: 'authorization type cannot be set to "basic", use "basic_auth" instead' }]
        : [])
    ]
  }
}

const OAUTH2_BLOCK: NestedBlockSpec = {
  body: {
    attributes: {
      client_id: { type: t.string },
      client_secret: { type: t.secret },
      client_secret_file: { type: t.string },
      endpoint_params: { type: t.map(t.string) },
      scopes: { type: t.list(t.string) },
      token_url: { type: t.string },
      ...PROXY_ATTRIBUTES
    },
    blocks: { tls_config: TLS_CONFIG_BLOCK },
    validate: (b) => [
      // Prometheus' OAuth2 validation: the client credentials flow needs both.
      ...(b.values['client_id'] ? [] : [{ span: b.blockSpan, message: 'oauth2 client_id must be configured' }]),
      ...(b.values['token_url'] ? [] : [{ span: b.blockSpan, message: 'oauth2 token_url must be configured' }]),
      ...exclusive('oauth2 client_secret & client_secret_file', ['client_secret', 'client_secret_file'])(b),
      ...validateProxy(b),
      ...validateUrl(b, 'token_url')
    ]
  }
}

/** Attributes and blocks to spread into a component's schema. */
export const HTTP_CLIENT_ATTRIBUTES: Readonly<Record<string, AttributeSpec>> = {
  bearer_token: { type: t.secret },
  bearer_token_file: { type: t.string },
  enable_http2: { type: t.bool, default: true },
  follow_redirects: { type: t.bool, default: true },
  http_headers: { type: t.map(t.list(t.secret)) },
  ...PROXY_ATTRIBUTES
}

export const HTTP_CLIENT_BLOCKS: Readonly<Record<string, NestedBlockSpec>> = {
  basic_auth: BASIC_AUTH_BLOCK,
  authorization: AUTHORIZATION_BLOCK,
  oauth2: OAUTH2_BLOCK,
  tls_config: TLS_CONFIG_BLOCK
}

/** The cross-field rules of the client options (Alloy's HTTPClientConfig.Validate). */
export function validateHttpClient(b: DecodedBlock): Diagnostic[] {
  const auth = ['basic_auth', 'authorization', 'oauth2', 'bearer_token', 'bearer_token_file'].filter((k) => b.values[k] !== undefined)
  const out: Diagnostic[] = []
  if (auth.length > 1) {
    out.push({
      span: spanOf(b, auth[1] ?? ''),
      message: 'at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured'
    })
  }
  out.push(...validateProxy(b))
  out.push(...validateHttpHeaders(b))
  return out
}

/** Headers the client itself sets (Prometheus' reserved headers): refused in `http_headers`. */
const RESERVED_HEADERS = new Set(['authorization', 'host', 'content-encoding', 'content-length', 'content-type', 'user-agent', 'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'www-authenticate', 'accept-encoding', 'upgrade'])

function validateHttpHeaders(b: DecodedBlock): Diagnostic[] {
  const headers = b.values['http_headers'] as Record<string, unknown> | undefined
  const out: Diagnostic[] = []
  for (const [name, values] of Object.entries(headers ?? {})) {
    // The value is a secret: the message never shows it.
    if ((values as readonly { reveal(): string }[]).some((v) => /[\r\n\0]/.test(v.reveal()))) {
      out.push({ span: spanOf(b, 'http_headers'), message: `http_headers: the value of ${JSON.stringify(name)} holds a line break or NUL` })
    }
    if (RESERVED_HEADERS.has(name.toLowerCase())) out.push({ span: spanOf(b, 'http_headers'), message: `http_headers: setting header ${JSON.stringify(name)} is not allowed` })
    else if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) out.push({ span: spanOf(b, 'http_headers'), message: `http_headers: invalid header name ${JSON.stringify(name)}` })
  }
  return out
}

export function toHttpClientOptions(v: Record<string, unknown>): HttpClientOptions {
  return Object.freeze({
    bearer_token: v['bearer_token'] as HttpClientOptions['bearer_token'],
    bearer_token_file: v['bearer_token_file'] as string | undefined,
    basic_auth: v['basic_auth'] as BasicAuthConfig | undefined,
    authorization: v['authorization'] as AuthorizationConfig | undefined,
    oauth2: v['oauth2'] as OAuth2Config | undefined,
    tls_config: v['tls_config'] as TlsConfig | undefined,
    enable_http2: v['enable_http2'] as boolean,
    follow_redirects: v['follow_redirects'] as boolean,
    proxy_url: v['proxy_url'] as string | undefined,
    no_proxy: v['no_proxy'] as string | undefined,
    proxy_from_environment: v['proxy_from_environment'] as boolean,
    proxy_connect_header: v['proxy_connect_header'] as HttpClientOptions['proxy_connect_header'],
    http_headers: v['http_headers'] as HttpClientOptions['http_headers']
  })
}

function validateProxy(b: DecodedBlock): Diagnostic[] {
  const has = (k: string): boolean => b.values[k] !== undefined && b.values[k] !== ''
  const out: Diagnostic[] = []
  if (b.values['proxy_from_environment'] === true) {
    if (has('proxy_url')) out.push({ span: spanOf(b, 'proxy_url'), message: 'if proxy_from_environment is configured, proxy_url must not be configured' })
    if (has('no_proxy')) out.push({ span: spanOf(b, 'no_proxy'), message: 'if proxy_from_environment is configured, no_proxy must not be configured' })
  }
  if (has('no_proxy') && !has('proxy_url') && b.values['proxy_from_environment'] !== true) {
    out.push({ span: spanOf(b, 'no_proxy'), message: 'if no_proxy is configured, proxy_url must also be configured' })
  }
  if (has('proxy_connect_header') && !has('proxy_url') && b.values['proxy_from_environment'] !== true) {
    out.push({
      span: spanOf(b, 'proxy_connect_header'),
      message: 'if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured'
    })
  }
  out.push(...validateUrl(b, 'proxy_url', { allowCredentials: true }))
  return out
}

function validateTls(b: DecodedBlock): Diagnostic[] {
  const out: Diagnostic[] = []
  for (const [a, c] of [['ca_pem', 'ca_file'], ['cert_pem', 'cert_file'], ['key_pem', 'key_file']] as const) {
    out.push(...exclusive(`${a} and ${c}`, [a, c], 'at most one of %s must be configured')(b))
  }
  const hasCert = b.values['cert_pem'] !== undefined || b.values['cert_file'] !== undefined
  const hasKey = b.values['key_pem'] !== undefined || b.values['key_file'] !== undefined
  if (hasCert && !hasKey) out.push({ span: b.blockSpan, message: 'exactly one of key_pem or key_file must be configured when a client certificate is configured' })
  if (hasKey && !hasCert) out.push({ span: b.blockSpan, message: 'exactly one of cert_pem or cert_file must be configured when a client key is configured' })
  const min = b.values['min_version']
  if (min !== undefined && !TLS_VERSIONS.includes(min as TlsVersion)) {
    out.push({ span: spanOf(b, 'min_version'), message: `unknown TLS version: ${JSON.stringify(min)} (expected one of ${TLS_VERSIONS.join(', ')})` })
  }
  return out
}

/**
 * Checks that an attribute holding a URL is absolute http(s). Credentials in the URL are refused (except for
 * a proxy, where `user:password@` is the usual way to give them): they would be shown wherever the URL is.
 */
export function validateUrl(b: DecodedBlock, name: string, options: { allowCredentials?: boolean } = {}): Diagnostic[] {
  const v = b.values[name]
  if (typeof v !== 'string' || v === '') return []
  const problem = urlProblem(v, options.allowCredentials ?? false)
  return problem ? [{ span: spanOf(b, name), message: `${name}: ${problem}` }] : []
}

export function urlProblem(text: string, allowCredentials = true): string | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return `invalid URL ${JSON.stringify(redactUrl(text))}`
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `URL scheme must be http or https, got ${JSON.stringify(url.protocol.slice(0, -1))}`
  if (url.hostname === '') return `URL ${JSON.stringify(redactUrl(text))} has no host`
  if (!allowCredentials && (url.username !== '' || url.password !== '')) {
    return 'credentials in the URL are not supported; use a basic_auth block (its password is a secret)'
  }
  return undefined
}

function exclusive(what: string, names: readonly string[], template = 'at most one of %s must be configured') {
  return (b: DecodedBlock): Diagnostic[] => {
    const set = names.filter((n) => b.values[n] !== undefined)
    return set.length > 1 ? [{ span: spanOf(b, set[1] ?? ''), message: template.replace('%s', what) }] : []
  }
}

export function spanOf(b: DecodedBlock, name: string): Span {
  return b.spans.get(name) ?? b.blockSpan
}

