/**
 * Renderers for a step's data (F2): labelled hex, PEM, JSON, text, fingerprints, a
 * decoded ASN.1 tree, checks and field tables. Each datum is a region named by its
 * label, so people and tests can find "Ticket id" or "Serial number" by name.
 */
import { useId } from 'react';
import { fromHex } from '../../engine';
import { asn1Tree, type Asn1Node } from '../../engine/asn1';
import { DataTable } from '../../components/ui/data-table';
import type { StepDatum } from './types';

/** Hex in groups of two bytes, so long strings wrap and can be read. */
function groupHex(hex: string): string {
  return (hex.match(/.{1,4}/g) ?? []).join(' ');
}

function Asn1Tree(props: { nodes: Asn1Node[] }) {
  return (
    <ul className="wt-asn1">
      {props.nodes.map((n) => (
        <li key={n.offset}>
          <span className="wt-asn1-tag">{n.label}</span> <span className="wt-asn1-meta">@{n.offset}, {n.length} bytes</span>
          {n.value !== undefined && n.value !== '' ? <code className="wt-asn1-value">{n.value}</code> : null}
          {n.children && n.children.length > 0 ? <Asn1Tree nodes={n.children} /> : null}
        </li>
      ))}
    </ul>
  );
}

/** The tree of the engine's strict DER reader, or why the bytes could not be read. */
function decodedTree(derHex: string): { nodes: Asn1Node[] } | { error: string } {
  try {
    return { nodes: [asn1Tree(fromHex(derHex))] };
  } catch (e) {
    return { error: e instanceof Error ? e.message : 'the bytes are not DER' };
  }
}

function Body(props: { datum: StepDatum }) {
  const d = props.datum;
  switch (d.kind) {
    case 'hex':
      return (
        <ol className="wt-hex">
          {d.segments.map((s, i) => (
            <li key={`${i}-${s.label}`} className={`wt-seg wt-seg-${i % 6}`}>
              <span className="wt-seg-label">
                {s.label} <span className="wt-seg-len">({s.hex.length / 2} bytes)</span>
              </span>
              <code className="wt-seg-hex">{groupHex(s.hex)}</code>
            </li>
          ))}
        </ol>
      );
    // A .wt-pre scrolls past 24rem, so it takes focus: keyboard users can scroll it.
    case 'pem':
      return <pre className="wt-pre" tabIndex={0}>{d.pem}</pre>;
    case 'json':
      return <pre className="wt-pre" tabIndex={0}>{JSON.stringify(d.value, null, 2)}</pre>;
    case 'text':
      return d.value.length > 80 || d.value.includes('\n') ? <pre className="wt-pre" tabIndex={0}>{d.value}</pre> : <p className="wt-text"><code>{d.value}</code></p>;
    case 'fingerprint':
      return (
        <p className="wt-text">
          <code className="wt-fingerprint">{d.value}</code>
        </p>
      );
    case 'asn1': {
      const tree = decodedTree(d.der);
      return (
        <>
          {'nodes' in tree ? <Asn1Tree nodes={tree.nodes} /> : <p className="wt-text">The DER could not be decoded: {tree.error}</p>}
          <details className="wt-details">
            <summary>The DER bytes ({d.der.length / 2})</summary>
            <pre className="wt-pre" tabIndex={0}>{groupHex(d.der)}</pre>
          </details>
        </>
      );
    }
    case 'check':
      return (
        <p className={`wt-check ${d.ok ? 'wt-check-ok' : 'wt-check-fail'}`}>
          <span aria-hidden="true">{d.ok ? '✓' : '✗'} </span>
          <strong>{d.ok ? 'Yes' : 'No'}</strong> — {d.detail}
        </p>
      );
    case 'fields':
      return (
        <>
          {d.caption ? <p className="wt-protection">{d.caption}</p> : null}
          <DataTable
            plain
            className="wt-fields"
            frame={{ className: 'wt-table-wrap' }}
            rows={d.fields}
            rowKey={(f, i) => `${i}-${f.name}`}
            columns={[
              { header: 'Field', rowHeader: true, cell: (f) => f.name },
              { header: 'Value', cell: (f) => <code>{f.value}</code> },
              { header: 'Note', cell: (f) => f.note ?? '' },
            ]}
          />
        </>
      );
  }
}

/** One datum: a region with its label as heading. */
export function StepDatumView(props: { datum: StepDatum }) {
  const id = useId();
  const d = props.datum;
  return (
    <section className={`wt-datum wt-datum-${d.kind}`} aria-labelledby={id}>
      <h4 id={id}>{d.label}</h4>
      <Body datum={d} />
    </section>
  );
}
