#!/usr/bin/env node
// `npm test`'s set-up (run by npm before the tests): the tests need Go (`golang-go`, to build a real
// net/http/pprof target) and Chromium (the UI test). Both present: nothing to do. Missing: as root with
// apt-get (a fresh Debian machine or CI), install them; otherwise stop with one line naming the command.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'

const CHROMIUM_PATHS = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)))
}

const missing = []
if (!onPath('go')) missing.push('golang-go')
if (!CHROMIUM_PATHS.some((p) => p !== undefined && p !== '' && existsSync(p))) missing.push('chromium')
if (missing.length === 0) process.exit(0)

const command = `apt-get install -y ${missing.join(' ')}`
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
if (!isRoot || !onPath('apt-get')) {
  const how = onPath('apt-get') || !isRoot ? `sudo ${command}` : `your package manager (Debian: ${command})`
  console.error(`error: the tests need ${missing.join(' and ')}; install with ${how}, then run npm test again`)
  process.exit(1)
}

console.error(`npm test: installing ${missing.join(' and ')} with apt-get (needed by the tests)`)
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...missing]]) {
  const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env })
  if (result.status !== 0) {
    console.error(`error: apt-get ${args.join(' ')} failed (exit ${result.status ?? result.signal}); run ${command} and try again`)
    process.exit(1)
  }
}
