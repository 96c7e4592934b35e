/**
 * shardscope's version (from package.json, which ships next to dist/ in the package and the image) and the
 * `shardscope_build_info` gauge, as Alloy's `alloy_build_info`.
 */
import { readFileSync } from 'node:fs'
import { Gauge } from 'prom-client'
import type { Registry } from 'prom-client'

let cached: string | undefined

export function version(): string {
  if (cached !== undefined) return cached
  try {
    // Compiled to dist/src/util/, so package.json is three levels up.
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown }
    cached = typeof pkg.version === 'string' ? pkg.version : 'unknown'
  } catch {
    cached = 'unknown'
  }
  return cached
}

export function registerBuildInfo(metrics: Registry): void {
  const gauge = new Gauge({
    name: 'shardscope_build_info',
    help: 'A metric with a constant 1 value labelled by the version, Node.js version and platform shardscope runs with.',
    labelNames: ['version', 'nodeversion', 'os', 'arch'],
    registers: [metrics]
  })
  gauge.set({ version: version(), nodeversion: process.version, os: process.platform, arch: process.arch }, 1)
}
