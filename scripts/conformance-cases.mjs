// The PKITS and x509-limbo cases of ../shared/conformance, and how each maps onto
// validatePath's options. Shared by scripts/conformance.mjs (the full run) and the
// validator's node test (PKITS in full plus a fixed limbo sample).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

function limboCategory(id) {
  const parts = id.split('::');
  return parts[0] === 'rfc5280' || parts[0] === 'webpki' || parts[0] === 'bettertls' ? parts.slice(0, parts.length > 2 ? 2 : 1).join('::') : parts[0];
}

/** PKITS names its policies; the certificates carry 2.16.840.1.101.3.2.1.48.N. */
function policyOid(name) {
  if (name === 'anyPolicy') return '2.5.29.32.0';
  const m = /^NIST-test-policy-(\d+)$/.exec(name);
  if (!m) throw new Error(`unknown PKITS policy name ${name}`);
  return `2.16.840.1.101.3.2.1.48.${m[1]}`;
}

/** Every case of the chosen suite(s), optionally filtered by an id substring. */
export function loadCases(data, opts = {}) {
  const cases = [];
  if (!opts.suite || opts.suite === 'pkits') {
    const dir = join(data, 'pkits');
    const pk = JSON.parse(readFileSync(join(dir, 'pkits.json'), 'utf8'));
    for (const c of pk.cases) {
      cases.push({
        suite: 'pkits',
        id: `${c.number} ${c.name}`,
        category: c.section,
        expected: c.should_validate,
        pedantic: false,
        job: {
          kind: 'pkits',
          certs: c.certs.map((n) => join(dir, 'certs', `${n}.crt`)),
          crls: c.crls.map((n) => join(dir, 'crls', `${n}.crl`)),
          time: pk.validation_time,
          policy: {
            initialPolicySet: c.initial_policy_set.map(policyOid),
            explicitPolicy: c.initial_explicit_policy,
            policyMappingInhibit: c.initial_policy_mapping_inhibit,
            anyPolicyInhibit: c.initial_inhibit_any_policy,
          },
        },
      });
    }
  }
  if (!opts.suite || opts.suite === 'limbo') {
    const limbo = JSON.parse(gunzipSync(readFileSync(join(data, 'limbo', 'limbo.json.gz'))).toString('utf8'));
    for (const c of limbo.testcases) {
      cases.push({
        suite: 'limbo',
        id: c.id,
        category: limboCategory(c.id),
        expected: c.expected_result === 'SUCCESS',
        pedantic: (c.features ?? []).some((f) => f.startsWith('pedantic-')),
        job: { kind: 'limbo', c },
      });
    }
  }
  return opts.only ? cases.filter((c) => c.id.includes(opts.only)) : cases;
}

/** DER blocks of a PEM text. */
export function pemToDer(pem, label = 'CERTIFICATE') {
  const out = [];
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  for (const m of pem.matchAll(re)) out.push(new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
  return out;
}

/** Maps one case to validatePath options (every parameter a case carries is expressed). */
export function toOptions(job) {
  if (job.kind === 'pkits') {
    const certs = job.certs.map((f) => new Uint8Array(readFileSync(f)));
    return {
      anchors: [certs[0]],
      intermediates: certs.slice(1, -1),
      target: certs[certs.length - 1],
      crls: job.crls.map((f) => new Uint8Array(readFileSync(f))),
      time: new Date(job.time),
      policy: job.policy,
      revocation: 'require',
      allowSha1: true,
      profile: 'rfc5280',
    };
  }
  const c = job.c;
  const eku = c.extended_key_usage ?? [];
  const purpose = eku.includes('serverAuth') ? 'tls-server' : eku.includes('clientAuth') ? 'tls-client' : c.validation_kind === 'CLIENT' ? 'tls-client' : 'tls-server';
  const KU = ['digitalSignature', 'contentCommitment', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'];
  const peer = c.expected_peer_name ? { kind: c.expected_peer_name.kind === 'IP' ? 'ip' : c.expected_peer_name.kind === 'RFC822' ? 'email' : 'dns', value: c.expected_peer_name.value } : undefined;
  return {
    anchors: c.trusted_certs.flatMap((p) => pemToDer(p)),
    intermediates: c.untrusted_intermediates.flatMap((p) => pemToDer(p)),
    target: pemToDer(c.peer_certificate)[0],
    crls: (c.crls ?? []).flatMap((p) => pemToDer(p, 'X509 CRL')),
    time: c.validation_time ? new Date(c.validation_time) : new Date(),
    purpose,
    peer,
    keyUsage: (c.key_usage ?? []).map((k) => KU.indexOf(k)).filter((i) => i >= 0),
    maxDepth: c.max_chain_depth ?? undefined,
    revocation: 'if-available',
    profile: c.id.startsWith('webpki::') ? 'webpki' : 'rfc5280',
  };
}

