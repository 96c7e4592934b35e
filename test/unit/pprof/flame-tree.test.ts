import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format'
import { MAX_DEPTH, MAX_NODES, flameTree } from '../../../src/pprof/flame-tree.js'
import type { FlameNode } from '../../../src/pprof/flame-tree.js'

/** A profile whose samples are stacks of function names, root first, with [alloc_space, inuse_space] values. */
function profile(stacks: readonly (readonly [readonly string[], number, number])[], defaultType?: string): Profile {
  const strings = new StringTable()
  const functions = new Map<string, PprofFunction>()
  const locations = new Map<string, Location>()
  const locationOf = (name: string): Location => {
    let loc = locations.get(name)
    if (!loc) {
      const fn = new PprofFunction({ id: functions.size + 1, name: strings.dedup(name) })
      functions.set(name, fn)
      loc = new Location({ id: locations.size + 1, line: [new Line({ functionId: fn.id })] })
      locations.set(name, loc)
    }
    return loc
  }
  const samples = stacks.map(([stack, alloc, inuse]) => new Sample({ locationId: [...stack].reverse().map((n) => locationOf(n).id), value: [alloc, inuse] }))
  return new Profile({
    sampleType: [new ValueType({ type: strings.dedup('alloc_space'), unit: strings.dedup('bytes') }), new ValueType({ type: strings.dedup('inuse_space'), unit: strings.dedup('bytes') })],
    sample: samples,
    location: [...locations.values()],
    function: [...functions.values()],
    stringTable: strings,
    ...(defaultType !== undefined ? { defaultSampleType: strings.dedup(defaultType) } : {})
  })
}

function shape(n: FlameNode): unknown {
  return [n.name, n.value, n.children.map(shape)]
}

describe('flame graph tree of a pprof profile', () => {
  const p = profile([
    [['main', 'a', 'x'], 10, 1],
    [['main', 'a'], 5, 2],
    [['main', 'b'], 3, 3]
  ])

  it('sums stacks root first, and draws the last sample type by default', () => {
    const tree = flameTree(p)
    assert.deepEqual(tree.sample_types, ['alloc_space/bytes', 'inuse_space/bytes'])
    assert.equal(tree.sample_type, 'inuse_space')
    assert.equal(tree.unit, 'bytes')
    assert.equal(tree.total, 6)
    assert.deepEqual(shape(tree.root), ['total', 6, [['main', 6, [['a', 3, [['x', 1, []]]], ['b', 3, []]]]]])
  })

  it('draws the asked-for type, else the profile default', () => {
    assert.equal(flameTree(p, 'alloc_space').total, 18)
    assert.equal(flameTree(profile([[['m'], 7, 1]], 'alloc_space')).total, 7)
    assert.equal(flameTree(p, 'no_such_type').sample_type, 'inuse_space')
  })

  it('shows inlined frames caller first', () => {
    const strings = new StringTable()
    const inner = new PprofFunction({ id: 1, name: strings.dedup('inlined') })
    const outer = new PprofFunction({ id: 2, name: strings.dedup('caller') })
    const inlined = new Profile({
      sampleType: [new ValueType({ type: strings.dedup('samples'), unit: strings.dedup('count') })],
      sample: [new Sample({ locationId: [1], value: [4] })],
      location: [new Location({ id: 1, line: [new Line({ functionId: 1 }), new Line({ functionId: 2 })] })],
      function: [inner, outer],
      stringTable: strings
    })
    assert.deepEqual(shape(flameTree(inlined).root), ['total', 4, [['caller', 4, [['inlined', 4, []]]]]])
  })

  it('stays within MAX_NODES however many tiny stacks there are, keeping the largest', () => {
    const stacks: [string[], number, number][] = Array.from({ length: MAX_NODES * 2 }, (_, i) => [['main', `f${i}`], 1, 1])
    stacks.push([['main', 'big'], 1_000_000, 1_000_000])
    const tree = flameTree(profile(stacks))
    let count = 0
    const visit = (n: FlameNode): void => {
      count++
      n.children.forEach(visit)
    }
    visit(tree.root)
    assert.ok(count <= MAX_NODES, `${count} nodes`)
    assert.equal(tree.omitted_nodes, MAX_NODES * 2 + 3 - count)
    assert.ok(tree.root.children[0]?.children.some((c) => c.name === 'big'))
  })

  it('cuts stacks deeper than MAX_DEPTH', () => {
    const deep = Array.from({ length: MAX_DEPTH + 50 }, (_, i) => `f${i}`)
    let depth = 0
    for (let n: FlameNode | undefined = flameTree(profile([[deep, 1, 1]])).root; n; n = n.children[0]) depth++
    assert.equal(depth, MAX_DEPTH + 1, 'the root and MAX_DEPTH frames')
  })
})
