/** What the attack module may reach inside the KDC (the attacker's "compromise"). */
export interface KdcInternals {
  /** A party's session key handle: what an attacker who compromised that key can use. */
  heldKey(keyId: string, holder: string): Promise<CryptoKey>;
  cleanName(name: unknown, what?: string): string;
}
