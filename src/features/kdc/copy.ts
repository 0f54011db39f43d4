// The words of the KDC screens for what the engine reports by id: the next step of a protocol run.
import type { KdcProtocolRun, KdcRunStep } from '../../engine';

/** What each delivery of a run does, in the run's own principal names. */
export const RUN_STEP_TEXT: Readonly<Record<KdcRunStep, (r: Pick<KdcProtocolRun, 'client' | 'service'>) => string>> = {
  issue: (r) => `The KDC checks the request and issues a key and a ticket for ${r.service}`,
  'present-ticket': (r) => `${r.client} checks the reply (nonce, AEAD), unwraps the key and sends the ticket with an authenticator to ${r.service}`,
  'accept-ticket': (r) => `${r.service} checks ticket, expiry, clock skew, replay cache and revocation, then sends its key confirmation`,
  confirm: (r) => `${r.client} checks ${r.service}'s confirmation and sends its own`,
  finish: (r) => `${r.service} checks ${r.client}'s confirmation`,
};

/** The sentence for a run's next step ('' when the run is done). */
export function nextStepText(run: KdcProtocolRun): string {
  return run.next ? RUN_STEP_TEXT[run.next](run) : '';
}
