// Hooks and helpers the lifecycle screens share: an operation runner and UTC date inputs.
import { useAppStore } from '../../state/engine-provider';

/** The status of a named lifecycle operation (see `lifecycleOpNames`), or undefined. */
export function useLifecycleOp(name: string) {
  return useAppStore((s) => s.lifecycle.ops[name]);
}

/** `YYYY-MM-DDTHH:MM` in UTC, for a datetime-local input that the form labels as UTC. */
export function toUtcInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(0, 16);
}

/** Epoch ms of a datetime-local value read as UTC, or undefined when empty or invalid. */
export function fromUtcInput(value: string): number | undefined {
  if (!value) return undefined;
  const t = Date.parse(`${value.length === 16 ? `${value}:00` : value}Z`);
  return Number.isNaN(t) ? undefined : t;
}
