/**
 * The image without an engine: the build context .dockerignore leaves is small and still holds everything
 * the Dockerfile copies, and the image's default command serves the UI on every interface of the container
 * (`docker run -p 12345:12345` reaches it) with flags `run` accepts.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { RUN_FLAGS } from '../../../src/cli/flags.js'
import { REPO_ROOT } from '../../helpers/cli.js'

const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8')
const rules = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'))

/** Docker's matching for the patterns used here: a root-level name, `*.ext`, and `!` exceptions (last rule wins). */
function ignored(path: string): boolean {
  let out = false
  for (const rule of rules) {
    const negate = rule.startsWith('!')
    const pattern = negate ? rule.slice(1) : rule
    const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/|$)`)
    if (regex.test(path)) out = !negate
  }
  return out
}

function contextBytes(dir = '', acc = { bytes: 0, files: [] as string[] }): { bytes: number; files: string[] } {
  for (const name of readdirSync(join(REPO_ROOT, dir))) {
    const path = dir === '' ? name : `${dir}/${name}`
    if (ignored(path)) continue
    const stat = statSync(join(REPO_ROOT, path))
    if (stat.isDirectory()) contextBytes(path, acc)
    else {
      acc.bytes += stat.size
      acc.files.push(path)
    }
  }
  return acc
}

describe('Dockerfile and .dockerignore', () => {
  it('leaves node_modules, dist, data and .git out of a build context under 2 MB', () => {
    const context = contextBytes()
    for (const dir of ['node_modules', 'dist', 'data', '.git']) assert.ok(!context.files.some((f) => f.startsWith(`${dir}/`)), dir)
    assert.ok(context.bytes < 2 * 1024 * 1024, `${context.bytes} bytes`)
  })

  it('keeps everything the Dockerfile copies from the context', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] ?? '').split(/\s+/))
    assert.deepEqual(sources, ['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'config'])
    for (const source of sources) {
      assert.ok(existsSync(join(REPO_ROOT, source)), source)
      assert.equal(ignored(source), false, `${source} is in the context`)
    }
  })

  it('runs the default config with the UI on 0.0.0.0 inside the container', () => {
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[]
    assert.equal(cmd[0], 'run')
    const { values, positionals } = parseArgs({ args: cmd.slice(1), options: RUN_FLAGS, allowPositionals: true, strict: true })
    assert.deepEqual(positionals, ['/app/config/default.alloy'])
    assert.equal(values['server.http.listen-addr'], '0.0.0.0:12345')
    assert.match(dockerfile, /^EXPOSE 12345 /m)
  })
})
