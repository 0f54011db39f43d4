/** Hash paths of the KDC screens. */
export const kdcPaths = {
  distribution: '#/kdc',
  principals: '#/kdc/principals',
  attacks: '#/kdc/attacks',
  keys: '#/kdc/keys',
} as const;
