/**
 * Every walkthrough (F1), in the order of the issue: the KDC, a certificate's life,
 * Diffie–Hellman, a key's life, replay attacks. The index page lists them; the step
 * page finds one by id.
 */
import { certificateLife } from './certificate-life';
import { diffieHellman } from './diffie-hellman';
import { kdcSymmetric } from './kdc-symmetric';
import { keyLife } from './key-life';
import { replayAttacks } from './replay-attacks';
import type { Walkthrough } from './types';

export const WALKTHROUGHS: readonly Walkthrough[] = [kdcSymmetric, certificateLife, diffieHellman, keyLife, replayAttacks];

/** The walkthrough with this id, if any. */
export function findWalkthrough(id: string): Walkthrough | undefined {
  return WALKTHROUGHS.find((w) => w.id === id);
}

