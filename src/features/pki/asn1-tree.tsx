// A DER structure shown as an expandable ASN.1 tree.
import type { Asn1Node } from '../../engine';

function NodeLine(props: { node: Asn1Node }) {
  const n = props.node;
  return (
    <>
      <span className="asn1-label">{n.label}</span>{' '}
      <span className="asn1-meta">
        (offset {n.offset}, {n.length} {n.length === 1 ? 'byte' : 'bytes'})
      </span>
      {n.value !== undefined ? (
        <>
          {' '}
          <code className="asn1-value">{n.value}</code>
        </>
      ) : null}
    </>
  );
}

function Node(props: { node: Asn1Node; depth: number }) {
  const n = props.node;
  if (!n.children) {
    return (
      <li>
        <NodeLine node={n} />
      </li>
    );
  }
  // Native <details> gives the disclosure keyboard support (Enter/Space) and state for free.
  return (
    <li>
      <details open={props.depth < 3}>
        <summary>
          <NodeLine node={n} />
        </summary>
        <ul>
          {n.children.map((c, i) => (
            <Node key={`${c.offset}-${i}`} node={c} depth={props.depth + 1} />
          ))}
        </ul>
      </details>
    </li>
  );
}

/** E5: an ASN.1 tree of DER as nested lists; constructed nodes open and close. All values are text. */
export function Asn1Tree(props: { root: Asn1Node; label: string }) {
  return (
    <ul className="asn1-tree" aria-label={props.label}>
      <Node node={props.root} depth={0} />
    </ul>
  );
}
