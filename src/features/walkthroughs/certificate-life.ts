/**
 * Walkthrough 2: a certificate's life (F1; seeds 001, 002, 004). A root and an
 * intermediate CA, a key and its PKCS#10 request, issuance, chain verification,
 * revocation with a reason, the CRL that changes, and the verification that now fails
 * at exactly one check. Every step calls the real CA (`engine.pki()`) in the walkthrough
 * namespace and shows what it returned: PEM, DER for the ASN.1 view, serials,
 * fingerprints, the verifier's own named checks.
 *
 * State passed forward is plain data (ids, serials, CRL numbers), so a deep link rebuilds
 * any step by running steps 0…n again in a fresh namespace.
 */
import { EngineError, asCaId, asCertId, asKeyId, decodePem, toHex, type CaId, type CaInfo, type CertId, type CrlInfo, type Pki, type VerifyResult } from '../../engine';
import type { ObjectLink, StepDatum, StepDiagram, Walkthrough, WalkthroughState, WalkthroughStep } from './types';

/** Names the walkthrough gives its objects (its own namespace: nothing of the user's). */
export const CERTIFICATE_LIFE_NAMES = {
  root: 'Walkthrough Root CA',
  intermediate: 'Walkthrough Issuing CA',
  host: 'app.walkthrough.test',
  keyName: 'app.walkthrough.test TLS key',
  owner: 'walkthrough',
} as const;

/** The revocation reason the walkthrough uses (RFC 5280 §5.3.1 keyCompromise, code 1). */
export const CERTIFICATE_LIFE_REASON = 'keyCompromise' as const;

const certLink = (id: string, label: string): ObjectLink => ({ kind: 'cert', id, label });
const keyLink = (id: string, label: string): ObjectLink => ({ kind: 'key', id, label });
const crlLink = (caId: string, label: string): ObjectLink => ({ kind: 'crl', id: caId, label });
const N = CERTIFICATE_LIFE_NAMES;

const hexOf = toHex;

/** DER of a PEM block, as hex (for the ASN.1 view), read by the engine's one PEM codec. */
function pemToDerHex(pem: string): string {
  return hexOf(decodePem(pem)[0]!.der);
}

/** Groups a hex string in pairs separated by colons, the way certificate viewers print serials. */
function colons(hex: string): string {
  return (hex.match(/../g) ?? [hex]).join(':');
}

function need(state: WalkthroughState, key: string): string {
  const v = state[key];
  if (typeof v !== 'string' || !v) throw new EngineError('INVALID_ARGUMENT', `walkthrough: step state "${key}" is missing; run the earlier steps first`);
  return v;
}

// Ids come back out of the untyped step state: branded through the engine's one brand function each.
const needCaId = (state: WalkthroughState, key: string) => asCaId(need(state, key));
const needCertId = (state: WalkthroughState, key: string) => asCertId(need(state, key));
const needKeyId = (state: WalkthroughState, key: string) => asKeyId(need(state, key));

function needNumber(state: WalkthroughState, key: string): number {
  const v = state[key];
  if (typeof v !== 'number') throw new EngineError('INVALID_ARGUMENT', `walkthrough: step state "${key}" is missing; run the earlier steps first`);
  return v;
}

async function derHex(pki: Pki, certId: CertId): Promise<string> {
  return hexOf(await pki.exportCertificate(certId, 'der'));
}

async function latestCrl(pki: Pki, caId: CaId): Promise<CrlInfo> {
  const crl = await pki.getCrl(caId);
  if (!crl) throw new EngineError('STORAGE', 'walkthrough: the CA has no CRL');
  return crl;
}

/**
 * The verifier's named checks as check data, in its order, each with the engine's sentence
 * and RFC section (the same explanation the certificate page and the Verify screen show). A rule the verifier applies to
 * several certificates (name constraints, validity…) appears once per certificate; its
 * later checks are numbered so every check keeps a label of its own.
 */
