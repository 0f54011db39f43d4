// A screen's heading, which also sets the document title.
import { useEffect, type ReactNode } from 'react';

/**
 * The page's one h1. It is focusable from script (tabIndex -1) so the shell can move
 * focus to it after navigation, and it sets the document title.
 */
export function PageTitle(props: { children: ReactNode; documentTitle: string }) {
  useEffect(() => {
    document.title = `${props.documentTitle} · Clavis`;
  }, [props.documentTitle]);
  return (
    <h1 className="page-title" tabIndex={-1}>
      {props.children}
    </h1>
  );
}
