/**
 * A ProfilesReceiver whose implementation is attached when its component is built.
 *
 * Dependants evaluate `pyroscope.write.x.receiver` before pyroscope.write runs (and `check` never builds
 * it), so the exported capsule holds this stand-in; building the component binds the real receiver.
 */
import type { Labels } from '../../util/labels.js'
import type { ProfilesReceiver, RawSample } from './receiver.js'

export class LateBoundReceiver implements ProfilesReceiver {
  readonly #componentId: string
  #target: ProfilesReceiver | undefined

  constructor(componentId: string) {
    this.#componentId = componentId
  }

  bind(target: ProfilesReceiver): void {
    this.#target = target
  }

  append(labels: Labels, samples: readonly RawSample[]): Promise<void> {
    if (!this.#target) return Promise.reject(new Error(`${this.#componentId} is not running`))
    return this.#target.append(labels, samples)
  }
}
