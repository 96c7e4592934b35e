// A node:test reporter that writes one JSON line per test file when the run ends: the file, its wall time in
// ms and whether it failed. scripts/run-tests.mjs adds it next to the usual reporter and prints the lines as a
// table. Node reports a file as a test named by its path, whose duration is the file's wall time; the span
// between the file's first and last events stands in where that is missing.
export default async function* timingReporter(source) {
  const files = new Map()
  for await (const event of source) {
    const data = event.data ?? {}
    if (typeof data.file !== 'string') continue
    const now = performance.now()
    const entry = files.get(data.file) ?? { first: now, last: now, wallMs: undefined, failed: false }
    entry.last = now
    if (event.type === 'test:fail') entry.failed = true
    if (event.type === 'test:complete' && data.nesting === 0 && data.name === data.file) {
      entry.wallMs = data.details?.duration_ms
      if (data.details?.passed === false) entry.failed = true
    }
    files.set(data.file, entry)
  }
  for (const [file, entry] of files) {
    yield `${JSON.stringify({ file, wallMs: entry.wallMs ?? entry.last - entry.first, failed: entry.failed })}\n`
  }
}
