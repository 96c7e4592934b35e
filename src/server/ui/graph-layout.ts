/**
 * Layout of the component graph, pure: columns by reference depth, so that every arrow points right.
 * An arrow goes from a component to one whose exports it references (a scraper to its writer's receiver,
 * a scraper to its discovery), the way the config reads. Column 0 holds the components nothing references;
 * each other component sits one column right of the furthest component that references it. Within a
 * column, nodes are ordered by the mean row of the nodes that reference them (one pass of the barycentre
 * heuristic), which keeps most arrows from crossing.
 */

export interface GraphInput {
  readonly id: string
  readonly health: string
  /** Ids this component references. */
  readonly references: readonly string[]
}

export interface PlacedNode {
  readonly id: string
  readonly health: string
  readonly x: number
  readonly y: number
}

export interface PlacedEdge {
  readonly from: string
  readonly to: string
  /** An SVG path from the right side of `from` to the left side of `to`. */
  readonly path: string
}

export interface GraphLayout {
  readonly width: number
  readonly height: number
  readonly nodeWidth: number
  readonly nodeHeight: number
  readonly nodes: readonly PlacedNode[]
  readonly edges: readonly PlacedEdge[]
}

const MARGIN = 20
const NODE_HEIGHT = 44
const ROW_GAP = 24
const COLUMN_GAP = 90
/** Pixels per character of the 12 px monospace font, with room to spare. */
const CHAR_WIDTH = 7.4

export function layoutGraph(components: readonly GraphInput[]): GraphLayout {
  const known = new Map(components.map((c) => [c.id, c]))
  const referencedBy = new Map<string, string[]>()
  for (const c of components) for (const r of c.references) if (known.has(r)) referencedBy.set(r, [...(referencedBy.get(r) ?? []), c.id])
  const columnOf = columns(components, referencedBy)
  const byColumn: GraphInput[][] = []
  for (const c of components) (byColumn[columnOf.get(c.id) ?? 0] ??= []).push(c)
  const rowOf = new Map<string, number>()
  for (const column of byColumn) {
    const ordered = (column ?? []).map((c, i) => ({ c, key: meanRow(referencedBy.get(c.id) ?? [], rowOf) ?? i }))
    ordered.sort((a, b) => a.key - b.key)
    ordered.forEach(({ c }, row) => rowOf.set(c.id, row))
  }
  const nodeWidth = Math.ceil(Math.max(120, ...components.map((c) => c.id.length * CHAR_WIDTH + 24)))
  const place = (id: string): { x: number; y: number } => ({
    x: MARGIN + (columnOf.get(id) ?? 0) * (nodeWidth + COLUMN_GAP),
    y: MARGIN + (rowOf.get(id) ?? 0) * (NODE_HEIGHT + ROW_GAP)
  })
  const nodes = components.map((c) => ({ id: c.id, health: c.health, ...place(c.id) }))
  const edges = components.flatMap((c) =>
    c.references.filter((r) => known.has(r)).map((r) => ({ from: c.id, to: r, path: edgePath(place(c.id), place(r), nodeWidth) }))
  )
  const rows = Math.max(1, ...byColumn.map((c) => c?.length ?? 0))
  return {
    width: MARGIN * 2 + byColumn.length * nodeWidth + Math.max(0, byColumn.length - 1) * COLUMN_GAP,
    height: MARGIN * 2 + rows * NODE_HEIGHT + (rows - 1) * ROW_GAP,
    nodeWidth,
    nodeHeight: NODE_HEIGHT,
    nodes,
    edges
  }
}

/** Column of each component: 0 when nothing references it, else 1 + the furthest column referencing it. */
function columns(components: readonly GraphInput[], referencedBy: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const out = new Map<string, number>()
  const visiting = new Set<string>()
  const columnOf = (id: string): number => {
    const done = out.get(id)
    if (done !== undefined) return done
    // A loaded config has no cycle; the guard only keeps a malformed view from recursing forever.
    if (visiting.has(id)) return 0
    visiting.add(id)
    const column = Math.max(-1, ...(referencedBy.get(id) ?? []).map(columnOf)) + 1
    visiting.delete(id)
    out.set(id, column)
    return column
  }
  for (const c of components) columnOf(c.id)
  return out
}

function meanRow(ids: readonly string[], rowOf: ReadonlyMap<string, number>): number | undefined {
  const rows = ids.map((id) => rowOf.get(id)).filter((r): r is number => r !== undefined)
  return rows.length === 0 ? undefined : rows.reduce((a, b) => a + b, 0) / rows.length
}

function edgePath(from: { x: number; y: number }, to: { x: number; y: number }, nodeWidth: number): string {
  const x1 = from.x + nodeWidth
  const y1 = from.y + NODE_HEIGHT / 2
  const x2 = to.x - 6
  const y2 = to.y + NODE_HEIGHT / 2
  const bend = Math.max(30, (x2 - x1) / 2)
  return `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`
}
