// A1: which templates each platform must offer (a broken feature probe can never turn the
// template tests vacuous), and how Clavis refuses a template the platform lacks.
import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { NOT_OFFERED, OFFERED, PLATFORM, PLATFORM_PINS, REQUIRED } from '../../testing/platform';
import { TEMPLATES, TEMPLATE_NAMES, type TemplateName } from '..';
import { encodeBitString, encodeOid, encodeSequence } from './der';
import { KEY_OID } from './transfer';

/** An SPKI with the algorithm of `name` and filler key bits, for "platform lacks it" checks. */
function fakeSpki(name: TemplateName): Uint8Array<ArrayBuffer> | undefined {
  const alg: Partial<Record<TemplateName, [string, number]>> = {
    X25519: [KEY_OID.x25519, 32],
    Ed25519: [KEY_OID.ed25519, 32],
    'ML-KEM-768': [KEY_OID.mlKem768, 1184],
    'ML-DSA-65': [KEY_OID.mlDsa65, 1952],
  };
  const a = alg[name];
  return a ? encodeSequence(encodeSequence(encodeOid(a[0])), encodeBitString(new Uint8Array(a[1]).fill(7))) : undefined;
}

describe(`templates offered on ${PLATFORM} (A1)`, () => {
  it(`${PLATFORM} offers every template it is pinned to`, () => {
    const missing = [...REQUIRED].filter((t) => !OFFERED.has(t));
    expect(missing, `${PLATFORM} lacks templates it must offer`).toEqual([]);
    expect(REQUIRED.size).toBeGreaterThanOrEqual(PLATFORM_PINS.node.length);
  });

  it('every template is pinned by at least one platform, so some project runs its tests', () => {
    const pinned = new Set([...PLATFORM_PINS.node, ...PLATFORM_PINS.chromium]);
    expect(TEMPLATE_NAMES.filter((t) => !pinned.has(t))).toEqual([]);
  });

  it("the engine's template list agrees with the probe the tests use", async () => {
    const { engine } = await freshEngine();
    const listed = await engine.listTemplates();
    expect(listed.map((t) => t.template.name)).toEqual([...TEMPLATE_NAMES]);
    for (const { template, available } of listed) expect([template.name, available]).toEqual([template.name, OFFERED.has(template.name)]);
  });

  // Registered only where the platform lacks some template (Node 20: ML-KEM, ML-DSA,
  // ChaCha20-Poly1305); a platform that offers them all has nothing to refuse.
  if (NOT_OFFERED.length > 0) {
    it(`a template ${PLATFORM} lacks is refused with UNSUPPORTED on generate and import: ${NOT_OFFERED.join(', ')}`, async () => {
      const { engine } = await freshEngine();
      for (const name of NOT_OFFERED) {
        await expect(engine.generateKey({ template: name, name: 'k' }), name).rejects.toMatchObject({ code: 'UNSUPPORTED' });
        const spki = fakeSpki(name);
        if (spki) {
          await expect(engine.importKey({ data: spki, name: 'x' }), name).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/^keys: this browser does not offer/) });
        } else if (TEMPLATES.get(name)!.kind === 'secret') {
          await expect(engine.importKey({ data: new Uint8Array(32).fill(1), name: 'x', template: name }), name).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/does not offer/) });
        }
      }
      expect(await engine.listKeys()).toEqual([]);
    });
  }
});
