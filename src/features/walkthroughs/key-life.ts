/**
 * Walkthrough 4 (F1; seed 003, NIST SP 800-57): a key's life. Generate, activate, use,
 * rotate, move the simulated clock past protect-stop, compromise, revoke every key of a
 * principal, destroy, audit. Every step calls the namespace engine's lifecycle verbs; the
 * simulated clock is the namespace engine's own, never the app's.
 */
import { fromHex, fromUtf8, utf8, type Engine, type KeyId, type KeyInfo } from '../../engine';
import { envelopeSegments, hex, refusalOf, shortDate } from './step-data';
import type { ObjectLink, StepDatum, StepDiagram, Walkthrough, WalkthroughState } from './types';

const OWNER = 'alice';
const PLAINTEXT = 'Invoice 1042: 3 × widgets, total 129.00 EUR';
const DAY = 86_400_000;

interface KeyLifeState extends WalkthroughState {
  v1: KeyId;
  v2: KeyId;
  signing: KeyId;
  /** The envelope made by v1 in the "use" step, hex. */
  ct1: string;
  /** The same message re-encrypted under v2 by `rewrap`, hex. */
  ct2: string;
}

const st = (s: WalkthroughState) => s as Partial<KeyLifeState>;
const keyLink = (id: string, label: string): ObjectLink => ({ kind: 'key', id, label: `Key ${label}` });
const bytes = fromHex;
const text = fromUtf8;

function lifecycle(state: KeyInfo['state'], from?: KeyInfo['state']): StepDiagram {
  return from ? { kind: 'lifecycle', state, from } : { kind: 'lifecycle', state };
}

/** A key's metadata as fields (never its material: the engine has no way to give that here). */
function keyFields(k: KeyInfo, label = `Key ${k.name} v${k.version}`): StepDatum {
  const d = k.dates;
  return {
    kind: 'fields',
    label,
    fields: [
      { name: 'id', value: k.id },
      { name: 'template', value: k.template },
      { name: 'owner', value: k.owner },
      { name: 'state', value: k.state },
      { name: 'version', value: `${k.version}${k.primary ? ' (primary)' : ''}` },
      { name: 'extractable', value: String(k.extractable) },
      ...(d.activation ? [{ name: 'activation date', value: shortDate(d.activation) }] : []),
      ...(d.protectStop ? [{ name: 'protect-stop date', value: shortDate(d.protectStop), note: 'no encrypt/sign from then' }] : []),
      ...(d.processStop ? [{ name: 'process-stop date', value: shortDate(d.processStop), note: 'no decrypt/verify from then' }] : []),
      ...(d.compromise ? [{ name: 'compromise date', value: shortDate(d.compromise) }] : []),
      ...(d.destroyed ? [{ name: 'destroy date', value: shortDate(d.destroyed) }] : []),
    ],
  };
}

const history = (k: KeyInfo): StepDatum => ({ kind: 'json', label: `History of ${k.name} v${k.version}`, value: k.history });

const refusedCheck = (label: string, e: Awaited<ReturnType<typeof refusalOf>>): StepDatum => ({
  kind: 'check',
  label,
  ok: e !== undefined,
  detail: e ? `${e.code}: ${e.message}` : 'it was accepted',
});

/** "name vN" of every key in the namespace, by id. */
async function keyNames(engine: Engine): Promise<Map<string, string>> {
  return new Map((await engine.listKeys()).map((k) => [k.id, `${k.name} v${k.version}`]));
}

async function decryptsTo(engine: Engine, ct: string, opts?: { acknowledgeRisk?: boolean }): Promise<string> {
  return text((await engine.decrypt(bytes(ct), opts)).plaintext);
}

