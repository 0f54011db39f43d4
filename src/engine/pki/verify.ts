/**
 * Basic verification of certificate chains (E8, first part), as a list of named steps a
 * UI can explain. It wraps pkijs's CertificateChainValidationEngine and closes its traps
 * (SECURITY.md P7, P8, §0.1–0.3):
 *   - the target goes LAST in `certs`, and `certificatePath[0]` must be the target;
 *   - pathLenConstraint, CA flags, critical extensions, validity nesting, keyUsage, EKU
 *     and host name are checked here, because pkijs does not;
 *   - revocation is checked here from CRLs supplied per issuer (matched by name and AKI,
 *     signature-checked, in date, not rolled back) through a serial index (M3); a
 *     certificate without a usable CRL from its issuer is "unknown", and that fails.
 *
 * Common case: `await pki.verifyCertificate(certId, { usage: 'tls-server', hostname: 'app.test' })`.
 */
import * as pkijs from 'pkijs';
import { EngineError } from '../errors';
import { equalBytes, fromUtf8, toHex } from '../internal/bytes';
import type { EngineContext } from '../keys/context';
import { pkiCrypto } from './algorithms';
import { parseAsn1 } from './der';
import { OID, formatIp, parseIp } from './extensions';
import { verifyCrlSummarySignature } from './crl';
import { crlJobs } from './crl-client';
import type { CrlSummary } from './crl-codec';
import type { CrlIndex } from './crl-index';
import type { LeafProfile } from './issue';
import { caLabel, nameConstraintProblem, parseNameConstraints, type LabelledConstraints } from './name-constraints';
import { serialHex } from './serial';
import type { VerifyResult, VerifyStep } from './types';
import { parseBasicConstraints, parseCertificate, parseExtKeyUsage, parseGeneralNames, parseKeyUsage, skiValue, type TbsCertificateParts } from './x509';

/** What to verify. All certificates and CRLs are DER. */
export interface VerifyChainParams {
  target: Uint8Array;
  intermediates?: Uint8Array[];
  trustAnchors: Uint8Array[];
  /** CRLs, one (or more) per issuer. A certificate whose issuer has none is "unknown". */
  crls?: Uint8Array[];
  /**
   * CRLs already read into an index (`crl-index.ts`): `pki.verifyCertificate` passes the
   * cached indexes of the stored CRLs, so a big CRL is not re-read or re-parsed per call.
   */
  indexedCrls?: CrlIndex[];
  /** Verification time (default: the engine clock). */
  at?: Date;
  /** Intended use of the target (default `any`). */
  usage?: LeafProfile | 'any';
  hostname?: string;
  /** Highest CRL number already accepted per issuer SKI (hex), for anti-rollback (R7). */
  lastCrlNumbers?: ReadonlyMap<string, number>;
}

const EKU_FOR: Record<LeafProfile, string> = {
  'tls-server': OID.serverAuth,
  'tls-client': OID.clientAuth,
  'code-signing': OID.codeSigning,
  email: OID.emailProtection,
};
const KNOWN_CRITICAL = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.subjectAltName,
  OID.nameConstraints,
  OID.extKeyUsage,
  OID.certificatePolicies,
  '2.5.29.36', // policyConstraints
  '2.5.29.54', // inhibitAnyPolicy
]);

const ext = (p: TbsCertificateParts, id: string) => p.extensions.find((e) => e.oid === id);

function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!p.startsWith('*.')) return p === h;
  const rest = p.slice(1);
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot) === rest;
}

