/**
 * The default `User-Agent: shardscope/<version>`. The version comes from the package.json
 * found above this module, which works both from `src/` and from the compiled `dist/src/`.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const PACKAGE_NAME = 'shardscope'

let cached: string | undefined

export function defaultUserAgent(): string {
  cached ??= `${PACKAGE_NAME}/${packageVersion()}`
  return cached
}

let cachedVersion: string | undefined

/** shardscope's version from its package.json ("unknown" when it cannot be read). */
export function packageVersion(): string {
  cachedVersion ??= findPackageVersion(dirname(fileURLToPath(import.meta.url))) ?? 'unknown'
  return cachedVersion
}

function findPackageVersion(startDir: string): string | undefined {
  let dir = startDir
  for (;;) {
    const version = readVersion(join(dir, 'package.json'))
    if (version !== undefined) return version
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

function readVersion(path: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown; version?: unknown }
    return pkg.name === PACKAGE_NAME && typeof pkg.version === 'string' ? pkg.version : undefined
  } catch {
    // No (readable) package.json at this level: keep walking up.
    return undefined
  }
}