export const keyLife: Walkthrough = {
  id: 'key-life',
  title: 'A key’s life',
  summary:
    'One AES-256 data key from generation to destruction: activation, use, rotation, the clock passing its protect-stop date, compromise, the revocation of every key its owner holds, crypto-shredding, and the audit log that recorded it all.',
  covers: 'Seed 003 (store, revoke all of a user’s keys, revoked list); NIST SP 800-57 Part 1 §7; B1–B8',
  steps: [
    {
      id: 'generate',
      title: 'Generate a key that starts tomorrow',
      explain:
        'Alice’s data key is generated with an activation date one day ahead, so it starts in the pre-activation state: it exists, but can do nothing yet. Alice also gets a signing key, active at once. The key material is a non-extractable CryptoKey; what you see is metadata and a key check value.',
      standard: 'NIST SP 800-57 Part 1 Rev. 5 §7.1 (pre-activation state); KMIP 2.1 §3.22 (Activation Date)',
      async run({ engine }) {
        const v1 = await engine.generateKey({ template: 'AES-GCM-256', name: 'orders-db', owner: OWNER, activateAt: engine.now() + DAY });
        const signing = await engine.generateKey({ template: 'ECDSA-P-256', name: 'alice-signing', owner: OWNER });
        return {
          result: {
            diagram: lifecycle(v1.state),
            data: [keyFields(v1), { kind: 'fingerprint', label: 'Key check value of orders-db v1', value: v1.fingerprint.value }, keyFields(signing)],
            changes: [`Vault: key orders-db v1 (${v1.id}) created, pre-activation`, `Vault: key alice-signing (${signing.id}) created, active`],
            objects: [keyLink(v1.id, 'orders-db v1'), keyLink(signing.id, 'alice-signing')],
          },
          state: { v1: v1.id, signing: signing.id },
        };
      },
    },
    {
      id: 'activate',
      title: 'Activate it',
      explain: 'An operator activates the key before its date. From now on it may protect (encrypt) and process (decrypt) until the dates of its cryptoperiod say otherwise.',
      standard: 'NIST SP 800-57 Part 1 Rev. 5 §7.2 (active state), transition 4',
      async run({ engine, state }) {
        const before = await engine.getKey(st(state).v1!);
        const v1 = await engine.activateKey(before.id);
        return {
          result: { diagram: lifecycle(v1.state, before.state), data: [keyFields(v1), history(v1)], changes: [`Vault: orders-db v1 ${before.state} → ${v1.state}`], objects: [keyLink(v1.id, 'orders-db v1')] },
        };
      },
    },
    {
      id: 'use',
      title: 'Use it',
      explain:
        'The key encrypts an invoice into a Clavis envelope: a header that names the key and version, a fresh 96-bit IV, the AES-GCM ciphertext and its tag. The header is authenticated too. Decrypting finds the key from the header. Alice also signs the invoice.',
      standard: 'NIST SP 800-38D (GCM) §8.2 (IV uniqueness); FIPS 186-5 (ECDSA)',
      async run({ engine, state }) {
        const s = st(state);
        const ct = await engine.encrypt(s.v1!, utf8(PLAINTEXT));
        const back = await decryptsTo(engine, hex(ct));
        const sig = await engine.sign(s.signing!, utf8(PLAINTEXT));
        const usage = await engine.keyUsage(s.v1!);
        const v1 = await engine.getKey(s.v1!);
        return {
          result: {
            diagram: lifecycle(v1.state),
            data: [
              { kind: 'text', label: 'Plaintext', value: PLAINTEXT },
              { kind: 'hex', label: `Ciphertext envelope (${ct.length} bytes)`, segments: envelopeSegments(ct) },
              { kind: 'check', label: 'Decrypts to the same text', ok: back === PLAINTEXT, detail: back },
              { kind: 'hex', label: 'ECDSA P-256 signature by alice-signing (DER)', segments: [{ label: 'ECDSA-Sig-Value', hex: hex(sig) }] },
              { kind: 'text', label: 'Uses of orders-db v1 counted by the engine', value: String(usage.count) },
            ],
            changes: [`Vault: orders-db v1 used ${usage.count} times (encrypt, decrypt)`, 'Vault: alice-signing used (sign)'],
          },
          state: { ct1: hex(ct) },
        };
      },
    },
    {
      id: 'rotate',
      title: 'Rotate it',
      explain:
        'Rotation makes version 2 the primary: new data is encrypted under it. Version 1 is deactivated, not deleted: it may still decrypt what it protected. Rewrapping moves the old ciphertext under version 2 without the plaintext leaving the engine.',
      standard: 'NIST SP 800-57 Part 1 Rev. 5 §5.3 (cryptoperiods) and §8.2.3 (key update); KMIP Re-key',
      async run({ engine, state }) {
        const s = st(state);
        const v2 = await engine.rotateKey(s.v1!);
        const v1 = await engine.getKey(s.v1!);
        const oldStill = await decryptsTo(engine, s.ct1!);
        const rewrapped = (await engine.rewrap(bytes(s.ct1!))) as Uint8Array;
        const ring = await engine.listKeyring(s.v1!);
        return {
          result: {
            diagram: lifecycle(v1.state, 'active'),
            data: [
              { kind: 'fields', label: 'Keyring orders-db', fields: ring.map((k) => ({ name: `version ${k.version}`, value: `${k.state}${k.primary ? ', primary' : ''}`, note: k.id })) },
              { kind: 'check', label: 'Version 1 still decrypts its old ciphertext', ok: oldStill === PLAINTEXT, detail: oldStill },
              { kind: 'hex', label: 'The same invoice rewrapped under version 2', segments: envelopeSegments(rewrapped) },
              keyFields(v2),
            ],
            changes: [`Vault: orders-db v2 (${v2.id}) created, active, primary`, 'Vault: orders-db v1 active → deactivated (superseded by version 2)'],
            objects: [keyLink(v2.id, 'orders-db v2 (primary)'), keyLink(s.v1!, 'orders-db v1')],
          },
          state: { v2: v2.id, ct2: hex(rewrapped) },
        };
      },
    },
    {
      id: 'protect-stop',
      title: 'Move the clock past protect-stop',
      explain:
        'Every key has a cryptoperiod: SP 800-57 suggests at most 2 years of protecting for a symmetric data key. The walkthrough’s own simulated clock jumps past version 2’s protect-stop date; the clock deactivates it. It may still decrypt, but no longer encrypt.',
      standard: 'NIST SP 800-57 Part 1 Rev. 5 §5.3.6 Table 1 (originator-usage period); KMIP Protect Stop Date',
      async run({ engine, state }) {
        const s = st(state);
        const before = await engine.getKey(s.v2!);
        const target = Date.parse(before.dates.protectStop!) + DAY;
        const applied = await engine.setSimulatedTime(target);
        const v2 = await engine.getKey(s.v2!);
        const encrypt = await refusalOf(() => engine.encrypt(s.v2!, utf8('new invoice')));
        const stillReads = await decryptsTo(engine, s.ct2!);
        const names = await keyNames(engine);
        return {
          result: {
            diagram: lifecycle(v2.state, before.state),
            data: [
              { kind: 'text', label: 'Simulated time now', value: shortDate(engine.now()) },
              { kind: 'json', label: 'Transitions the clock applied', value: applied },
              refusedCheck('Refused: encrypt with orders-db v2 after protect-stop', encrypt),
              { kind: 'check', label: 'Still decrypts (process-only until process-stop)', ok: stillReads === PLAINTEXT, detail: stillReads },
              keyFields(v2),
            ],
            changes: [`Walkthrough clock moved to ${shortDate(target)}`, ...applied.map((a) => `Vault: ${names.get(a.keyId) ?? a.keyId} ${a.from} → ${a.to} (clock)`)],
          },
        };
      },
    },
    {
      id: 'compromise',
      title: 'The key is compromised',
      explain:
        'Version 2 is found on a stolen backup. Marking it compromised is permanent. A compromised key never protects again, and processing needs an explicit acknowledgement of the risk: data it protects may have been read or forged.',
      standard: 'NIST SP 800-57 Part 1 Rev. 5 §7.5 (compromised state) and §8.3.5; RFC 5280 §5.3.1 keyCompromise',
      async run({ engine, state }) {
        const s = st(state);
        const before = await engine.getKey(s.v2!);
        const v2 = await engine.compromiseKey(s.v2!, { compromiseOccurredAt: engine.now() - 7 * DAY });
        const plain = await refusalOf(() => engine.decrypt(bytes(s.ct2!)));
        const risky = await decryptsTo(engine, s.ct2!, { acknowledgeRisk: true });
        return {
          result: {
            diagram: lifecycle(v2.state, before.state),
            data: [
              refusedCheck('Refused: decrypt with a compromised key (no acknowledgement)', plain),
              { kind: 'check', label: 'Decrypts with the risk acknowledged (and audited)', ok: risky === PLAINTEXT, detail: risky },
              keyFields(v2),
              history(v2),
            ],
            changes: [`Vault: orders-db v2 ${before.state} → compromised (keyCompromise, occurred a week earlier)`],
            objects: [keyLink(v2.id, 'orders-db v2')],
          },
        };
      },
    },
    {
      id: 'revoke-principal',
      title: 'Revoke every key Alice owns',
      explain:
        'The stolen backup was Alice’s, so all of her keys are suspect: revoking the principal for keyCompromise moves each of her keys to compromised in one transaction (cause: cascade), and no new key can be made for her until she is reinstated. The seed’s revoked list is the engine’s listRevokedKeys.',
      standard: 'NIST SP 800-57 Part 1 Rev. 5 §8.3.5 (revocation); KMIP Revoke; seed 003 revoke_key(user_id)',
      async run({ engine, state }) {
        const s = st(state);
        const before = await engine.getKey(s.v1!);
        const out = await engine.revokePrincipal(OWNER, 'keyCompromise');
        const keys = await engine.listKeys({ owner: OWNER });
        const refused = await refusalOf(() => engine.generateKey({ template: 'AES-GCM-256', name: 'orders-db-new', owner: OWNER }));
        const revoked = await engine.listRevokedKeys();
        const v1 = await engine.getKey(s.v1!);
        const names = await keyNames(engine);
        return {
          result: {
            diagram: lifecycle(v1.state, before.state),
            data: [
              { kind: 'fields', label: 'What the revocation did', fields: out.transitions.map((t) => ({ name: names.get(t.keyId) ?? t.keyId, value: `${t.from} → ${t.to}`, note: `${t.cause}, ${t.reason}` })) },
              ...(out.unchanged.length ? [{ kind: 'fields' as const, label: 'Left as they were', fields: out.unchanged.map((u) => ({ name: u.keyId, value: u.state, note: u.why })) }] : []),
              { kind: 'fields', label: 'Alice’s keys now', fields: keys.map((k) => ({ name: `${k.name} v${k.version}`, value: k.state, note: k.id })) },
              refusedCheck('Refused: a new key for Alice', refused),
              { kind: 'json', label: 'Revoked keys (reason, date, cause)', value: revoked.map((r) => ({ key: `${r.key.name} v${r.key.version}`, reason: r.reason, revokedAt: r.revokedAt, cause: r.cause })) },
            ],
            changes: [`Principal ${OWNER} revoked (keyCompromise)`, ...out.transitions.map((t) => `Vault: ${names.get(t.keyId) ?? t.keyId} ${t.from} → ${t.to} (cascade)`)],
          },
        };
      },
    },
    {
      id: 'destroy',
      title: 'Destroy it',
      explain:
        'Destruction deletes the key material (crypto-shredding): every ciphertext under it becomes unreadable for good. The metadata stays as a tombstone, so the audit trail and the “destroyed (compromised)” state remain.',
      standard: 'NIST SP 800-57 Part 1 Rev. 5 §7.6 (destroyed states) and §8.3.4; NIST SP 800-88 (sanitization)',
      async run({ engine, state }) {
        const s = st(state);
        const before = await engine.getKey(s.v2!);
        const v2 = await engine.destroyKey(s.v2!, 'crypto-shred after compromise');
        const v1 = await engine.destroyKey(s.v1!, 'crypto-shred after compromise');
        const gone2 = await refusalOf(() => engine.decrypt(bytes(s.ct2!), { acknowledgeRisk: true }));
        const gone1 = await refusalOf(() => engine.decrypt(bytes(s.ct1!), { acknowledgeRisk: true }));
        return {
          result: {
            diagram: lifecycle(v2.state, before.state),
            data: [
              refusedCheck('Refused: decrypt the rewrapped invoice (v2 destroyed)', gone2),
              refusedCheck('Refused: decrypt the original invoice (v1 destroyed)', gone1),
              keyFields(v2),
              keyFields(v1),
            ],
            changes: [`Vault: orders-db v2 ${before.state} → ${v2.state}; material deleted`, `Vault: orders-db v1 → ${v1.state}; material deleted`],
            objects: [keyLink(v2.id, 'orders-db v2 (tombstone)'), keyLink(v1.id, 'orders-db v1 (tombstone)')],
          },
        };
      },
    },
    {
      id: 'audit',
      title: 'Read the audit log',
      explain:
        'Every step above left an entry in a hash-chained log: each entry’s hash covers the previous hash, so changing, removing or reordering any entry breaks the chain from there on. Verification recomputes the whole chain and compares the head.',
      standard: 'NIST SP 800-57 Part 2 §6.7 (audit); NIST SP 800-92 (log management); RFC 8785 canonical JSON',
      async run({ engine, state }) {
        const entries = await engine.listAuditEntries();
        const verdict = await engine.verifyAuditLog();
        const last = entries[entries.length - 1];
        const v2 = await engine.getKey(st(state).v2!);
        return {
          result: {
            diagram: lifecycle(v2.state),
            data: [
              { kind: 'check', label: 'Audit chain verifies', ok: verdict.ok, detail: verdict.ok ? `${verdict.count} entries, head ${verdict.head?.hash ?? ''}` : verdict.explanation },
              {
                kind: 'fields',
                label: `Every audit entry (${entries.length})`,
                fields: entries.map((e) => ({ name: `#${e.seq} ${e.action}`, value: shortDate(e.at), note: `${e.actor}; ${e.subject.join(', ')}` })),
              },
              ...(last ? [{ kind: 'json' as const, label: `The last entry, #${last.seq}`, value: last }] : []),
            ],
            changes: ['Nothing changed: the log is only read'],
          },
        };
      },
    },
  ],
};
