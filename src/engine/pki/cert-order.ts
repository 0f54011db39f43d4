// The certificate list's order, on its own so the app's first page can sort without loading the CA module.
import type { CertInfo } from './types';

/**
 * The list order: newest first, then by id, descending. Both keys descend, as a reverse walk
 * of the `byCreated` index does (its ties in primary-key order, reversed), so the newest page
 * read from the index is exactly the start of the whole sorted list.
 */
export function compareCerts(a: Pick<CertInfo, 'createdAt' | 'id'>, b: Pick<CertInfo, 'createdAt' | 'id'>): number {
  return a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
