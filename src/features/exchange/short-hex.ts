/** Shortens long hex for the exchange diagrams; the full value stays in the title and the details. */
export function shortHex(h: string, keep = 16): string {
  return h.length > keep * 2 + 1 ? `${h.slice(0, keep)}…${h.slice(-keep)}` : h;
}
