/**
 * `push.v1.PushRequest`, Pyroscope's push API body (docs/components.md "Push"):
 *
 *   PushRequest      { repeated RawProfileSeries series = 1; }
 *   RawProfileSeries { repeated types.v1.LabelPair labels = 1; repeated RawSample samples = 2; }
 *   RawSample        { bytes raw_profile = 1; string ID = 2; }
 *   LabelPair        { string name = 1; string value = 2; }
 *
 * Encoded and decoded at the wire level with @bufbuild/protobuf's BinaryWriter/BinaryReader, so no code
 * generation is needed for four tiny messages. The decoder serves the receiver, which faces untrusted
 * input: it never throws, unknown fields are skipped (Pyroscope's `annotations = 3` and future fields),
 * and a known field with the wrong wire type or invalid UTF-8 is refused with a reason.
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire'

export type LabelPair = readonly [name: string, value: string]

export interface PushSample {
  readonly raw: Uint8Array
  /** Pyroscope's RawSample.ID; empty when absent (proto3 default). */
  readonly id?: string | undefined
}

export interface PushSeries {
  readonly labels: readonly LabelPair[]
  readonly samples: readonly PushSample[]
}

export interface DecodedSample {
  readonly raw: Uint8Array
  readonly id: string
}

export interface DecodedSeries {
  readonly labels: readonly LabelPair[]
  readonly samples: readonly DecodedSample[]
}

export type DecodeResult = { ok: true; series: DecodedSeries[] } | { ok: false; reason: string }

export function encodePushRequest(series: readonly PushSeries[]): Uint8Array {
  const w = new BinaryWriter()
  for (const s of series) {
    w.tag(1, WireType.LengthDelimited).fork()
    for (const [name, value] of s.labels) {
      w.tag(1, WireType.LengthDelimited).fork()
      w.tag(1, WireType.LengthDelimited).string(name)
      w.tag(2, WireType.LengthDelimited).string(value)
      w.join()
    }
    for (const sample of s.samples) {
      w.tag(2, WireType.LengthDelimited).fork()
      w.tag(1, WireType.LengthDelimited).bytes(sample.raw)
      if (sample.id !== undefined && sample.id !== '') w.tag(2, WireType.LengthDelimited).string(sample.id)
      w.join()
    }
    w.join()
  }
  return w.finish()
}

/** Thrown inside the decoder only; decodePushRequest turns it into a reason. */
class MalformedError extends Error {}

export function decodePushRequest(bytes: Uint8Array): DecodeResult {
  try {
    const series: DecodedSeries[] = []
    forEachField(bytes, 'PushRequest', (field, r) => {
      if (field === 1) series.push(decodeSeries(lengthDelimited(r, 'PushRequest.series')))
      else return false
      return true
    })
    return { ok: true, series }
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    return { ok: false, reason: `malformed push.v1.PushRequest: ${detail}` }
  }
}

function decodeSeries(bytes: Uint8Array): DecodedSeries {
  const labels: LabelPair[] = []
  const samples: DecodedSample[] = []
  forEachField(bytes, 'RawProfileSeries', (field, r) => {
    if (field === 1) labels.push(decodeLabelPair(lengthDelimited(r, 'RawProfileSeries.labels')))
    else if (field === 2) samples.push(decodeSample(lengthDelimited(r, 'RawProfileSeries.samples')))
    else return false
    return true
  })
  return { labels, samples }
}

function decodeLabelPair(bytes: Uint8Array): LabelPair {
  let name = ''
  let value = ''
  forEachField(bytes, 'LabelPair', (field, r) => {
    if (field === 1) name = utf8(lengthDelimited(r, 'LabelPair.name'), 'LabelPair.name')
    else if (field === 2) value = utf8(lengthDelimited(r, 'LabelPair.value'), 'LabelPair.value')
    else return false
    return true
  })
  return [name, value]
}

function decodeSample(bytes: Uint8Array): DecodedSample {
  let raw: Uint8Array = new Uint8Array(0)
  let id = ''
  forEachField(bytes, 'RawSample', (field, r) => {
    if (field === 1) raw = lengthDelimited(r, 'RawSample.raw_profile')
    else if (field === 2) id = utf8(lengthDelimited(r, 'RawSample.ID'), 'RawSample.ID')
    else return false
    return true
  })
  return { raw, id }
}

/**
 * Walks the fields of one message. `visit` reads the fields it knows (returning true) and returns false for
 * the others, which are skipped. The wire type of a known field is checked by `lengthDelimited`.
 */
function forEachField(
  bytes: Uint8Array,
  message: string,
  visit: (field: number, reader: FieldReader) => boolean
): void {
  const reader = new BinaryReader(bytes)
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag()
    const fieldReader: FieldReader = { reader, wireType, field }
    if (!visit(field, fieldReader)) reader.skip(wireType, field)
  }
  if (reader.pos !== reader.len) throw new MalformedError(`${message} is truncated`)
}

interface FieldReader {
  readonly reader: BinaryReader
  readonly wireType: WireType
  readonly field: number
}

function lengthDelimited(r: FieldReader, what: string): Uint8Array {
  if (r.wireType !== WireType.LengthDelimited) {
    throw new MalformedError(`${what} (field ${r.field}) has wire type ${r.wireType}, expected 2 (length-delimited)`)
  }
  return r.reader.bytes()
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

function utf8(bytes: Uint8Array, what: string): string {
  try {
    return strictUtf8.decode(bytes)
  } catch {
    throw new MalformedError(`${what} is not valid UTF-8`)
  }
}
