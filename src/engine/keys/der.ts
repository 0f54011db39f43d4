/**
 * The strict DER reader and writer used to live here; it now lives in
 * src/engine/internal/der.ts so key formats, certificates and CRLs share one reader
 * with one strictness. This module re-exports it so existing imports keep working.
 */
export * from '../internal/der';
