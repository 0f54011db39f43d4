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
import type { Walkthrough, ObjectLink } from './types';

export const WALKTHROUGHS: readonly Walkthrough[] = [kdcSymmetric, certificateLife, diffieHellman, keyLife, replayAttacks];

/** The walkthrough with this id, if any. */
export function findWalkthrough(id: string): Walkthrough | undefined {
  return WALKTHROUGHS.find((w) => w.id === id);
}

/** The hash path of a walkthrough step: `#/walkthroughs/<id>/<stepIndex>`, 0-based as in types.ts. */
export const stepHref = (walkthroughId: string, index: number) => `#/walkthroughs/${encodeURIComponent(walkthroughId)}/${index}`;

/** The hash path of a namespace object seen from a step: `#/walkthroughs/<id>/<stepIndex>/<kind>/<objectId>`. */
export const walkthroughObjectHref = (walkthroughId: string, index: number, o: Pick<ObjectLink, 'kind' | 'id'>) =>
  `${stepHref(walkthroughId, index)}/${o.kind}/${encodeURIComponent(o.id)}`;
