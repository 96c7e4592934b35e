/**
 * Self-profiling: the agent's own CPU, heap and active-resource ("goroutine") profiles as gzipped pprof,
 * served by the debug server under /debug/pprof like Go's net/http/pprof. All captures share the process's
 * one inspector session.
 */
export { CPU_SAMPLING_INTERVAL_MICROS, CpuProfileInProgressError, captureCpuProfile, cpuProfileToPprof } from './self-profile-cpu.js'
export { HEAP_SAMPLING_INTERVAL_BYTES, captureHeapProfile, heapProfileToPprof, startHeapSampling } from './self-profile-heap.js'
export type { SamplingHeapNode, SamplingHeapProfile } from './self-profile-heap.js'
export { captureGoroutineProfile, goroutineProfileToPprof } from './self-profile-goroutine.js'
export type { FrameInfo } from './self-profile-builder.js'
