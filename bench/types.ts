/** One measured figure. `floor` is a baseline measured in the same run; `ratio` = value / floor. */
export interface BenchResult {
  readonly name: string
  readonly value: number
  readonly unit: string
  readonly floor?: number
  readonly ratio?: number
  /** The goal this figure is judged against, in words (e.g. "<= 1.3x floor"). */
  readonly goal?: string
  readonly pass?: boolean
}

/** A benchmark module exports `run` and is listed in bench/run.ts. */
export type Benchmark = () => Promise<BenchResult[]>
