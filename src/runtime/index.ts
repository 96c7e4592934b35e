/**
 * The runtime's public door: the component contract, the services an agent hands its components, the
 * argument schema and decoding, the registry, and the controller that loads and re-evaluates a config.
 */
export { loadConfig } from './controller.js'
export type { Controller, ControllerOptions, LoadMode, LoadResult } from './controller.js'
export type { GraphNode } from './graph.js'
export { t } from './schema.js'
export type { AttributeSpec, BlockSpec, ConvertContext, DecodedBlock, NestedBlockSpec, TypeSpec } from './schema.js'
export { convertValue, decodeBlockBody } from './decode.js'
export type { AgentServices, LatestProfileOrigin, LatestProfileSink } from './services.js'
export type { Component, ComponentDefinition, ComponentOptions, Health } from './component.js'
export { ComponentRegistry } from './registry.js'
