// The agent <-> controller wire protocol: one version, typed messages, validated on receipt.
export {PROTOCOL_VERSION} from './version.js'
export * from './events.js'
export * from './messages.js'
export * from './results.js'
export {encodeMessage, decodeAgentMessage, decodeControllerMessage, MAX_MESSAGE_BYTES, type Decoded, type Frame} from './codec.js'
