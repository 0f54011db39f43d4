/**
 * The IndexedDB schema of Clavis. Key metadata and key material live in separate
 * stores (SECURITY.md W1): `keys` holds only what may be shown; `keyMaterial` holds the
 * CryptoKey objects, which the structured clone keeps non-extractable.
 */
import type { DBSchema } from 'idb';
import type { KeyInfo } from '../types';

export const DB_NAME = 'clavis';
export const DB_VERSION = 1;

/** The CryptoKeys of one vault key. Never leaves the engine. */
export interface KeyMaterialRecord {
  id: string;
  /** Symmetric key (AES, HMAC, ChaCha20; for Fernet the AES-128-CBC half). */
  secret?: CryptoKey;
  /** Fernet's HMAC-SHA-256 half. */
  macSecret?: CryptoKey;
  privateKey?: CryptoKey;
  publicKey?: CryptoKey;
}

/** A small key-value store for engine settings and probes (no secrets). */
export interface MetaRecord {
  key: string;
  value: unknown;
}

export interface ClavisDB extends DBSchema {
  keys: {
    key: string;
    value: KeyInfo;
    indexes: { byOwner: string; byTemplate: string; byCreated: string };
  };
  keyMaterial: {
    key: string;
    value: KeyMaterialRecord;
  };
  meta: {
    key: string;
    value: MetaRecord;
  };
}
