/**
 * Node 20 lacks Promise.withResolvers, which libp2p's dependencies call at run time. This module must be
 * the entry point's first import. Our own code does not use it (tsconfig's lib is ES2023).
 */
type WithResolvers = <T>() => { promise: Promise<T>; resolve: (v: T | PromiseLike<T>) => void; reject: (r?: unknown) => void }
const P = Promise as unknown as { withResolvers?: WithResolvers }
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = <T>() => {
    let resolve!: (v: T | PromiseLike<T>) => void
    let reject!: (r?: unknown) => void
    const promise = new Promise<T>((res, rej) => {
      resolve = res
      reject = rej
    })
    return { promise, resolve, reject }
  }
}
export {}
