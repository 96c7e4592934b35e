/**
 * The controller's evaluation order and re-evaluation, with small in-process component definitions (pure
 * runtime logic: no sockets). When a component publishes new exports, exactly the components that depend
 * on it (directly or not) are re-evaluated, in dependency order; the others keep their arguments untouched.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import type { Component, ComponentDefinition, ComponentOptions } from '../../../src/runtime/component.js'
import { loadConfig } from '../../../src/runtime/controller.js'
import { ComponentRegistry } from '../../../src/runtime/registry.js'
import { t } from '../../../src/runtime/schema.js'
import { parse } from '../../../src/syntax/index.js'
import { makeObject } from '../../../src/syntax/value.js'
import type { ValueObject } from '../../../src/syntax/value.js'
import { systemClock } from '../../../src/util/clock.js'
import { createLogger, silentLogger } from '../../../src/util/logger.js'
import { createKeyHasher } from '../../../src/util/label-hash.js'
import { Writable } from 'node:stream'

interface SourceArgs {
  readonly value: string
}
interface SinkArgs {
  readonly input: string
}

/** `test.source "x" { value = "…" }` exports `out`; its publish() hook lets the test change the export. */
const publishers = new Map<string, (exports: ValueObject) => void>()
const updates: string[] = []

/** A definition with one required string attribute that exports `out` and records its updates. */
function recordingDefinition<A>(name: string, attribute: string, initialOut: string): ComponentDefinition<A> {
  return {
    name,
    arguments: { attributes: { [attribute]: { type: t.string, required: true } } },
    exports: { out: t.string },
    toArguments: (v) => ({ [attribute]: v[attribute] as string }) as A,
    initialExports: () => makeObject([['out', initialOut]]),
    build: (options: ComponentOptions): Component<A> => {
      publishers.set(options.id, options.onStateChange)
      return { update: () => updates.push(options.id), run: async () => undefined }
    }
  }
}

const source = recordingDefinition<SourceArgs>('test.source', 'value', 'initial')
const sink = recordingDefinition<SinkArgs>('test.sink', 'input', '')

const services = { keyHasher: await createKeyHasher() }

/** Controller options around `definitions`, logging to `logger`. */
function controllerOptions(definitions: readonly ComponentDefinition<never>[], logger = silentLogger()) {
  return {
    registry: new ComponentRegistry(definitions as never),
    env: () => undefined,
    logger,
    metrics: new Registry(),
    clock: systemClock,
    storagePath: 'data',
    services
  }
}

const CONFIG = `
test.source "a" {
  value = "1"
}
test.source "b" {
  value = "2"
}
test.sink "from_a" {
  input = test.source.a.out
}
test.sink "from_b" {
  input = test.source.b.out + "!"
}
test.sink "chained" {
  input = test.sink.from_a.out
}
`