/** Verifies a chain and explains each step. Never throws for an invalid chain; throws only on bad arguments. */
export async function verifyChain(ctx: EngineContext, p: VerifyChainParams): Promise<VerifyResult> {
  if (!p || !(p.target instanceof Uint8Array) || !Array.isArray(p.trustAnchors)) throw new EngineError('INVALID_ARGUMENT', 'pki: verification needs a target and trust anchors');
  const steps: VerifyStep[] = [];
  const step = (name: string, ok: boolean, detail: string) => {
    steps.push({ name, ok, detail });
    return ok;
  };
  const done = (revocation: VerifyResult['revocation']): VerifyResult => ({ valid: steps.every((s) => s.ok) && revocation === 'good', revocation, steps });
  const at = p.at ?? new Date((ctx.viewClock ?? ctx.clock).now());
  const engine = pkiCrypto(ctx);

  // 1. Parse everything (pkijs objects keyed back to their exact input bytes).
  const derOf = new Map<pkijs.Certificate, Uint8Array>();
  const load = (der: Uint8Array) => {
    const c = new pkijs.Certificate({ schema: parseAsn1(der, 'certificate') });
    // Name constraints are checked below as their own step (RFC 5280 rules, our messages);
    // pkijs's copy is dropped so its own check cannot pre-empt ours. Signatures still
    // verify over the original TBS bytes (pkijs keeps them as tbsView).
    if (c.extensions) c.extensions = c.extensions.filter((e) => e.extnID !== OID.nameConstraints);
    derOf.set(c, der);
    return c;
  };
  let target: pkijs.Certificate;
  let intermediates: pkijs.Certificate[];
  let anchors: pkijs.Certificate[];
  try {
    target = load(p.target);
    intermediates = (p.intermediates ?? []).map(load);
    anchors = p.trustAnchors.map(load);
    step('parse', true, `${1 + intermediates.length + anchors.length} certificates parsed`);
  } catch {
    step('parse', false, 'a certificate could not be parsed');
    return done('unknown');
  }

  // 2. Path building and signatures (pkijs). The target MUST be last (P8a).
  let path: pkijs.Certificate[] = [];
  try {
    const chain = new pkijs.CertificateChainValidationEngine({ trustedCerts: anchors, certs: [...intermediates, target], checkDate: at });
    const r = await chain.verify({}, engine);
    if (r.result !== true || !r.certificatePath) {
      step('path', false, r.resultMessage || 'no valid path to a trust anchor');
      return done('unknown');
    }
    path = r.certificatePath;
    step('path', true, `signatures, names and validity periods check out along ${path.length} certificates`);
  } catch (e) {
    step('path', false, e instanceof Error && e.message ? e.message.slice(0, 200) : 'no valid path to a trust anchor');
    return done('unknown');
  }
  const pathDer = path.map((c) => derOf.get(c));
  if (!step('target-is-path-start', pathDer[0] !== undefined && equalBytes(pathDer[0], p.target), 'the validated path starts at the certificate asked about')) return done('unknown');
  if (pathDer.some((d) => d === undefined)) {
    step('path', false, 'the path contains an unknown certificate');
    return done('unknown');
  }
  const parts = (pathDer as Uint8Array[]).map((d) => parseCertificate(d).parts);
  const n = parts.length;

  // 3. CA flags and pathLen (RFC 5280 §6.1.4 (k)(l)(m)).
  let caOk = true;
  let pathOk = true;
  const caDetail: string[] = [];
  for (let i = 1; i < n; i++) {
    const bc = ext(parts[i]!, OID.basicConstraints);
    const b = bc ? parseBasicConstraints(bc.value) : undefined;
    const ku = ext(parts[i]!, OID.keyUsage);
    if (!b?.ca || (ku && !parseKeyUsage(ku.value).has(5))) {
      caOk = false;
      caDetail.push(`certificate ${i} is not a CA with keyCertSign`);
    }
    // Intermediates below issuer i, not counting the target (non-self-issued).
    const below = i - 1;
    if (b?.pathLen !== undefined && below > b.pathLen) {
      pathOk = false;
      caDetail.push(`certificate ${i} allows ${b.pathLen} CA(s) below it, the path has ${below}`);
    }
  }
  step('ca-flags', caOk, caOk ? 'every issuer is a CA allowed to sign certificates' : caDetail.join('; '));
  step('path-length', pathOk, pathOk ? 'every pathLenConstraint is respected' : caDetail.join('; '));

  // 3b. Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)(c), §6.1.4 (g)), checked here,
  // not by pkijs: every CA's constraints apply to every certificate below it, except
  // self-issued intermediates; the target is always checked.
  const ncProblems: string[] = [];
  let ncCount = 0;
  for (let i = 1; i < n; i++) {
    const nc = ext(parts[i]!, OID.nameConstraints);
    if (!nc) continue;
    ncCount++;
    let constraints: LabelledConstraints;
    try {
      constraints = { label: `certificate ${i} (${caLabel(parts[i]!.subject)})`, constraints: parseNameConstraints(nc.value) };
    } catch {
      ncProblems.push(`certificate ${i} has unreadable nameConstraints`);
      continue;
    }
    for (let j = 0; j < i; j++) {
      const c = parts[j]!;
      if (j > 0 && equalBytes(c.subject, c.issuer)) continue;
      const san = ext(c, OID.subjectAltName);
      try {
        const problem = nameConstraintProblem(constraints, { subject: c.subject, sans: san ? parseGeneralNames(san.value) : [] });
        if (problem) ncProblems.push(j === 0 ? `the certificate: ${problem}` : `certificate ${j}: ${problem}`);
      } catch {
        ncProblems.push(`certificate ${j} has names that could not be read`);
      }
    }
  }
  step(
    'name-constraints',
    ncProblems.length === 0,
    ncProblems.length ? `name constraints: ${ncProblems.join('; ')}` : ncCount ? `every name is inside the permitted subtrees of ${ncCount} constraining CA(s) and outside their excluded ones` : 'no CA in the path constrains names',
  );

  // 4. Unknown critical extensions on any certificate, the target included (P8c).
  const unknown = parts.flatMap((x, i) => x.extensions.filter((e) => e.critical && !KNOWN_CRITICAL.has(e.oid)).map((e) => `${e.oid} on certificate ${i}`));
  step('critical-extensions', unknown.length === 0, unknown.length ? `unknown critical extension ${unknown.join(', ')}` : 'no unknown critical extension');

  // 5. Validity nesting: no certificate outlives its issuer.
  const nestBad: string[] = [];
  for (let i = 0; i + 1 < n; i++) {
    const a = parts[i]!.notAfter.date;
    const b = parts[i + 1]!.notAfter.date;
    if (!a || !b || a.getTime() > b.getTime()) nestBad.push(`certificate ${i} outlives its issuer`);
  }
  step('validity-nesting', nestBad.length === 0, nestBad.length ? nestBad.join('; ') : 'each certificate expires no later than its issuer');

  // 6. Intended use: keyUsage and EKU of the target.
  const usage = p.usage ?? 'any';
  const leaf = parts[0]!;
  if (usage !== 'any') {
    const bc = ext(leaf, OID.basicConstraints);
    const isCa = bc ? parseBasicConstraints(bc.value).ca : false;
    const kuExt = ext(leaf, OID.keyUsage);
    const ku = kuExt ? parseKeyUsage(kuExt.value) : undefined;
    const kuOk = !isCa && (!ku || (usage === 'tls-server' ? ku.has(0) || ku.has(2) || ku.has(4) : usage === 'email' ? ku.has(0) || ku.has(2) || ku.has(4) : ku.has(0)));
    step('key-usage', kuOk, kuOk ? `keyUsage allows ${usage}` : isCa ? 'the target is a CA certificate' : `keyUsage does not allow ${usage}`);
    const ekuExt = ext(leaf, OID.extKeyUsage);
    const ekus = ekuExt ? parseExtKeyUsage(ekuExt.value) : undefined;
    const ekuOk = !ekus || ekus.includes(EKU_FOR[usage]) || ekus.includes('2.5.29.37.0');
    step('extended-key-usage', ekuOk, ekuOk ? `extKeyUsage allows ${usage}` : `extKeyUsage lacks ${EKU_FOR[usage]}`);
  }
  if (p.hostname !== undefined) {
    const san = ext(leaf, OID.subjectAltName);
    const gns = san ? parseGeneralNames(san.value) : [];
    let ip: string | undefined;
    try {
      ip = formatIp(parseIp(p.hostname));
    } catch {
      ip = undefined;
    }
    const ok = gns.some((g) => (ip !== undefined ? g.tag === 0x87 && formatIp(g.content) === ip : g.tag === 0x82 && hostMatches(fromUtf8(g.content), p.hostname!)));
    step('hostname', ok, ok ? `${p.hostname} is one of the certificate's names` : `${p.hostname} is not in the subjectAltName`);
  }

  // 7. Revocation, per certificate, from its issuer's CRL (fail closed).
  // Each CRL is read once (in the CRL worker when big) for its header and the path's
  // serials only; the revoked list is never materialised here (M1, M3).
  const pathSerials = parts.map((x) => serialHex(x.serial));
  const crls: Array<{ parsed: CrlSummary; index?: CrlIndex }> = [
    ...(
      await Promise.all(
        (p.crls ?? []).map(async (d) => {
          try {
            return [{ parsed: await crlJobs.summarise(d, pathSerials) }];
          } catch {
            return [];
          }
        }),
      )
    ).flat(),
    ...(p.indexedCrls ?? []).map((index) => ({ parsed: index.summary(pathSerials), index })),
  ];
  // An indexed CRL's signature is checked once per issuer key and remembered with it.
  const signatureOk = (c: (typeof crls)[number], issuer: pkijs.Certificate): Promise<boolean> => {
    if (!c.index) return verifyCrlSummarySignature(ctx, c.parsed, issuer);
    const key = toHex(issuer.subjectPublicKeyInfo.toSchema().toBER(false));
    let v = c.index.verdicts.get(key);
    if (!v) c.index.verdicts.set(key, (v = verifyCrlSummarySignature(ctx, c.parsed, issuer)));
    return v;
  };
  let revocation: VerifyResult['revocation'] = 'good';
  for (let i = 0; i + 1 < n; i++) {
    const issuer = parts[i + 1]!;
    const issuerSkiExt = ext(issuer, OID.subjectKeyIdentifier);
    const issuerSki = issuerSkiExt ? skiValue(issuerSkiExt.value) : undefined;
    const reasons: string[] = [];
    let best: (typeof crls)[number] | undefined;
    for (const c of crls) {
      const x = c.parsed;
      if (!equalBytes(x.issuer, issuer.subject)) continue;
      if (issuerSki && x.authorityKeyId && !equalBytes(issuerSki, x.authorityKeyId)) continue;
      if (!(await signatureOk(c, path[i + 1]!))) {
        reasons.push('a CRL signature does not verify');
        continue;
      }
      if (!(x.thisUpdate.getTime() <= at.getTime())) {
        reasons.push('a CRL is not yet valid');
        continue;
      }
      if (!x.nextUpdate || x.nextUpdate.getTime() <= at.getTime()) {
        reasons.push('a CRL is out of date');
        continue;
      }
      if (x.unknownCritical.length) {
        reasons.push('a CRL has unknown critical extensions');
        continue;
      }
      const last = issuerSki ? p.lastCrlNumbers?.get(toHex(issuerSki)) : undefined;
      if (last !== undefined && (x.number === undefined || x.number < last)) {
        reasons.push(`a CRL is older (number ${x.number ?? 'none'}) than one already seen (${last})`);
        continue;
      }
      if (!best || (x.number ?? -1) > (best.parsed.number ?? -1)) best = c;
    }
    const label = i === 0 ? 'the certificate' : `CA certificate ${i}`;
    if (!best) {
      revocation = revocation === 'revoked' ? 'revoked' : 'unknown';
      step(`revocation-${i}`, false, `${label}: no usable CRL from its issuer${reasons.length ? ` (${reasons.join('; ')})` : ''}: status unknown`);
      continue;
    }
    const serial = serialHex(parts[i]!.serial);
    if (Object.hasOwn(best.parsed.hits, serial)) {
      revocation = 'revoked';
      const r = best.parsed.hits[serial] ?? undefined;
      step(`revocation-${i}`, false, `${label} is revoked (CRL ${best.parsed.number ?? '?'}${r !== undefined ? `, reason ${r}` : ''})`);
    } else {
      step(`revocation-${i}`, true, `${label} is not on its issuer's CRL number ${best.parsed.number ?? '?'}`);
    }
  }
  return done(revocation);
}
