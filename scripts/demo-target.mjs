#!/usr/bin/env node
// A small pprof target for the local cluster (scripts/cluster.mjs): a Node.js process doing a little work
// and serving its own profiles like Go's net/http/pprof, with shardscope's compiled profile code.
// Usage: node scripts/demo-target.mjs PORT NAME
import { createServer } from 'node:http'
import { createHash } from 'node:crypto'
import { captureCpuProfile, captureGoroutineProfile, captureHeapProfile, startHeapSampling } from '../dist/src/pprof/self-profile.js'

const port = Number(process.argv[2] ?? '0')
const name = process.argv[3] ?? 'demo'

// Some work to look at: hashing and short-lived buffers, a few times a second.
const kept = []
setInterval(() => {
  const chunk = Buffer.alloc(64 * 1024, kept.length)
  createHash('sha256').update(chunk).digest('hex')
  kept.push(chunk)
  if (kept.length > 64) kept.shift()
}, 100)

await startHeapSampling()
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://demo')
  const send = (body) => res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(body)
  const fail = (err) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(err))
  switch (url.pathname) {
    case '/debug/pprof/heap':
    case '/debug/pprof/allocs':
      captureHeapProfile().then(send, fail)
      return
    case '/debug/pprof/goroutine':
      captureGoroutineProfile().then(send, fail)
      return
    case '/debug/pprof/profile': {
      const seconds = Math.min(Math.max(Number(url.searchParams.get('seconds')) || 30, 1), 60)
      const abort = new AbortController()
      res.once('close', () => abort.abort())
      captureCpuProfile(seconds, abort.signal).then(send, fail)
      return
    }
    default:
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`${name}: not found\n`)
  }
})
server.listen(port, '127.0.0.1')
const stop = () => process.exit(0)
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
