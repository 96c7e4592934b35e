/**
 * The profiles part of the debug server's view: the last body of each scrape loop (kept in memory, bounded)
 * and the profiles stored by embedded receivers (`pyroscope.receive_http` with `storage_path`).
 */
import type { LatestProfiles } from '../components/pyroscope/scrape/index.js'
import { ReceiveHttpComponent } from '../components/pyroscope/receive_http/index.js'
import { queryStore, readStoredProfile } from '../components/pyroscope/receive_http/index.js'
import type { Controller } from '../runtime/index.js'
import type { AgentView } from '../server/index.js'

type ProfileViews = Required<Pick<AgentView, 'latestProfiles' | 'latestProfile' | 'profileStores' | 'storedProfiles' | 'storedProfile'>>

export function createProfileViews(controller: () => Controller | undefined, latest: LatestProfiles | undefined): ProfileViews {
  const storeDir = (id: string): string | undefined => {
    const component = controller()?.components.get(id)?.component
    return component instanceof ReceiveHttpComponent ? component.storeDirectory() : undefined
  }
  return {
    latestProfiles: () => (latest?.list() ?? []).map((p) => ({ ...p, labels: { ...p.labels } })),
    latestProfile: (component, id) => {
      const held = latest?.get(component, id)
      return held && { info: { ...held.info, labels: { ...held.info.labels } }, body: held.body }
    },
    profileStores: () => [...(controller()?.components.keys() ?? [])].filter((id) => storeDir(id) !== undefined),
    storedProfiles: async (component, query) => {
      const dir = storeDir(component)
      if (dir === undefined) return undefined
      const page = await queryStore(dir, query)
      return { ...page, profiles: page.profiles.map((e) => ({ ...e, labels: { ...e.labels } })) }
    },
    storedProfile: async (component, file) => {
      const dir = storeDir(component)
      const found = dir === undefined ? undefined : await readStoredProfile(dir, file)
      return found && { info: { ...found.entry, labels: { ...found.entry.labels } }, body: found.body }
    }
  }
}
