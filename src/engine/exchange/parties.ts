// The parties of an exchange: certificates that authenticate them, the demo parties, and the chain check.
import type { CertId } from '../ids';
import { EngineError } from '../errors';
import type { EngineContext } from '../keys/context';
import { generateKey, getKeyInfo } from '../keys/vault';
import type { Pki } from '../pki';
import { readCertificateFacts } from './certificate';
import type { Credential } from './session';
import type { ExchangeParty, PartyChoice } from './types';

export const DEMO_CA_NAME = 'Clavis Exchange CA';
export const DEMO_PARTY_NAMES = ['Alice', 'Bob', 'Mallory'] as const;
export const PARTY_PROFILE = 'tls-client';

const NAME_RE = /^[\p{L}\p{N} ._-]{1,64}$/u;

/** The party verbs over an engine context; `loadPki` is the engine's lazy `pki()`. */
export function exchangeParties(ctx: EngineContext, loadPki: () => Promise<Pki>) {
  const now = () => ctx.clock.now();

  async function partyOf(pki: Pki, certId: CertId): Promise<ExchangeParty | undefined> {
    const c = await pki.getCertificate(certId);
    if (c.profile !== PARTY_PROFILE || !c.keyId) return undefined;
    let key;
    try {
      key = await getKeyInfo(ctx, c.keyId);
    } catch {
      return undefined;
    }
    if (key.template !== 'ECDSA-P-256' && key.template !== 'ECDSA-P-384') return undefined;
    const facts = readCertificateFacts(await pki.exportCertificate(certId, 'der'));
    const name = facts.commonNames[0];
    if (!name) return undefined;
    return { certId: c.id, keyId: c.keyId, name, subject: c.subject, issuer: c.issuer, issuerId: c.issuerId, status: c.status, notAfter: c.notAfter };
  }

  async function listParties(): Promise<ExchangeParty[]> {
    const pki = await loadPki();
    const certs = await pki.listCertificates();
    const out: ExchangeParty[] = [];
    for (const c of certs) {
      if (c.profile !== PARTY_PROFILE || !c.keyId) continue;
      const p = await partyOf(pki, c.id);
      if (p) out.push(p);
    }
    return out;
  }

  async function credentialOf(pki: Pki, certId: CertId): Promise<Credential> {
    if (typeof certId !== 'string' || !certId) throw new EngineError('INVALID_ARGUMENT', 'exchange: a party needs a certificate');
    const party = await partyOf(pki, certId);
    if (!party) throw new EngineError('INVALID_ARGUMENT', 'exchange: that certificate cannot authenticate a party (it needs a TLS client certificate of an ECDSA vault key)');
    const chain: Uint8Array<ArrayBuffer>[] = [await pki.exportCertificate(certId, 'der')];
    const cert = await pki.getCertificate(certId);
    let ca = await pki.getCa(cert.issuerId);
    for (let guard = 0; ca.kind === 'intermediate' && ca.parentId && guard < 16; guard++) {
      chain.push(await pki.exportCertificate(ca.certId, 'der'));
      ca = await pki.getCa(ca.parentId);
    }
    return { identity: party.name, certId, keyId: party.keyId, chain };
  }

  async function verifyChain(chain: Uint8Array[]) {
    const pki = await loadPki();
    const cas = await pki.listCas();
    const anchors: Uint8Array[] = [];
    const crls: Uint8Array[] = [];
    for (const ca of cas) {
      if (ca.kind === 'root') anchors.push(await pki.exportCertificate(ca.certId, 'der'));
      if (await pki.getCrl(ca.id)) crls.push(await pki.exportCrl(ca.id, 'der'));
    }
    return pki.verifyChain({ target: chain[0]!, intermediates: chain.slice(1), trustAnchors: anchors, crls, usage: PARTY_PROFILE });
  }

  function cleanName(x: unknown, what: string): string {
    if (typeof x !== 'string' || !NAME_RE.test(x.trim())) throw new EngineError('INVALID_ARGUMENT', `exchange: the ${what}'s name must be 1–64 letters, digits, spaces, dots or dashes`);
    return x.trim();
  }

  async function setup(pki: Pki | undefined, choice: PartyChoice | undefined, what: string, needCert: boolean) {
    if (!choice || typeof choice !== 'object') throw new EngineError('INVALID_ARGUMENT', `exchange: choose the ${what}`);
    if ('certId' in choice) {
      const credential = await credentialOf(pki ?? (await loadPki()), choice.certId);
      return { name: credential.identity, credential };
    }
    if (needCert) throw new EngineError('INVALID_ARGUMENT', `exchange: an authenticated exchange needs a certificate for the ${what}`);
    return { name: cleanName(choice.name, what) };
  }

async function createDemoParties(): Promise<ExchangeParty[]> {
    const pki = await loadPki();
    const cas = await pki.listCas();
    let ca = cas.find((c) => c.name === DEMO_CA_NAME && c.kind === 'root' && Date.parse(c.notAfter) > now());
    if (ca) {
      const caCert = await pki.getCertificate(ca.certId);
      if (caCert.status !== 'valid') ca = undefined;
    }
    if (!ca) ca = (await pki.createRootCa({ name: DEMO_CA_NAME, subject: { O: 'Clavis', CN: DEMO_CA_NAME } })).ca;
    const existing = await listParties();
    const out: ExchangeParty[] = [];
    for (const name of DEMO_PARTY_NAMES) {
      let party = existing.find((p) => p.name === name && p.status === 'valid' && p.issuerId === ca.id);
      if (party) {
        const key = await getKeyInfo(ctx, party.keyId);
        if (key.state !== 'active') party = undefined;
      }
      if (!party) {
        const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: `${name} (exchange signing key)`, owner: name });
        const issued = await pki.issueCertificate({ caId: ca.id, keyId: key.id, profile: PARTY_PROFILE, subject: { CN: name } });
        party = await partyOf(pki, issued.cert.id);
        if (!party) throw new EngineError('STORAGE', 'exchange: the new party certificate cannot be read back');
      }
      out.push(party);
    }
    return out;
  }

  return { listParties, createDemoParties, setup, verifyChain };
}
