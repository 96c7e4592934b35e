/** Byte sizes written like Prometheus' body_size_limit: "64MiB", "10MB", "512KiB", "1048576". */

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3
}

export function parseByteSize(text: string): { ok: true; bytes: number } | { ok: false } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?\s*$/.exec(text)
  if (!m) return { ok: false }
  const scale = UNITS[m[2] ?? '']
  if (scale === undefined) return { ok: false }
  return { ok: true, bytes: Math.floor(Number(m[1]) * scale) }
}
