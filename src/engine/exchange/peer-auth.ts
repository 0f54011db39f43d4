// A party's authentication checks on its peer: chain, revocation, identity, signature.
import { EngineError } from '../errors';
import { spkiAlgorithm } from '../keys/ecdsa-der';
import { readCertificateFacts } from './certificate';
import { sha256, signedContent } from './derive';
import type { Run, Side } from './run';
import type { ExchangeCheckDetail, ExchangeCheckName } from './types';
import type { AuthPart } from './wire';

function ecdsaParams(spki: Uint8Array): { imp: EcKeyImportParams; sig: EcdsaParams } {
  const alg = spkiAlgorithm(spki);
  if (alg.kind !== 'ec' || (alg.curve !== 'P-256' && alg.curve !== 'P-384')) throw new EngineError('UNSUPPORTED', 'exchange: the peer certificate’s key is not an ECDSA P-256 or P-384 key');
  return { imp: { name: 'ECDSA', namedCurve: alg.curve }, sig: { name: 'ECDSA', hash: alg.curve === 'P-256' ? 'SHA-256' : 'SHA-384' } };
}

/**
 * Runs the authentication checks on a peer's auth part, in order, recording each on the
 * side; returns false at the first failure (the failing check is the side's last).
 */
export async function checkPeerAuth(run: Run, side: Side, peerRole: 'initiator' | 'responder', auth: AuthPart | undefined): Promise<boolean> {
  const add = (name: ExchangeCheckName, ok: boolean, detail: ExchangeCheckDetail) => {
    side.checks.push({ name, ok, detail });
    return ok;
  };
  if (!auth || auth.chain.length === 0) return add('certificate-chain', false, { id: 'no-certificate', peer: side.peerName });
  const result = await run.deps.verifyChain(auth.chain);
  if (result.revocation === 'revoked') {
    add('certificate-chain', true, { id: 'chain-trusted' });
    return add('certificate-revocation', false, { id: 'revoked' });
  }
  if (!result.valid) {
    const bad = result.steps.find((s) => !s.ok);
    if (result.revocation === 'unknown' && (!bad || /crl|revocation/i.test(bad.name))) return add('certificate-revocation', false, { id: 'revocation-unknown' });
    return add('certificate-chain', false, bad ? { id: 'chain-step-failed', step: bad.name, stepDetail: bad.detail } : { id: 'chain-invalid' });
  }
  add('certificate-chain', true, { id: 'chain-valid' });
  add('certificate-revocation', true, { id: 'not-revoked' });
  let facts;
  try {
    facts = readCertificateFacts(auth.chain[0]!);
  } catch {
    return add('identity', false, { id: 'certificate-unreadable' });
  }
  if (!facts.commonNames.includes(side.peerName)) {
    return add('identity', false, { id: 'names-other', names: [...facts.commonNames], peer: side.peerName });
  }
  add('identity', true, { id: 'names-peer', peer: side.peerName });
  let ok = false;
  try {
    const { imp, sig } = ecdsaParams(facts.spki);
    const pub = await run.ctx.subtle.importKey('spki', facts.spki.slice(), imp, false, ['verify']);
    ok = await run.ctx.subtle.verify(sig, pub, auth.signature.slice(), signedContent(peerRole, side.th!, await sha256(run.ctx, auth.chain[0]!)));
  } catch {
    ok = false;
  }
  return add('signature', ok, { id: ok ? 'signature-valid' : 'signature-invalid', peer: side.peerName, self: side.name });
}
