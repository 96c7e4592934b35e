/**
 * The standard library: what identifiers resolve to when no component export has the name.
 *
 * Namespaces as in Alloy (`sys`, `constants`, `array`, `convert`, `encoding`, `string`, `file`), the
 * top-level `coalesce` and `json_path`, and the deprecated top-level aliases Alloy still accepts (`env`,
 * `concat`, `json_decode`, `yaml_decode`, `format`, `join`, …), and the experimental
 * `array.combine_maps`/`array.group_by` (always available: shardscope has no stability levels).
 */
import { hostname } from 'node:os'
import { join as joinPath } from 'node:path'
import { fn, variadic } from './stdlib-args.js'
import type { Args } from './stdlib-args.js'
import { encodingFunctions, fromBase64, jsonDecode } from './stdlib-encoding.js'
import { jsonPathFunction } from './stdlib-json-path.js'
import { arrayCollectionFunctions, yamlDecode } from './stdlib-collections.js'
import { stringFunctions } from './stdlib-strings.js'
import { Secret, makeObject, typeOf } from './value.js'
import type { AlloyFunction, Value, ValueObject } from './value.js'

export interface StdlibOptions {
  /** Reported as `constants.version`. */
  readonly version?: string
  /** Reported as `constants.hostname` (default: the machine's host name). */
  readonly hostname?: string
}

/** Node's platform/arch names → Go's GOOS/GOARCH, which is what configs written for Alloy compare with. */
const GOOS: Readonly<Record<string, string>> = { win32: 'windows', sunos: 'solaris' }
const GOARCH: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', ppc64: 'ppc64le', mipsel: 'mipsle' }

function concat(name: string): AlloyFunction {
  return variadic(name, (a) => {
    const out: Value[] = []
    for (let i = 0; i < a.length; i++) out.push(...a.list(i))
    return out
  })
}

function env(name: string): AlloyFunction {
  // Go's os.Getenv: an unset variable reads as "".
  return fn(name, 1, (a) => a.ctx.env(a.string(0)) ?? '')
}

function nonsensitive(name: string): AlloyFunction {
  return fn(name, 1, (a) => {
    const v = a.value(0)
    if (v instanceof Secret) return v.reveal()
    // Alloy converts strings to secrets implicitly, so a plain string is accepted as-is.
    if (typeof v === 'string') return v
    throw a.error(0, `expected secret for argument 1, got ${typeOf(v)}`)
  })
}

/** Go's reflect IsZero for config values, plus empty lists and objects (Alloy's `coalesce`). */
function isEmpty(v: Value): boolean {
  if (v === null || v === '' || v === 0 || v === false) return true
  const t = typeOf(v)
  if (t === 'array') return (v as readonly Value[]).length === 0
  if (t === 'object') return Object.keys(v as ValueObject).length === 0
  if (t === 'secret') return (v as Secret).reveal() === ''
  return false
}

function coalesce(a: Args): Value {
  for (const v of a.values) if (!isEmpty(v)) return v
  return a.values[a.values.length - 1] ?? null
}

/** Go's filepath.Join: empty elements are ignored; all empty gives "". */
function pathJoin(a: Args): Value {
  const parts: string[] = []
  for (let i = 0; i < a.length; i++) parts.push(a.string(i))
  const nonEmpty = parts.filter((p) => p !== '')
  return nonEmpty.length === 0 ? '' : joinPath(...nonEmpty)
}

export function createStdlib(options: StdlibOptions = {}): ValueObject {
  const strings = stringFunctions('')
  const deprecatedStrings = Object.entries(strings)
  return makeObject([
    ['constants', makeObject([
      ['hostname', options.hostname ?? hostname()],
      ['os', GOOS[process.platform] ?? process.platform],
      ['arch', GOARCH[process.arch] ?? process.arch],
      ['version', options.version ?? 'v0.0.0']
    ])],
    ['coalesce', variadic('coalesce', coalesce)],
    ['json_path', jsonPathFunction()],
    ['sys', makeObject([['env', env('sys.env')]])],
    ['convert', makeObject([['nonsensitive', nonsensitive('convert.nonsensitive')]])],
    ['array', makeObject([['concat', concat('array.concat')], ...arrayCollectionFunctions()])],
    ['encoding', makeObject([...Object.entries(encodingFunctions()), ['from_yaml', yamlDecode('encoding.from_yaml')]])],
    ['string', stringFunctions('string.')],
    ['file', makeObject([['path_join', variadic('file.path_join', pathJoin)]])],
    // Deprecated aliases, kept so older configs load unchanged.
    ['env', env('env')],
    ['nonsensitive', nonsensitive('nonsensitive')],
    ['concat', concat('concat')],
    ['json_decode', jsonDecode('json_decode')],
    ['yaml_decode', yamlDecode('yaml_decode')],
    ['base64_decode', fromBase64('base64_decode')],
    ...deprecatedStrings
  ])
}

/** The standard library with default constants. */
export const stdlib: ValueObject = createStdlib()
