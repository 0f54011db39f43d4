// R8, B2, C6 with the issuer cache: a cached CA still refuses as soon as its certificate
// is revoked, its key suspended or its record changed, in this tab or another one
// (a second connection to the same database stands for the other tab).
import { describe, expect, it } from 'vitest';
import { isEngineError } from '../errors';
import { fixedClock } from '../internal/clock';
import { cryptoRandom } from '../internal/random';
import { inThreadBulkCipher, type EngineContext } from '../keys/context';
import { createFeatureProbe } from '../keys/features';
import { generateKey } from '../keys/vault';
import { compromiseKey, resumeKey, suspendKey } from '../lifecycle/engine';
import { openStorage } from '../storage/db';
import { freshPki, hierarchy, T0 } from '../../testing/pki-fixtures';
import { createPki } from '.';
import { OID } from './extensions';
import { fromBase64 } from '../internal/bytes';
import { parseCertificate } from './x509';

const derOf = (pem: string) => fromBase64(pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''));

async function otherTab(dbName: string) {
  const storage = await openStorage({ name: dbName });
  const ctx: EngineContext = {
    crypto: globalThis.crypto,
    subtle: globalThis.crypto.subtle,
    storage,
    clock: fixedClock(T0),
    random: cryptoRandom(globalThis.crypto),
    bulk: inThreadBulkCipher(globalThis.crypto.subtle),
    supports: createFeatureProbe(globalThis.crypto.subtle),
  };
  return { ctx, pki: createPki(ctx), storage };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(isEngineError(e), String(e)).toBe(true);
    return (e as { code: string }).code;
  }
  throw new Error('expected a refusal');
}

describe('issuer cache', () => {
  it('R8 B2 a cached issuing CA is refused once another tab revokes its certificate or suspends its key, and issues again after resume', async () => {
    const { pki, ctx, dbName } = await freshPki();
    const { int } = await hierarchy(pki);
    const leafKey = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'leaf' });
    const issueLeaf = () => pki.issueCertificate({ caId: int.ca.id, keyId: leafKey.id, profile: 'tls-client', subject: { CN: 'leaf' } });
    await issueLeaf(); // fills the cache
    await issueLeaf();

    const tab = await otherTab(dbName);
    await suspendKey(tab.ctx, int.ca.keyId, 'maintenance');
    expect(await refusal(issueLeaf())).toBe('KEY_STATE');
    await resumeKey(tab.ctx, int.ca.keyId, 'done');
    await issueLeaf();

    await tab.pki.revokeCertificate(int.ca.certId, { reason: 'cessationOfOperation' });
    expect(await refusal(issueLeaf())).toBe('CERT_REVOKED');
    tab.storage.close();
  }, 60_000);

  it('a change of the CA record in another tab reaches the next certificate (CRL URL)', async () => {
    const { pki, ctx, dbName } = await freshPki();
    const { int } = await hierarchy(pki);
    const leafKey = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'leaf' });
    const issueLeaf = () => pki.issueCertificate({ caId: int.ca.id, keyId: leafKey.id, profile: 'tls-client', subject: { CN: 'leaf' } });
    const crlUrlOf = (pem: string) => {
      const ext = parseCertificate(derOf(pem)).parts.extensions.find((e) => e.oid === OID.cRLDistributionPoints);
      return ext ? new TextDecoder().decode(ext.value) : '';
    };
    expect(crlUrlOf((await issueLeaf()).pem)).toContain('http://crl.clavis.test/issuing.crl');
    const tab = await otherTab(dbName);
    const ca = (await tab.storage.getCa(int.ca.id))!;
    await tab.storage.putCa({ ...ca, crlUrl: 'http://crl.clavis.test/moved.crl' });
    const moved = crlUrlOf((await issueLeaf()).pem);
    expect(moved).toContain('http://crl.clavis.test/moved.crl');
    expect(moved).not.toContain('issuing.crl');
    tab.storage.close();
  }, 60_000);

  it('C6 a vault key compromised after a first certificate is never certified again (found through the fingerprint index)', async () => {
    const { pki, ctx } = await freshPki();
    const { int } = await hierarchy(pki);
    // Other keys in the vault, so the lookup has more than one candidate to miss.
    for (let i = 0; i < 20; i++) await generateKey(ctx, { template: 'ECDSA-P-256', name: `other ${i}` });
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'victim' });
    const csr = await pki.createCsr(key.id, { subject: { CN: 'victim' } });
    await pki.issueFromCsr({ caId: int.ca.id, csr, profile: 'tls-client' });
    await compromiseKey(ctx, key.id);
    // The vault key itself is refused, and so is a CSR of the same public key.
    expect(await refusal(pki.issueFromCsr({ caId: int.ca.id, csr, profile: 'tls-client' }))).toBe('KEY_STATE');
  }, 60_000);
});
