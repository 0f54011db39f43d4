/** Hash paths of the keys screens. The app's router parses the same shapes. */
export const keyPaths = {
  list: '#/keys',
  generate: '#/keys/new',
  import: '#/keys/import',
  key: (id: string) => `#/keys/${encodeURIComponent(id)}`,
} as const;

/** Moves to another screen (the app passes its router's navigate). */
export type Navigate = (hash: string) => void;
