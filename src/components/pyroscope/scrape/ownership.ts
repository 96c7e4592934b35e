/**
 * Ownership without clustering: every target is this node's. A clustered node gets its Ownership from the
 * cluster (its contract is the cluster's, src/cluster/contract.ts); this is the same contract, always yes.
 */
import type { Ownership, OwnershipPlan } from '../../../cluster/index.js'

export const LOCAL_PLAN: OwnershipPlan = { wants: () => true, owns: () => true }
export const LOCAL_OWNERSHIP: Ownership = { plan: () => LOCAL_PLAN }