function verifyChecks(r: VerifyResult): StepDatum[] {
  const seen = new Map<string, number>();
  return r.steps.map((s) => {
    const n = (seen.get(s.name) ?? 0) + 1;
    seen.set(s.name, n);
    // The verifier's own sentence and the RFC section it cites, as the certificate page and the Verify screen show them.
    return { kind: 'check', label: n === 1 ? `Check ${s.name}` : `Check ${s.name} (${n})`, ok: s.ok, detail: s.section ? `${s.detail} (${s.section})` : s.detail };
  });
}

type NodeStatus = Extract<StepDiagram, { kind: 'chain' }>['nodes'][number]['status'];

function chain(root: NodeStatus, intermediate?: NodeStatus, leaf?: NodeStatus): StepDiagram {
  const nodes: Array<{ label: string; status: NodeStatus }> = [{ label: `Root: ${N.root}`, status: root }];
  if (intermediate) nodes.push({ label: `Intermediate: ${N.intermediate}`, status: intermediate });
  if (leaf) nodes.push({ label: `Leaf: ${N.host}`, status: leaf });
  return { kind: 'chain', nodes };
}

function crlLine(ca: CaInfo, crl: CrlInfo): string {
  return `${ca.name}: CRL number ${crl.number}, ${crl.entries} revoked ${crl.entries === 1 ? 'entry' : 'entries'}, next update ${crl.nextUpdate}`;
}

