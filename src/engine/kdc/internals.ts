/** What the attack module may reach inside the KDC (the attacker's "compromise"). */
import type { KdcKeyId, PrincipalId } from '../ids';

/** The attacker's reach: a party's key handle, and the KDC's own name check. */
export interface KdcInternals {
  /** A party's session key handle: what an attacker who compromised that key can use. */
  heldKey(keyId: KdcKeyId, holder: PrincipalId): Promise<CryptoKey>;
  cleanName(name: unknown, what?: string): PrincipalId;
}
