/** The debug status of one (target, profile type), as the API and UI show it (docs/components.md "Target status"). */
import type { Labels } from '../../../util/labels.js'

export type TargetHealth = 'up' | 'down' | 'unknown'

export interface TargetStatus {
  /** The scrape loop's id: one target and profile type (hex, stable while the target's labels are). */
  readonly id: string
  readonly component: string
  readonly job: string
  readonly profile_type: string
  /** The scrape URL with credentials redacted. */
  readonly url: string
  readonly health: TargetHealth
  readonly last_error: string
  /** RFC 3339 start time of the last scrape, or null before the first. */
  readonly last_scrape: string | null
  readonly last_success: string | null
  readonly duration_seconds: number | null
  /** The labels sent with the profiles of this target. */
  readonly labels: Labels
  /** Ticks skipped because the previous scrape was still running. */
  readonly skipped: number
  /** Set when the last successful scrape held no samples: why, and how to turn the profile on. */
  readonly hint: string
}
