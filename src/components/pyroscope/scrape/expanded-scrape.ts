/**
 * A scrape of the expansion (targets.ts) whose two label sets are built when first read. An agent
 * expands every target of the config, also those another node owns, and reads `forwardLabels` only for
 * the scrapes it runs and `labels` only to list targets: building both up front was most of the cost of
 * expanding 10,000 targets (bench/config.bench.ts). Reads return the same frozen objects every time.
 */
import type { Labels } from '../../../util/labels.js'
import { withLabels } from './target-labels.js'

/** One scrape the expansion yields: a target and profile type, with everything a loop needs. */
export interface ScrapeTarget {
  /** Ring key of the input target (xxhash64 StableHash without `__meta_*`). */
  readonly key: bigint
  /** Loop identity: hex FNV-1a-64 of (hex StableHash of public labels + URL), as Alloy names a scrape loop. */
  readonly id: string
  readonly url: string
  /** Final `__name__`, after godeltaprof renaming. */
  readonly profileType: string
  /** Every label after expansion, `__` ones included (what status shows). */
  readonly labels: Labels
  /** What a profile is sent with: public labels, `__name__`, `__delta__` for client deltas. */
  readonly forwardLabels: Labels
  /** memory/mutex/block not from godeltaprof: the agent subtracts the previous scrape. */
  readonly clientDelta: boolean
  /** scrape_timeout, plus interval − 1 s for requests with `seconds` (docs/alloy-compatibility.md). */
  readonly timeoutMs: number
}

/** What a target's scrapes share to build their labels: its populated labels and the label templates. */
export interface LabelSource {
  /** Sorted names of `shown`. */
  readonly names: readonly string[]
  /** Every label of the target (`__address__` without its password), before a type adds its own. */
  readonly shown: Labels
  /** Sorted names of `publicOnly`. */
  readonly publicNames: readonly string[]
  readonly publicOnly: Labels
  /** Label objects a scrape copies, by which of the two labels it adds (target-labels.ts withLabels). */
  readonly shownTemplates: (Labels | undefined)[]
  readonly forwardTemplates: (Labels | undefined)[]
}

const NAME = '__name__'
const PATH = '__profile_path__'
const DELTA = '__delta__'

export class ExpandedScrape implements ScrapeTarget {
  readonly #source: LabelSource
  /** `__name__` in `labels`: the name as sent, or undefined when the target has no name. */
  readonly #name: string | undefined
  /** `__profile_path__` from the profile type, when the target has none. */
  readonly #addedPath: string | undefined
  #labels: Labels | undefined
  #forwardLabels: Labels | undefined

  constructor(
    readonly key: bigint,
    readonly id: string,
    readonly url: string,
    readonly profileType: string,
    readonly clientDelta: boolean,
    readonly timeoutMs: number,
    source: LabelSource,
    name: string | undefined,
    addedPath: string | undefined
  ) {
    this.#source = source
    this.#name = name
    this.#addedPath = addedPath
    Object.freeze(this)
  }

  get labels(): Labels {
    const s = this.#source
    this.#labels ??= withLabels(s.shownTemplates, s.names, s.shown, NAME, this.#name, PATH, this.#addedPath)
    return this.#labels
  }

  get forwardLabels(): Labels {
    const s = this.#source
    const name = this.profileType === '' ? undefined : this.profileType
    this.#forwardLabels ??= withLabels(s.forwardTemplates, s.publicNames, s.publicOnly, DELTA, this.clientDelta ? 'false' : undefined, NAME, name)
    return this.#forwardLabels
  }
}
