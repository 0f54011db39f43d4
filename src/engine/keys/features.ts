/**
 * Feature detection for the templates not every browser offers (X25519, Ed25519,
 * ML-KEM-768, ML-DSA-65, ChaCha20-Poly1305). Each is probed once by generating a
 * throwaway key; the answer is cached per engine.
 */
import { TEMPLATES, type TemplateName } from './templates';

export type FeatureProbe = (template: TemplateName) => Promise<boolean>;

export function createFeatureProbe(subtle: SubtleCrypto): FeatureProbe {
  const cache = new Map<TemplateName, Promise<boolean>>();
  return (name) => {
    const t = TEMPLATES.get(name);
    if (!t) return Promise.resolve(false);
    if (!t.optional) return Promise.resolve(true);
    let p = cache.get(name);
    if (!p) {
      const usages = [...(t.usages.secret ?? []), ...(t.usages.private ?? []), ...(t.usages.public ?? [])];
      p = subtle
        .generateKey(t.algorithm, false, usages)
        .then(() => true)
        .catch(() => false);
      cache.set(name, p);
    }
    return p;
  };
}
