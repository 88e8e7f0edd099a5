/** The wire protocol version; bump on any incompatible change to messages.ts or events.ts. */
export const PROTOCOL_VERSION = 1
