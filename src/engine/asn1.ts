/**
 * Public entry for the ASN.1 tree of DER bytes (read by the engine's one strict reader),
 * apart from engine/index.ts so the vault's first page load does not carry it: the
 * walkthroughs import it from here and load it with their route.
 */
export { asn1Tree, type Asn1Node } from './internal/asn1-tree';
