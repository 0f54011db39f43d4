/** Public types of the engine. Nothing here holds key material. */
import type { KeyOperation, TemplateName } from './keys/templates';
import type { KeyState, LifecycleDates, LifecycleEvent } from './lifecycle/states';
import type { KeyId, KeyringId } from './ids';

// KeyState and KeyOperation are defined beside the policy that uses them (lifecycle/states.ts,
// keys/templates.ts), so this file only points down to them and no import cycle forms.
export type { KeyOperation, KeyState, TemplateName };

// The branded ids and their brand functions live in ids.ts.
export type { CaId, CertId, KdcKeyId, KdcRunId, KeyId, KeyringId, PrincipalId, TicketId } from './ids';

/** How a key is identified to people: SHA-256 over SPKI, or a key check value. */
export interface KeyFingerprint {
  kind: 'spki-sha256' | 'kcv';
  /** Lower-case hex. For spki-sha256 the full 32 bytes; for a KCV 3 bytes. */
  value: string;
}

/** Where a key came from. */
export type KeyOrigin = 'generated' | 'imported' | 'unwrapped' | 'derived';

/** Metadata of one vault key: safe to show, store in zustand, log and serialise. */
export interface KeyInfo {
  id: KeyId;
  name: string;
  owner: string;
  template: TemplateName;
  /** `secret` for symmetric keys, `key-pair` for private+public, `public` for a public key alone. */
  kind: 'secret' | 'key-pair' | 'public';
  operations: KeyOperation[];
  /** True when the secret/private part can leave the vault. */
  extractable: boolean;
  /** Why the key is extractable (absent when it is not). */
  extractableReason?: string;
  origin: KeyOrigin;
  state: KeyState;
  /** Key version within its keyring: 1 for a new key, n+1 for the key `rotateKey` makes. */
  version: number;
  createdAt: string;
  fingerprint: KeyFingerprint;
  /** Lifecycle dates (KMIP date attributes), ISO 8601; scheduled ones may lie in the future. */
  dates: LifecycleDates;
  /** Every lifecycle transition, oldest first, with its date, cause and reason. */
  history: readonly LifecycleEvent[];
  /** The keyring this key is a version of: the id of the keyring's first version. */
  keyringId: KeyringId;
  /** True for the keyring's primary version, the one that protects (encrypt, wrap). */
  primary: boolean;
  /** A single-use key (ephemeral key agreement): its use ends at its first operation. */
  singleUse?: boolean;
}

/** Filters for listing keys (A8). Every field is optional; text matches name or owner. */
export interface KeyFilter {
  text?: string;
  owner?: string;
  template?: TemplateName;
  kind?: KeyInfo['kind'];
  extractable?: boolean;
  state?: KeyState;
}
