/** The key distribution center (C1–C6): `createKdc` and its public types. */
export { createKdc, CLOCK_SKEW_MS, DEFAULT_TICKET_LIFETIME_MS, KDC_NAME } from './kdc';
export { PROTOCOL, PROTOCOL_VERSION } from './codec';
export type { KdcMessageType } from './codec';
export { KDC_ATTACK_NAMES, KdcRefusal, isKdcRefusal } from './types';
export type * from './types';