function load() {
  updates.length = 0
  publishers.clear()
  const result = loadConfig(
    parse(CONFIG, 'test.alloy'),
    controllerOptions([source as never, sink as never]),
    'run'
  )
  assert.deepEqual(result.diagnostics, [])
  const controller = result.controller
  assert.ok(controller)
  return controller
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('Controller', () => {
  it('evaluates components after the ones they reference', () => {
    const c = load()
    const order = c.order.map((n) => n.id)
    assert.ok(order.indexOf('test.source.a') < order.indexOf('test.sink.from_a'))
    assert.ok(order.indexOf('test.sink.from_a') < order.indexOf('test.sink.chained'))
    assert.deepEqual(c.components.get('test.sink.from_b')?.args, { input: 'initial!' })
  })

  it('re-evaluates only the dependants of a component whose exports changed, transitively and in order', async () => {
    const c = load()
    publishers.get('test.source.a')?.(makeObject([['out', 'fresh']]))
    await settle()
    assert.deepEqual(updates, ['test.sink.from_a'])
    assert.deepEqual(c.components.get('test.sink.from_a')?.args, { input: 'fresh' })
    assert.deepEqual(c.components.get('test.sink.from_b')?.args, { input: 'initial!' })

    publishers.get('test.sink.from_a')?.(makeObject([['out', 'relayed']]))
    await settle()
    assert.deepEqual(updates, ['test.sink.from_a', 'test.sink.chained'])
    assert.deepEqual(c.components.get('test.sink.chained')?.args, { input: 'relayed' })
  })

  it('does nothing when the exports did not change', async () => {
    load()
    publishers.get('test.source.b')?.(makeObject([['out', 'initial']]))
    await settle()
    assert.deepEqual(updates, [])
  })

  it('keeps the previous arguments and reports unhealthy when a re-evaluation fails', async () => {
    const c = load()
    // from_b computes `out + "!"`: a number export makes that a type error.
    publishers.get('test.source.b')?.(makeObject([['out', 42]]))
    await settle()
    assert.deepEqual(updates, [])
    assert.deepEqual(c.components.get('test.sink.from_b')?.args, { input: 'initial!' })
    const health = c.health('test.sink.from_b')
    assert.equal(health.state, 'unhealthy')
    assert.match(health.message, /re-evaluation failed, keeping previous arguments/)
  })
})

describe('Controller failures', () => {
  const fragile: ComponentDefinition<SinkArgs> = {
    ...sink,
    name: 'test.fragile',
    build: (options: ComponentOptions): Component<SinkArgs> => {
      if (options.label === 'broken') throw new Error('cannot read ca_file /missing.pem')
      return {
        update: (args) => {
          if (args.input === 'explode') throw new Error('new client options cannot be applied')
          updates.push(options.id)
        },
        run: async () => undefined
      }
    }
  }
  const options = () => controllerOptions([source as never, fragile as never])

  it('reports a component that cannot be built as a diagnostic at its block, and builds nothing', () => {
    const result = loadConfig(parse('test.source "a" {\n  value = "1"\n}\ntest.fragile "broken" {\n  input = "x"\n}\n', 'test.alloy'), options(), 'run')
    assert.equal(result.controller, undefined)
    assert.deepEqual(
      result.diagnostics.map((d) => `${d.span.start.line}:${d.span.start.column}: ${d.message}`),
      ['4:1: test.fragile.broken: cannot read ca_file /missing.pem']
    )
  })

  it('hands each component it builds the agent services, and builds none without them', () => {
    const seen: unknown[] = []
    const probe: ComponentDefinition<SinkArgs> = {
      ...sink,
      name: 'test.probe',
      build: (options: ComponentOptions): Component<SinkArgs> => {
        seen.push(options.services)
        return { update: () => undefined, run: async () => undefined }
      }
    }
    const file = parse('test.probe "p" {\n  input = "x"\n}\n', 'test.alloy')
    assert.ok(loadConfig(file, controllerOptions([probe as never]), 'run').controller)
    assert.equal(seen.length, 1)
    assert.equal(seen[0], services, 'the services given to the controller, as they are')
    const { services: _none, ...checkOnly } = controllerOptions([probe as never])
    assert.ok(loadConfig(file, checkOnly, 'check').controller, 'a check builds nothing, so needs no services')
    const refused = loadConfig(file, checkOnly, 'run')
    assert.equal(refused.controller, undefined)
    assert.deepEqual(
      refused.diagnostics.map((d) => `${d.span.start.line}:${d.span.start.column}: ${d.message}`),
      ['1:1: test.probe.p: cannot be built without the agent services (the config was loaded to be checked)']
    )
    assert.equal(seen.length, 1)
  })

  it('survives an update that throws: the component keeps its arguments and turns unhealthy', async () => {
    updates.length = 0
    publishers.clear()
    const result = loadConfig(parse('test.source "a" {\n  value = "1"\n}\ntest.fragile "ok" {\n  input = test.source.a.out\n}\n', 'test.alloy'), options(), 'run')
    const c = result.controller
    assert.ok(c)
    publishers.get('test.source.a')?.(makeObject([['out', 'explode']]))
    await settle()
    assert.deepEqual(c.components.get('test.fragile.ok')?.args, { input: 'initial' })
    const health = c.health('test.fragile.ok')
    assert.equal(health.state, 'unhealthy')
    assert.match(health.message, /update failed, keeping previous arguments: new client options cannot be applied/)
  })
})

describe('Controller warnings', () => {
  it('logs a warning found again on re-evaluation only when it is new', async () => {
    const lines: string[] = []
    const logger = createLogger({
      format: 'json',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString())
          done()
        }
      })
    })
    const warned: ComponentDefinition<SinkArgs> = {
      ...sink,
      name: 'test.warned',
      arguments: {
        attributes: {
          input: {
            type: t.string,
            required: true,
            decode: (value, ctx) => {
              if (typeof value === 'string' && value.startsWith('odd')) ctx.warn('input looks odd')
              return value
            }
          }
        }
      }
    }
    publishers.clear()
    const result = loadConfig(
      parse('test.source "a" {\n  value = "1"\n}\ntest.warned "w" {\n  input = test.source.a.out\n}\n', 'test.alloy'),
      controllerOptions([source as never, warned as never], logger),
      'run'
    )
    assert.ok(result.controller)
    const publish = publishers.get('test.source.a')
    const warnings = () => lines.filter((l) => l.includes('input looks odd')).length
    for (const [value, expected] of [['odd-1', 1], ['odd-2', 1], ['fine', 1], ['odd-3', 2]] as const) {
      publish?.(makeObject([['out', value]]))
      await settle()
      assert.equal(warnings(), expected, `after ${value}`)
    }
  })
})
