/**
 * Declarative argument schemas for components and their nested blocks.
 *
 * A component declares its attributes (with a type, a default, required or not) and its blocks (single,
 * repeated, labelled); `decodeBlockBody` turns a block's AST into plain data following the schema and
 * reports every problem as a positioned diagnostic. Cross-field rules (conflicts, delta timing) run after
 * decoding in the component's own `validate`, with the spans of the attributes involved.
 */
import type { Expr } from '../syntax/index.js'
import type { Diagnostic, Span } from '../syntax/index.js'
import type { Value } from '../syntax/index.js'

export type TypeSpec =
  | { readonly kind: 'string' }
  | { readonly kind: 'number' }
  | { readonly kind: 'bool' }
  /** A Go duration string, decoded to milliseconds. */
  | { readonly kind: 'duration' }
  /** A string or secret, decoded to a Secret. */
  | { readonly kind: 'secret' }
  | { readonly kind: 'list'; readonly of: TypeSpec }
  | { readonly kind: 'map'; readonly of: TypeSpec }
  | { readonly kind: 'capsule'; readonly typeName: string }
  | { readonly kind: 'any' }

export const t = {
  string: { kind: 'string' } as const,
  number: { kind: 'number' } as const,
  bool: { kind: 'bool' } as const,
  duration: { kind: 'duration' } as const,
  secret: { kind: 'secret' } as const,
  any: { kind: 'any' } as const,
  list: (of: TypeSpec): TypeSpec => ({ kind: 'list', of }),
  map: (of: TypeSpec): TypeSpec => ({ kind: 'map', of }),
  capsule: (typeName: string): TypeSpec => ({ kind: 'capsule', typeName })
}

/** The type as Alloy's docs write it: `list(map(string))`, `duration`, `secret`. */
export function typeName(spec: TypeSpec): string {
  switch (spec.kind) {
    case 'list':
      return `list(${typeName(spec.of)})`
    case 'map':
      return `map(${typeName(spec.of)})`
    case 'capsule':
      return spec.typeName
    default:
      return spec.kind
  }
}

export interface AttributeSpec {
  readonly type: TypeSpec
  readonly required?: boolean
  /** Decoded default used when the attribute is absent. */
  readonly default?: unknown
  /**
   * Custom conversion replacing the type check (e.g. accepting a nested list of targets with a warning).
   * Throw a DiagnosticError to report a problem.
   */
  readonly decode?: (value: Value, ctx: ConvertContext) => unknown
}

export interface ConvertContext {
  readonly span: Span
  readonly expr: Expr
  /** Record a non-fatal warning (printed by `check`, logged by `run`). */
  warn(message: string): void
}

export interface NestedBlockSpec {
  readonly body: BlockSpec
  /** May appear more than once (decoded as an array). */
  readonly multiple?: boolean
  /** Must carry a label (decoded as an array of `{ label, ...body }`). */
  readonly labelled?: boolean
  readonly required?: boolean
  /**
   * An Alloy block with no effect here: accepted without decoding its body, with this warning
   * (docs/alloy-compatibility.md).
   */
  readonly inert?: string
  /** An Alloy block that is refused (its body is not read) with this error. */
  readonly unsupported?: string
}

/** What `validate` gets: the decoded data plus where each attribute and block was written. */
export interface DecodedBlock {
  readonly values: Record<string, unknown>
  /** Span of each attribute (its name) or block (its name), keyed by the schema name. */
  readonly spans: ReadonlyMap<string, Span>
  /** Span of the block itself (its name), for errors about the block as a whole. */
  readonly blockSpan: Span
}

export interface BlockSpec {
  readonly attributes: Readonly<Record<string, AttributeSpec>>
  readonly blocks?: Readonly<Record<string, NestedBlockSpec>>
  /** Cross-field rules, run after the attributes and nested blocks decoded without error. */
  readonly validate?: (block: DecodedBlock) => Diagnostic[]
}
