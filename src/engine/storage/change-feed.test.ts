// Issue 14 #10: every committed write is announced to this tab and, through a
// BroadcastChannel, to every other connection to the same database (another tab), so all
// open tabs can show the same vault. Runs in Node and Chromium; waits on the events.
import { describe, expect, it } from 'vitest';
import { createEngine } from '..';
import { toHex } from '../internal/bytes';
import { openStorage } from './db';

function next(subscribe: (l: (origin: 'this-tab' | 'other-tab') => void) => () => void): Promise<'this-tab' | 'other-tab'> {
  return new Promise((resolve) => {
    const off = subscribe((origin) => {
      off();
      resolve(origin);
    });
  });
}

describe('storage change feed (issue 14 #10)', () => {
  it('a key made through one connection is announced to the other connection and to its own tab', async () => {
    const name = `clavis-feed-${toHex(crypto.getRandomValues(new Uint8Array(6)))}`;
    const a = await openStorage({ name });
    const b = await openStorage({ name });
    const seenByB = next(b.onChange);
    const seenByA = next(a.onChange);
    const info = await createEngine({ storage: a }).generateKey({ template: 'AES-GCM-256', name: 'made in tab a' });
    expect(await seenByA).toBe('this-tab');
    expect(await seenByB).toBe('other-tab');
    expect((await createEngine({ storage: b }).listKeys()).map((k) => k.id)).toEqual([info.id]);
    a.close();
    b.close();
  });

  it('reads announce nothing; a refused write announces nothing', async () => {
    const name = `clavis-feed-${toHex(crypto.getRandomValues(new Uint8Array(6)))}`;
    const a = await openStorage({ name });
    const events: string[] = [];
    const off = a.onChange((o) => events.push(o));
    await a.listKeyInfos();
    await a.getAuditHead();
    await expect(createEngine({ storage: a }).generateKey({ template: 'AES-GCM-256', name: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(events).toEqual([]);
    off();
    a.close();
  });
});
