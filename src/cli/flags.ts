/**
 * The flags of `shardscope run`: shardscope's own and every flag Alloy's `run` takes (its Helm chart passes
 * several of them), parsed as Alloy's pflag does (docs/alloy-compatibility.md):
 * - `--flag value` and `--flag=value`; a boolean takes `--flag`, `--flag=true|false` (and 1/0/t/f, any case)
 *   but never a separate value;
 * - `use: 'pass'` flags are handed to the cluster module as they are (it reads them from the record);
 * - `use: 'ignore'` flags have no meaning here: accepted and logged once at start;
 * - an unknown flag is refused with one line naming it.
 */

export type FlagType = 'string' | 'boolean'

export interface FlagSpec {
  readonly type: FlagType
  readonly default?: string | boolean
  /** 'use': read by shardscope itself; 'pass': read by the cluster module; 'ignore': accepted and logged. */
  readonly use: 'use' | 'pass' | 'ignore'
  /** For 'ignore' flags: why it has no effect (logged). */
  readonly why?: string
}

const ALLOY_ONLY = 'no effect in shardscope'

export const RUN_FLAGS: Readonly<Record<string, FlagSpec>> = {
  'server.http.listen-addr': { type: 'string', default: '127.0.0.1:12345', use: 'use' },
  'server.http.ui-path-prefix': { type: 'string', default: '/', use: 'use' },
  'storage.path': { type: 'string', default: 'data', use: 'use' },
  'log.level': { type: 'string', use: 'use' },
  'log.format': { type: 'string', use: 'use' },
  'log.summary-interval': { type: 'string', default: '1m', use: 'use' },
  'cluster.enabled': { type: 'boolean', default: false, use: 'pass' },
  'cluster.node-name': { type: 'string', use: 'pass' },
  'cluster.listen-address': { type: 'string', default: '0.0.0.0:12346', use: 'pass' },
  'cluster.advertise-address': { type: 'string', use: 'pass' },
  'cluster.join-addresses': { type: 'string', default: '', use: 'pass' },
  'cluster.discover-peers': { type: 'string', use: 'pass' },
  'cluster.rejoin-interval': { type: 'string', use: 'pass' },
  'cluster.max-join-peers': { type: 'string', use: 'ignore', why: 'every join address is synced with; the membership protocol spreads the rest' },
  'cluster.probe-interval': { type: 'string', use: 'pass' },
  // No default here: the cluster module's own applies (DEFAULT_MAX_CONNECTIONS), so the two cannot differ.
  'cluster.max-connections': { type: 'string', use: 'pass' },
  'cluster.join-window': { type: 'string', use: 'pass' },
  'cluster.name': { type: 'string', default: 'shardscope', use: 'pass' },
  'cluster.psk-file': { type: 'string', use: 'pass' },
  'cluster.wait-for-size': { type: 'string', default: '0', use: 'pass' },
  'cluster.wait-timeout': { type: 'string', default: '0s', use: 'pass' },
  'cluster.heartbeat-interval': { type: 'string', use: 'pass' },
  'cluster.failure-timeout': { type: 'string', use: 'pass' },
  // Refused when true (see refusals below); the TLS paths are then meaningless.
  'cluster.enable-tls': { type: 'boolean', default: false, use: 'use' },
  'cluster.tls-ca-path': { type: 'string', use: 'ignore', why: 'cluster TLS is not supported (use --cluster.psk-file)' },
  'cluster.tls-cert-path': { type: 'string', use: 'ignore', why: 'cluster TLS is not supported (use --cluster.psk-file)' },
  'cluster.tls-key-path': { type: 'string', use: 'ignore', why: 'cluster TLS is not supported (use --cluster.psk-file)' },
  'cluster.tls-server-name': { type: 'string', use: 'ignore', why: 'cluster TLS is not supported (use --cluster.psk-file)' },
  'cluster.advertise-interfaces': { type: 'string', use: 'ignore', why: 'the advertised address comes from --cluster.advertise-address or the listen address' },
  'disable-reporting': { type: 'boolean', use: 'ignore', why: 'shardscope never reports usage' },
  'stability.level': { type: 'string', use: 'ignore', why: 'every shardscope feature is enabled at every level' },
  'server.http.memory-addr': { type: 'string', use: 'ignore', why: ALLOY_ONLY },
  'server.http.enable-pprof': { type: 'boolean', use: 'ignore', why: '/debug/pprof is always served' },
  'server.http.disable-support-bundle': { type: 'boolean', use: 'ignore', why: 'there is no support bundle' },
  'server.http.enable-graphql': { type: 'boolean', use: 'ignore', why: 'there is no GraphQL API' },
  'server.http.enable-graphql-playground': { type: 'boolean', use: 'ignore', why: 'there is no GraphQL API' },
  'config.format': { type: 'string', use: 'use' },
  'config.bypass-conversion-errors': { type: 'boolean', use: 'ignore', why: 'configs are never converted' },
  'config.extra-args': { type: 'string', use: 'ignore', why: 'configs are never converted' },
  'feature.community-components.enabled': { type: 'boolean', use: 'ignore', why: ALLOY_ONLY },
  'feature.component-shutdown-deadline': { type: 'string', use: 'ignore', why: ALLOY_ONLY },
  'feature.prometheus.direct-fanout.enabled': { type: 'boolean', use: 'ignore', why: ALLOY_ONLY },
  'windows.priority': { type: 'string', use: 'ignore', why: ALLOY_ONLY }
}

