/**
 * `encoding.from_yaml` (and its alias `yaml_decode`), `array.combine_maps` and `array.group_by`, as
 * Alloy's stdlib (syntax/internal/stdlib/stdlib.go) defines them.
 */
import { parse as parseYaml } from 'yaml'
import { fn, variadic } from './stdlib-args.js'
import type { Args } from './stdlib-args.js'
import { fromJsonValue } from './stdlib-encoding.js'
import { makeObject, typeOf, valuesEqual } from './value.js'
import type { AlloyFunction, Value, ValueObject } from './value.js'

export function yamlDecode(name: string): AlloyFunction {
  return fn(name, 1, (a) => {
    let parsed: unknown
    try {
      // Aliases are capped (a "billion laughs" document stays small); the YAML 1.2 core schema as Go's yaml.v3.
      parsed = parseYaml(a.string(0), { schema: 'core', maxAliasCount: 100, uniqueKeys: true })
    } catch (err) {
      throw a.callError(`invalid YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`)
    }
    return fromJsonValue(parsed ?? null)
  })
}

function objectAt(a: Args, arg: number, v: Value, index: number): ValueObject {
  if (typeOf(v) !== 'object') throw a.error(arg, `element ${index} should be object, got ${typeOf(v)}`)
  return v as ValueObject
}

/**
 * combine_maps(lhs, rhs, keys[, passthrough]): every (l, r) pair whose `keys` are all present and equal is
 * merged (r's values win); with `passthrough`, a pair that does not match keeps l (once per r, as in Alloy).
 */
function combineMaps(a: Args): Value {
  if (a.length !== 3 && a.length !== 4) throw a.callError(`expected 3 or 4 arguments, got ${a.length}`)
  const left = a.list(0).map((v, i) => objectAt(a, 0, v, i))
  const right = a.list(1).map((v, i) => objectAt(a, 1, v, i))
  const keys = a.stringList(2)
  if (keys.length === 0) throw a.error(2, 'merge conditions must not be empty')
  let passthrough = false
  if (a.length === 4) {
    const v = a.value(3)
    if (typeof v !== 'boolean') throw a.error(3, `expected bool for argument 4, got ${typeOf(v)}`)
    passthrough = v
  }
  const out: Value[] = []
  for (const l of left) {
    for (const r of right) {
      const join = keys.every((k) => Object.hasOwn(l, k) && Object.hasOwn(r, k) && valuesEqual(l[k] as Value, r[k] as Value))
      if (join) out.push(makeObject([...Object.entries(l), ...Object.entries(r)]))
      else if (passthrough) out.push(l)
    }
  }
  return out
}

/**
 * group_by(list, key, drop_missing): `[{key = value, items = [...]}]` per distinct string value of `key`;
 * objects without it are dropped or grouped under "". Groups come in first-seen order (Alloy's come in Go
 * map order, which is random).
 */
function groupBy(a: Args): Value {
  if (a.length !== 3) throw a.callError(`expected 3 arguments, got ${a.length}`)
  const items = a.list(0).map((v, i) => objectAt(a, 0, v, i))
  const key = a.string(1)
  const drop = a.value(2)
  if (typeof drop !== 'boolean') throw a.error(2, `expected bool for argument 3, got ${typeOf(drop)}`)
  const groups = new Map<string, Value[]>()
  for (const [i, item] of items.entries()) {
    if (!Object.hasOwn(item, key)) {
      if (!drop) groups.set('', [...(groups.get('') ?? []), item])
      continue
    }
    const v = item[key] as Value
    if (typeof v !== 'string') throw a.error(0, `element ${i}: ${JSON.stringify(key)} should be string, got ${typeOf(v)}`)
    const list = groups.get(v)
    if (list === undefined) groups.set(v, [item])
    else list.push(item)
  }
  return [...groups].map(([v, list]) => makeObject([[key, v], ['items', list]]))
}

export function arrayCollectionFunctions(): [string, AlloyFunction][] {
  return [
    ['combine_maps', variadic('array.combine_maps', combineMaps)],
    ['group_by', variadic('array.group_by', groupBy)]
  ]
}