const steps: WalkthroughStep[] = [
  {
    id: 'root',
    title: 'Create a root CA',
    explain:
      'A root CA is a self-signed certificate whose key signs other CA certificates. Clavis makes a new non-extractable ECDSA P-256 key in the vault, signs a certificate with basicConstraints CA:true and keyUsage keyCertSign and cRLSign, and publishes the CA’s first, empty CRL so a verifier can always tell "not revoked" from "unknown". Verifiers trust it because they were given it, not because of anything inside it.',
    standard: 'RFC 5280 §4.2.1.9 (basicConstraints), §4.2.1.3 (keyUsage), §6.1.1 (trust anchor)',
    async run({ engine }) {
      const pki = await engine.pki();
      const { ca, cert, pem } = await pki.createRootCa({ name: N.root, subject: { O: 'Clavis walkthrough', CN: N.root } });
      const crl = await latestCrl(pki, ca.id);
      const details = await pki.describeCertificate(cert.id);
      const key = await engine.getKey(ca.keyId);
      return {
        result: {
          diagram: chain('valid'),
          data: [
            { kind: 'text', label: 'Subject (= issuer: self-signed)', value: cert.subject },
            { kind: 'hex', label: 'Serial number', segments: [{ label: 'serial', hex: cert.serialHex }] },
            { kind: 'fingerprint', label: 'Certificate SHA-256 fingerprint', value: colons(cert.sha256) },
            { kind: 'json', label: 'Extensions', value: details.extensions.map((e) => ({ name: e.name, critical: e.critical, values: e.values })) },
            { kind: 'pem', label: 'Root certificate (PEM)', pem },
            { kind: 'asn1', label: 'Root certificate (decoded DER)', der: await derHex(pki, cert.id) },
          ],
          changes: [
            `New root CA "${ca.name}" (valid ${ca.notBefore} to ${ca.notAfter}).`,
            `New vault key "${key.name}" (${key.template}, non-extractable, ${key.state}) signs for it.`,
            `First CRL published: ${crlLine(ca, crl)}.`,
          ],
          objects: [certLink(cert.id, 'Root CA certificate'), keyLink(key.id, `Root CA key "${key.name}"`), crlLink(ca.id, 'Root CA CRL')],
        },
        state: { rootCaId: ca.id, rootCertId: cert.id, rootSerial: cert.serialHex },
      };
    },
  },
  {
    id: 'intermediate',
    title: 'Create an intermediate CA',
    explain:
      'The root signs an intermediate CA, which will sign the server certificates. The root key can then stay unused. The intermediate carries pathLenConstraint 0 (no further CA below it), an authority key identifier pointing at the root’s subject key identifier, and its own CRL.',
    standard: 'RFC 5280 §4.2.1.9 (pathLenConstraint), §4.2.1.1 and §4.2.1.2 (key identifiers)',
    async run({ engine, state }) {
      const pki = await engine.pki();
      const rootCaId = needCaId(state, 'rootCaId');
      const { ca, cert, pem } = await pki.createIntermediateCa({ parentId: rootCaId, name: N.intermediate, subject: { O: 'Clavis walkthrough', CN: N.intermediate }, pathLen: 0 });
      const crl = await latestCrl(pki, ca.id);
      const details = await pki.describeCertificate(cert.id);
      return {
        result: {
          diagram: chain('valid', 'valid'),
          data: [
            { kind: 'text', label: 'Subject', value: cert.subject },
            { kind: 'text', label: 'Issuer', value: cert.issuer },
            { kind: 'hex', label: 'Serial number', segments: [{ label: 'serial', hex: cert.serialHex }] },
            { kind: 'fingerprint', label: 'Certificate SHA-256 fingerprint', value: colons(cert.sha256) },
            { kind: 'json', label: 'Extensions', value: details.extensions.map((e) => ({ name: e.name, critical: e.critical, values: e.values })) },
            { kind: 'pem', label: 'Intermediate certificate (PEM)', pem },
            { kind: 'asn1', label: 'Intermediate certificate (decoded DER)', der: await derHex(pki, cert.id) },
          ],
          changes: [`New intermediate CA "${ca.name}", signed by "${N.root}", with its own vault key.`, `First CRL published: ${crlLine(ca, crl)}.`],
          objects: [certLink(cert.id, 'Intermediate CA certificate'), crlLink(ca.id, 'Intermediate CA CRL')],
        },
        state: { intermediateCaId: ca.id, intermediateCertId: cert.id },
      };
    },
  },
  {
    id: 'csr',
    title: 'Create a key and a certificate request',
    explain:
      'The server makes its own key pair; the private key never leaves the vault. It asks for a certificate with a PKCS#10 request: its name, its public key, the host name it wants, all signed with the new private key. That signature is the proof of possession: the CA checks it before issuing anything.',
    standard: 'RFC 2986 §4 (PKCS #10 request), RFC 5280 §4.1.2.7 (subjectPublicKeyInfo)',
    async run({ engine }) {
      const pki = await engine.pki();
      const key = await engine.generateKey({ template: 'ECDSA-P-256', name: N.keyName, owner: N.owner });
      const csr = await pki.createCsr(key.id, { subject: { CN: N.host }, sans: { dns: [N.host] } });
      const info = await pki.inspectCsr(csr);
      const publicPem = await engine.exportPublicKey(key.id, 'pem');
      return {
        result: {
          diagram: chain('valid', 'valid', 'unknown'),
          data: [
            { kind: 'fingerprint', label: 'Key fingerprint (SHA-256 of the public key)', value: colons(key.fingerprint.value) },
            { kind: 'pem', label: 'Public key (the private key stays in the vault)', pem: publicPem },
            { kind: 'text', label: 'Requested subject', value: info.subject },
            { kind: 'json', label: 'Requested names', value: info.sans },
            { kind: 'check', label: 'Proof of possession', ok: info.signatureValid, detail: 'the request’s signature verifies with the public key it contains' },
            { kind: 'pem', label: 'Certificate request (PEM)', pem: csr },
            { kind: 'asn1', label: 'Certificate request (decoded DER)', der: pemToDerHex(csr) },
          ],
          changes: [`New vault key "${key.name}" (${key.template}, non-extractable, ${key.state}).`, 'A certificate request was made and signed with it (not stored: it is handed to the CA).'],
          objects: [keyLink(key.id, `Key "${key.name}"`)],
        },
        state: { keyId: key.id, keyFingerprint: key.fingerprint.value, csrPem: csr },
      };
    },
  },
  {
    id: 'issue',
    title: 'Issue the certificate',
    explain:
      'The intermediate CA checks the request’s signature, takes only the subject, the public key and the host name from it (any other extension a request asks for is ignored), picks a fresh random serial number, and signs a TLS server certificate. The serial number is how a CRL will name this certificate later.',
    standard: 'RFC 5280 §4.1 (certificate fields), §4.1.2.2 (serial number), §4.2.1.6 (subjectAltName)',
    async run({ engine, state }) {
      const pki = await engine.pki();
      const caId = needCaId(state, 'intermediateCaId');
      const keyFingerprint = need(state, 'keyFingerprint');
      const issued = await pki.issueFromCsr({ caId, csr: need(state, 'csrPem'), profile: 'tls-server' });
      const { cert, pem } = issued;
      const details = await pki.describeCertificate(cert.id);
      return {
        result: {
          diagram: chain('valid', 'valid', 'valid'),
          data: [
            { kind: 'hex', label: 'Serial number', segments: [{ label: 'serial', hex: cert.serialHex }] },
            { kind: 'text', label: 'Subject', value: cert.subject },
            { kind: 'text', label: 'Issuer', value: cert.issuer },
            { kind: 'text', label: 'Valid', value: `${cert.notBefore} to ${cert.notAfter}` },
            { kind: 'fingerprint', label: 'Certificate SHA-256 fingerprint', value: colons(cert.sha256) },
            {
              kind: 'check',
              label: 'Certifies the key from the request',
              ok: cert.spkiSha256 === keyFingerprint,
              detail: `the certificate’s public key fingerprint ${cert.spkiSha256 === keyFingerprint ? 'equals' : 'differs from'} the vault key’s`,
            },
            { kind: 'json', label: 'Extensions', value: details.extensions.map((e) => ({ name: e.name, critical: e.critical, values: e.values })) },
            { kind: 'pem', label: 'Certificate (PEM)', pem },
            { kind: 'asn1', label: 'Certificate (decoded DER)', der: await derHex(pki, cert.id) },
          ],
          changes: [`New certificate for ${N.host}, serial ${cert.serialHex}, issued by "${N.intermediate}".`],
          objects: [certLink(cert.id, `Certificate for ${N.host}`)],
        },
        state: { leafCertId: cert.id, serialHex: cert.serialHex },
      };
    },
  },
  {
    id: 'verify',
    title: 'Verify the chain',
    explain:
      'A client that trusts only the root checks the server certificate: it builds the path leaf → intermediate → root, checks each signature and validity period, that each issuer is a CA allowed that deep, that the certificate is meant for a TLS server and names the host, and that neither the certificate nor the intermediate is on its issuer’s CRL. Every check passes.',
    standard: 'RFC 5280 §6.1 (basic path validation), §6.1.3 (a)(3) (revocation status)',
    async run({ engine, state }) {
      const pki = await engine.pki();
      const leafCertId = needCertId(state, 'leafCertId');
      const caId = needCaId(state, 'intermediateCaId');
      const r = await pki.verifyCertificate(leafCertId, { usage: 'tls-server', hostname: N.host });
      const crl = await latestCrl(pki, caId);
      return {
        result: {
          diagram: chain('valid', 'valid', r.valid ? 'valid' : 'failed'),
          data: [
            { kind: 'check', label: 'Chain verification', ok: r.valid, detail: r.valid ? 'the certificate is valid for a TLS server named ' + N.host : 'the chain does not verify' },
            { kind: 'text', label: 'Revocation status', value: r.revocation },
            ...verifyChecks(r),
            { kind: 'text', label: 'CRL consulted', value: `CRL number ${crl.number} of "${N.intermediate}", ${crl.entries} revoked entries` },
          ],
          changes: ['Nothing: verification only reads.'],
        },
        state: { crlNumberBefore: crl.number, verifiedBefore: r.valid },
      };
    },
  },
  {
    id: 'revoke',
    title: 'Revoke the certificate (key compromise)',
    explain:
      'The server’s private key is reported stolen. The intermediate CA records a revocation with reason keyCompromise, and because that reason says the key is no longer trustworthy, Clavis also marks the vault key compromised. The revocation is stored first, then the CA signs a new CRL from the revocation store.',
    standard: 'RFC 5280 §5.3.1 (reasonCode), §3.3 (revocation); NIST SP 800-57 Part 1 §7 (compromised state)',
    async run({ engine, state }) {
      const pki = await engine.pki();
      const leafCertId = needCertId(state, 'leafCertId');
      const keyId = needKeyId(state, 'keyId');
      const out = await pki.revokeCertificate(leafCertId, { reason: CERTIFICATE_LIFE_REASON });
      const key = await engine.getKey(keyId);
      const data: StepDatum[] = [
        { kind: 'hex', label: 'Revoked serial number', segments: [{ label: 'serial', hex: out.cert.serialHex }] },
        { kind: 'text', label: 'Reason', value: `${out.cert.revocation?.reason ?? CERTIFICATE_LIFE_REASON} (CRLReason code 1)` },
        { kind: 'text', label: 'Revoked at', value: out.cert.revocation?.revokedAt ?? '' },
        { kind: 'text', label: 'Certificate status', value: out.cert.status },
        { kind: 'text', label: 'Vault key state', value: key.state },
        out.crl
          ? { kind: 'check', label: 'New CRL signed', ok: true, detail: `CRL number ${out.crl.number} with ${out.crl.entries} revoked ${out.crl.entries === 1 ? 'entry' : 'entries'}` }
          : { kind: 'check', label: 'New CRL signed', ok: false, detail: out.crlError?.message ?? 'the CRL could not be rebuilt now; the next rebuild includes this revocation' },
      ];
      return {
        result: {
          diagram: chain('valid', 'valid', 'revoked'),
          data,
          changes: [
            `Certificate ${out.cert.serialHex} is now ${out.cert.status} (${out.cert.revocation?.reason ?? CERTIFICATE_LIFE_REASON}).`,
            `Vault key "${key.name}" moved to ${key.state}: it may no longer sign or protect anything.`,
            ...(out.crl ? [`"${N.intermediate}" published CRL number ${out.crl.number}.`] : []),
          ],
          objects: [certLink(leafCertId, `Certificate for ${N.host} (revoked)`), keyLink(keyId, `Key "${key.name}" (${key.state})`), crlLink(needCaId(state, 'intermediateCaId'), 'Intermediate CA CRL')],
        },
        state: { revokedAt: out.cert.revocation?.revokedAt ?? '', ...(out.crl ? { crlNumberAfter: out.crl.number } : {}) },
      };
    },
  },
  {
    id: 'crl',
    title: 'See the CRL change',
    explain:
      'A CRL is a list of serial numbers signed by the CA, with a number that only ever grows and a next-update date. Compare the intermediate’s CRL before and after: the number went up by one and the list now holds one entry, the serial number of the certificate issued earlier, with its reason.',
    standard: 'RFC 5280 §5.1 (CRL fields), §5.1.2.6 (revokedCertificates), §5.2.3 (CRL number)',
    async run({ engine, state }) {
      const pki = await engine.pki();
      const caId = needCaId(state, 'intermediateCaId');
      const serialHex = need(state, 'serialHex');
      const before = needNumber(state, 'crlNumberBefore');
      const history = await pki.listCrls(caId, 20);
      const after = history[0];
      const previous = history.find((c) => c.number === before);
      if (!after) throw new EngineError('STORAGE', 'walkthrough: the intermediate has no CRL');
      const { entries } = await pki.crlEntries(caId, { offset: 0, limit: 20 });
      const entry = entries.find((e) => e.serialHex === serialHex);
      const pem = await pki.exportCrl(caId, 'pem');
      const der = await pki.exportCrl(caId, 'der');
      const summary = (c: CrlInfo | undefined) => (c ? { number: c.number, thisUpdate: c.thisUpdate, nextUpdate: c.nextUpdate, entries: c.entries } : null);
      return {
        result: {
          diagram: chain('valid', 'valid', 'revoked'),
          data: [
            { kind: 'json', label: 'CRL before the revocation', value: summary(previous) },
            { kind: 'json', label: 'CRL after the revocation', value: summary(after) },
            { kind: 'hex', label: 'Serial number on the CRL', segments: entries.map((e) => ({ label: e === entry ? 'revoked serial (issued earlier)' : 'revoked serial', hex: e.serialHex })) },
            { kind: 'json', label: 'CRL entries', value: entries },
            {
              kind: 'check',
              label: 'The CRL names the certificate issued earlier',
              ok: !!entry,
              detail: entry ? `serial ${serialHex} is on CRL number ${after.number}, reason ${entry.reason ?? 'none'}` : `serial ${serialHex} is not on CRL number ${after.number}`,
            },
            { kind: 'check', label: 'The CRL number grew', ok: after.number > before, detail: `${before} → ${after.number}` },
            { kind: 'pem', label: 'CRL (PEM)', pem },
            { kind: 'asn1', label: 'CRL (decoded DER)', der: hexOf(der) },
          ],
          changes: ['Nothing new: the CRL was published by the revocation; this step reads it and its predecessor from the CRL history.'],
          objects: [crlLink(caId, 'Intermediate CA CRL and its history')],
        },
        state: { crlSerials: entries.map((e) => e.serialHex) },
      };
    },
  },
  {
    id: 'verify-again',
    title: 'Verify again: one check fails',
    explain:
      'The same client runs the same verification. The signatures, names, dates and usages still check out; the revocation check of the certificate now finds its serial on the intermediate’s fresh CRL, and that single failing check makes the whole chain invalid.',
    standard: 'RFC 5280 §6.1.3 (a)(3) (not revoked), §6.3 (CRL validation)',
    async run({ engine, state }) {
      const pki = await engine.pki();
      const leafCertId = needCertId(state, 'leafCertId');
      const r = await pki.verifyCertificate(leafCertId, { usage: 'tls-server', hostname: N.host });
      const failed = r.steps.filter((s) => !s.ok);
      return {
        result: {
          diagram: chain('valid', 'valid', r.valid ? 'valid' : 'failed'),
          data: [
            { kind: 'check', label: 'Chain verification', ok: r.valid, detail: r.valid ? 'the chain still verifies' : `fails at ${failed.map((s) => s.name).join(', ') || 'revocation'}` },
            { kind: 'text', label: 'Failing check', value: failed.length ? failed.map((s) => `${s.name}: ${s.detail}`).join('; ') : 'none' },
            { kind: 'text', label: 'Revocation status', value: r.revocation },
            ...verifyChecks(r),
          ],
          changes: ['Nothing: verification only reads.'],
        },
        state: { verifiedAfter: r.valid, failedChecks: failed.map((s) => s.name) },
      };
    },
  },
];

/** Walkthrough 2: a certificate's life. */
export const certificateLife: Walkthrough = {
  id: 'certificate-life',
  title: 'A certificate’s life',
  summary: 'Create a root and an intermediate CA, request and issue a server certificate, verify the chain, revoke it for key compromise, watch the CRL change, and see exactly which check now fails.',
  covers: 'Seeds 001, 002, 004; features E1–E8 (CA, CSR, issuance, revocation, CRL, verification)',
  steps,
};
