// The stored records of the key distribution center (v4; PRODUCT.md C1–C6, SECURITY.md D1–D5): the value types of its IndexedDB stores.
import type { KdcKeyId, PrincipalId, TicketId } from '../ids';

/** The KDC's master key (AES-KW-256, non-extractable), under id 'master'. */
export interface KdcStateRecord {
  id: string;
  key: CryptoKey;
  createdAt: string;
}

/** A principal as the KDC knows it: its long-term key wrapped (AES-KW) under the master key. */
export interface KdcPrincipalRecord {
  name: PrincipalId;
  kind: 'user' | 'service';
  status: 'active' | 'suspended' | 'revoked';
  /** Key version number of the long-term key (named in every message header). */
  kvno: number;
  /** RFC 3394 wrap of the long-term AES-GCM-256 key under the KDC master key. */
  wrappedKey: Uint8Array<ArrayBuffer>;
  /** Key check value of the long-term key (3 bytes, hex). */
  kcv: string;
  createdAt: string;
  /** Set while suspended or revoked. */
  reason?: string;
  statusAt?: string;
}

/** The principal's own copy of its long-term key: a non-extractable CryptoKey. */
export interface KdcPrincipalKeyRecord {
  name: PrincipalId;
  kvno: number;
  key: CryptoKey;
  /**
   * The key before the last rotation (D5): tickets sealed under it are still accepted
   * until `acceptUntil` (epoch ms; the longest a ticket issued before the rotation can
   * live), then the key is gone. Absent when the rotation retired it at once.
   */
  previous?: { kvno: number; key: CryptoKey; acceptUntil: number };
}

/** A key the KDC distributed (or stored for one principal), wrapped under the master key (C3). */
export interface KdcKeyRecord {
  /** `kdk_<128-bit hex>` */
  id: KdcKeyId;
  kind: 'session' | 'stored';
  /** [client, service] for a session key; [owner] for a stored key. */
  parties: PrincipalId[];
  /** RFC 3394 wrap of the AES-GCM-256 key under the KDC master key. */
  wrappedKey: Uint8Array<ArrayBuffer>;
  /** RFC 3394 wrap of the HMAC-SHA-256 key-confirmation key (session keys only). */
  wrappedConfirmKey?: Uint8Array<ArrayBuffer>;
  kcv: string;
  ticketId?: TicketId;
  label?: string;
  issuedAt: string;
  expiresAt?: string;
  revoked: boolean;
  revokedAt?: string;
  reason?: string;
}

/** A key a principal holds after unwrapping (non-extractable CryptoKeys), id `${keyId}:${holder}`. */
export interface KdcHeldKeyRecord {
  id: string;
  keyId: KdcKeyId;
  holder: PrincipalId;
  peer?: PrincipalId;
  key: CryptoKey;
  confirmKey?: CryptoKey;
  receivedAt: string;
}

/** One entry of a service's replay cache (D3), id `${service}:${authenticatorId}`. */
export interface KdcReplayRecord {
  id: string;
  service: PrincipalId;
  /** Epoch ms after which the entry can be dropped (authenticator time + skew). */
  expiresAt: number;
}