export const STABILITY_LEVELS = ['generally-available', 'public-preview', 'experimental'] as const

export type RunFlags = Readonly<Record<string, string | boolean | undefined>>

export interface ParsedRunFlags {
  readonly values: RunFlags
  readonly positionals: readonly string[]
  /** One line per accepted flag that has no effect, to be logged at start. */
  readonly ignored: readonly string[]
}

export class FlagError extends Error {
  override readonly name = 'FlagError'
}

/** Go's strconv.ParseBool, which pflag uses. */
export function parseBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false
  return undefined
}

export function parseRunFlags(args: readonly string[], specs: Readonly<Record<string, FlagSpec>> = RUN_FLAGS): ParsedRunFlags {
  const values: Record<string, string | boolean | undefined> = {}
  const positionals: string[] = []
  const seen = new Set<string>()
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ''
    if (arg === '--') {
      positionals.push(...args.slice(i + 1))
      break
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg)
      continue
    }
    const body = arg.replace(/^--?/, '')
    const eq = body.indexOf('=')
    const name = eq < 0 ? body : body.slice(0, eq)
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined
    if (spec === undefined) throw new FlagError(`unknown flag --${name}`)
    if (spec.type === 'boolean') {
      const value = eq < 0 ? true : parseBool(body.slice(eq + 1))
      if (value === undefined) throw new FlagError(`--${name} takes true or false, got ${JSON.stringify(body.slice(eq + 1))}`)
      values[name] = value
    } else if (eq >= 0) {
      values[name] = body.slice(eq + 1)
    } else {
      const next = args[i + 1]
      if (next === undefined) throw new FlagError(`--${name} needs a value`)
      values[name] = next
      i++
    }
    seen.add(name)
  }
  for (const [name, spec] of Object.entries(specs)) if (!seen.has(name) && spec.default !== undefined) values[name] = spec.default
  checkValues(values)
  const ignored = [...seen]
    .filter((n) => specs[n]?.use === 'ignore')
    .map((n) => `--${n}=${String(values[n])} accepted for Alloy compatibility: ${specs[n]?.why ?? ALLOY_ONLY}`)
  return { values: Object.freeze(values), positionals, ignored }
}

/** Values that are refused outright, each with one line naming the flag. */
function checkValues(values: Record<string, string | boolean | undefined>): void {
  if (values['cluster.enable-tls'] === true) {
    throw new FlagError('--cluster.enable-tls=true is not supported: cluster traffic is encrypted by libp2p noise; restrict it with --cluster.psk-file')
  }
  const stability = values['stability.level']
  if (stability !== undefined && !(STABILITY_LEVELS as readonly string[]).includes(String(stability))) {
    throw new FlagError(`--stability.level must be one of ${STABILITY_LEVELS.join(', ')}, got ${JSON.stringify(stability)}`)
  }
  const format = values['config.format']
  if (format !== undefined && format !== 'alloy') {
    throw new FlagError(`--config.format=${String(format)} is not supported: only Alloy syntax configs (alloy) are read`)
  }
  const prefix = values['server.http.ui-path-prefix']
  if (typeof prefix === 'string' && !prefix.startsWith('/')) {
    throw new FlagError(`--server.http.ui-path-prefix must start with "/", got ${JSON.stringify(prefix)}`)
  }
}
