/** The wire protocol version; bump on any incompatible change to messages.ts or events.ts. */
// 2: movie leases for several agents on one session (offer, heartbeat, lease; welcome.leases).
export const PROTOCOL_VERSION = 2
