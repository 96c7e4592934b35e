/**
 * docker-compose.yml read as a description of processes, so that a test can run the same topology on
 * 127.0.0.1 (and the compose path cannot rot unnoticed). Pure apart from reading the repository's files.
 *
 * What is derived, never restated: the receiver's and the agent's commands, the agent's mounted config, the
 * sd service's port, document root and served files (with the MIME types of its httpd.conf), the discovery
 * file's demo targets, and the named volume behind the receiver's store. `localize` then maps container
 * facts to local ones: `service:port` addresses to 127.0.0.1 ports, container paths to temp dirs.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'

interface ComposeService {
  command?: string[]
  volumes?: string[]
}

export interface ComposeTopology {
  /** Container args of the receiver (`receive --listen … --dir …`). */
  readonly receiverArgs: readonly string[]
  /** Named volumes of the receiver: container path → volume name. */
  readonly receiverVolumes: ReadonlyMap<string, string>
  /** Container args of every agent replica (`run CONFIG --flags…`). */
  readonly agentArgs: readonly string[]
  /** Host file (repository-relative) mounted at each container path of the agent. */
  readonly agentMounts: ReadonlyMap<string, string>
  readonly sd: {
    readonly port: number
    /** URL path → host file (repository-relative), for files mounted below the document root. */
    readonly files: ReadonlyMap<string, string>
    /** Extension (`.json`) → Content-Type, from the mounted httpd.conf. */
    readonly mimeTypes: ReadonlyMap<string, string>
  }
  /** Services built from the demo-target anchor (test/fixtures/go), in file order. */
  readonly demoTargets: readonly string[]
}

export function readComposeTopology(repoRoot: string): ComposeTopology {
  const compose = parseYaml(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService & { build?: { context?: string } }>
  }
  const service = (name: string): ComposeService => {
    const s = compose.services[name]
    if (!s) throw new Error(`docker-compose.yml has no ${name} service`)
    return s
  }
  const sdCommand = service('sd').command ?? []
  const docRoot = valueAfter(sdCommand, '-h')
  const sdMounts = mounts(service('sd'))
  const httpdConf = sdMounts.get(valueAfter(sdCommand, '-c'))
  const files = new Map<string, string>()
  for (const [container, host] of sdMounts) if (container.startsWith(`${docRoot}/`)) files.set(container.slice(docRoot.length), host)
  return {
    receiverArgs: service('receiver').command ?? [],
    receiverVolumes: namedVolumes(service('receiver')),
    agentArgs: service('agent').command ?? [],
    agentMounts: mounts(service('agent')),
    sd: {
      port: Number(valueAfter(sdCommand, '-p')),
      files,
      mimeTypes: httpdConf === undefined ? new Map() : parseMimeTypes(readFileSync(join(repoRoot, httpdConf), 'utf8'))
    },
    demoTargets: Object.entries(compose.services)
      .filter(([, s]) => s.build?.context?.replace(/^\.\//, '') === 'test/fixtures/go')
      .map(([name]) => name)
  }
}

/** The value after a flag in an argv list (`-p 8080`). */
function valueAfter(args: readonly string[], flag: string): string {
  const i = args.indexOf(flag)
  const value = i >= 0 ? args[i + 1] : undefined
  if (value === undefined) throw new Error(`no value for ${flag} in ${args.join(' ')}`)
  return value
}

/** Bind mounts (`./host:/container[:ro]`): container path → repository-relative host path. */
function mounts(s: ComposeService): Map<string, string> {
  const out = new Map<string, string>()
  for (const v of s.volumes ?? []) {
    const [host = '', container = ''] = v.split(':')
    if (host.startsWith('./')) out.set(container, host.slice(2))
  }
  return out
}

function namedVolumes(s: ComposeService): Map<string, string> {
  const out = new Map<string, string>()
  for (const v of s.volumes ?? []) {
    const [host = '', container = ''] = v.split(':')
    if (!host.startsWith('.') && !host.startsWith('/')) out.set(container, host)
  }
  return out
}

/** busybox httpd.conf lines `.ext:type/subtype`. */
export function parseMimeTypes(text: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const line of text.split('\n')) {
    const m = /^(\.[\w.-]+):(\S+)\s*$/.exec(line.trim())
    if (m?.[1] !== undefined && m[2] !== undefined) out.set(m[1], m[2])
  }
  return out
}

/** Replaces every `service:port` of `hosts` in `text` (config text, flag values, discovery files). */
export function rewriteAddresses(text: string, hosts: ReadonlyMap<string, string>): string {
  let out = text
  for (const [from, to] of hosts) out = out.split(from).join(to)
  return out
}

/**
 * Container args → local args: `--flag=value` and `--flag value` values are rewritten by `values`
 * (flag name → new value), positionals by `positionals` (container path → local path); anything else is kept.
 */
export function localizeArgs(
  args: readonly string[],
  values: Readonly<Record<string, string>>,
  positionals: ReadonlyMap<string, string> = new Map()
): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    const eq = /^--([^=]+)=(.*)$/.exec(arg)
    const name = eq?.[1] ?? (arg.startsWith('--') ? arg.slice(2) : undefined)
    if (eq && name !== undefined) {
      out.push(name in values ? `--${name}=${values[name]}` : arg)
    } else if (name !== undefined && name in values && args[i + 1] !== undefined && !(args[i + 1] as string).startsWith('--')) {
      out.push(arg, values[name] as string)
      i++
    } else {
      out.push(positionals.get(arg) ?? arg)
    }
  }
  return out
}
