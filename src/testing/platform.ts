/**
 * Which key templates the platform running a test offers, and the rule for tests of a
 * template it lacks. Engine tests run twice: in Node (the node project) and in real
 * Chromium (the chromium project), whose WebCrypto offer different algorithms.
 *
 * The rule (never a pass for a test that did not run):
 * - A template this platform offers: its tests run.
 * - A template this platform is pinned to offer (PLATFORM_PINS) but does not: its tests
 *   are registered and reported as skipped, and the pin test fails (a broken feature
 *   probe or a missing algorithm can never turn tests vacuous). CI fails on a skip too.
 * - A template outside this platform's pin that it does not offer (ML-KEM in Node 20):
 *   its tests are not registered here; they run in the project whose pin includes it.
 *   Every template is pinned by at least one project (tested in platform.test.ts).
 */
import { it } from 'vitest';
import { TEMPLATE_NAMES, type TemplateName } from '../engine';
import { createFeatureProbe } from '../engine/keys/features';

/** The platforms engine tests run on. */
export type TestPlatform = 'node' | 'chromium';

/** The post-quantum and newer templates only a recent browser offers. */
const BROWSER_ONLY: readonly TemplateName[] = ['ML-KEM-768', 'ML-DSA-65', 'ChaCha20-Poly1305'];

/**
 * The Chromium version CI runs (Debian's); from it on the browser-only templates are
 * required. An older Chromium (a developer's Playwright download) is pinned to the rest.
 */
export const CHROMIUM_WITH_ALL_TEMPLATES = 156;

/** The templates each platform must offer. */
export const PLATFORM_PINS: Readonly<Record<TestPlatform, readonly TemplateName[]>> = {
  // Node 20: AES, HMAC, Fernet (AES-CBC + HMAC), RSA, ECDSA/ECDH, Ed25519, X25519.
  node: TEMPLATE_NAMES.filter((t) => !BROWSER_ONLY.includes(t)),
  chromium: TEMPLATE_NAMES,
};

/** The platform this test file runs on. */
export const PLATFORM: TestPlatform = typeof process !== 'undefined' && process.versions?.node && typeof window === 'undefined' ? 'node' : 'chromium';

/** The major version of the Chromium running the tests, or 0 outside a browser. */
export const CHROMIUM_MAJOR: number = PLATFORM === 'chromium' ? Number(/Chrom(?:e|ium)\/(\d+)/.exec(navigator.userAgent)?.[1] ?? 0) : 0;

/** The templates this platform must offer (its pin, adjusted for an older Chromium). */
export const REQUIRED: ReadonlySet<TemplateName> = new Set(
  PLATFORM === 'chromium' && CHROMIUM_MAJOR < CHROMIUM_WITH_ALL_TEMPLATES ? PLATFORM_PINS.chromium.filter((t) => !BROWSER_ONLY.includes(t)) : PLATFORM_PINS[PLATFORM],
);

const probe = createFeatureProbe(crypto.subtle);
const probed = await Promise.all(TEMPLATE_NAMES.map(async (t) => [t, await probe(t)] as const));

/** The templates this platform's WebCrypto offers, probed the way the engine probes. */
export const OFFERED: ReadonlySet<TemplateName> = new Set(probed.filter(([, ok]) => ok).map(([t]) => t));

/** True when this platform offers `template`. */
export function offered(template: TemplateName): boolean {
  return OFFERED.has(template);
}

/** Whether tests that need `templates` are registered on this platform (see the rule). */
function registered(templates: readonly TemplateName[]): boolean {
  return templates.every((t) => OFFERED.has(t) || REQUIRED.has(t));
}

/**
 * `it` for a test that needs `templates`: runs where they are offered, is reported as
 * skipped where a required one is missing, and is not registered where the platform is
 * not expected to offer one (another project runs it).
 */
export function itWith(templates: readonly TemplateName[], title: string, fn: () => Promise<void>, timeout?: number): void {
  if (!registered(templates)) return;
  it.skipIf(!templates.every(offered))(title, fn, timeout);
}

/** `it.each` over templates (`%s` in the title is the template), with itWith's rule per case. */
export function itEachTemplate(templates: readonly TemplateName[], title: string, fn: (template: TemplateName) => Promise<void>, timeout?: number): void {
  for (const t of templates) itWith([t], title.replace('%s', t), () => fn(t), timeout);
}

/** The templates this platform lacks and is not required to offer (tests of refusal use them). */
export const NOT_OFFERED: readonly TemplateName[] = TEMPLATE_NAMES.filter((t) => !OFFERED.has(t));
