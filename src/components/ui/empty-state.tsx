// What a list shows when it has nothing: an empty state that leads somewhere, or the sentence for filters that match nothing.
import { useId, type ReactNode } from 'react';

/**
 * A list with nothing in it yet: a section named by its heading (`title`), with what to do
 * next as `children`. `headingId` keeps a heading id stable where links or tests use it.
 *
 * `<EmptyState title="No keys yet"><p>The vault is empty. <a href={…}>Generate your first key</a>.</p></EmptyState>`
 */
export function EmptyState(props: { title: ReactNode; headingId?: string; children?: ReactNode }) {
  const generated = useId();
  const id = props.headingId ?? generated;
  return (
    <section className="empty-state" aria-labelledby={id}>
      <h2 id={id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** What a list shows when its filters match nothing: one sentence, no heading. */
export function NoMatches(props: { children: ReactNode }) {
  return <p className="empty-state">{props.children}</p>;
}
