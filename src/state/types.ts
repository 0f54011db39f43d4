/**
 * Plain, serialisable shapes the store keeps. Nothing here may hold a CryptoKey, key
 * bytes or secret plaintext: zustand state can be serialised by middleware (STYLE.md).
 */
import type { EngineErrorCode, KeyOperation, TemplateName } from '../engine';

/** An error as a slice keeps it and a view shows it. */
export interface ErrorInfo {
  code: EngineErrorCode | 'UNEXPECTED';
  message: string;
}

/** The outcome of a slice action that returns a value to the view that asked for it. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Progress of one named operation (generate, delete:<id>, encrypt-text:<id>, ...). */
export interface OpStatus {
  status: 'busy' | 'done' | 'error';
  error?: ErrorInfo;
}

/** A template as the UI needs it: the KeyTemplate's descriptive fields plus availability. */
export interface TemplateInfo {
  name: TemplateName;
  family: string;
  kind: 'secret' | 'key-pair';
  label: string;
  description: string;
  operations: KeyOperation[];
  strength: string;
  slow: boolean;
  optional: boolean;
  /** Present when keys of this template are always extractable, with why. */
  extractableReason?: string;
  /** Whether this browser can generate it. */
  available: boolean;
}
