// Step-by-step protocol runs (the sequence diagram): start a run, deliver one message at a time, or run it all.
import { EngineError } from '../errors';
import { mintKdcRunId, type KdcRunId } from '../ids';
import { isoAt } from '../lifecycle/transition';
import type { createClientSide } from './client-side';
import { cleanName, type KdcContext } from './context';
import type { createKdcExchange } from './protocol';
import type { createServiceSide } from './service-side';
import { DEFAULT_TICKET_LIFETIME_MS, KdcRefusal, type DistributionParams, type KdcProtocolRun, type KdcRunStep } from './types';

interface RunState {
  run: KdcProtocolRun;
  lifetimeMs: number;
  last?: Uint8Array<ArrayBuffer>;
  stage: number;
}

/** The run verbs of a KDC, over its two protocol exchanges. */
export function createSteps(k: KdcContext, kdcSide: ReturnType<typeof createKdcExchange>, client: ReturnType<typeof createClientSide>, service: ReturnType<typeof createServiceSide>) {
  const { ctx, principalRecord } = k;
  const { requestWithWire, issueWithWire } = kdcSide;
  const { acceptReplyWithWire, clientConfirmWithWire } = client;
  const { serviceAcceptWithWire, serviceFinish } = service;
  const runs = new Map<KdcRunId, RunState>();

  /** What the run's next delivery does, by stage (stage 0 is the request itself). */
  const NEXT: readonly (KdcRunStep | undefined)[] = [undefined, 'issue', 'present-ticket', 'accept-ticket', 'confirm', 'finish'];

  function snapshot(st: RunState): KdcProtocolRun {
    return { ...st.run, messages: [...st.run.messages] };
  }

  async function startDistribution(p: DistributionParams): Promise<KdcProtocolRun> {
    const client = cleanName(p?.client, 'client');
    const service = cleanName(p.service, 'service');
    if (client === service) throw new EngineError('INVALID_ARGUMENT', 'kdc: A and B must be two different principals');
    await principalRecord(client);
    await principalRecord(service);
    const first = await requestWithWire(client, service, 1);
    const run: KdcProtocolRun = { id: mintKdcRunId(ctx.random), client, service, messages: [first.wire], done: false, confirmed: false };
    const st: RunState = { run, lifetimeMs: p.lifetimeMs ?? DEFAULT_TICKET_LIFETIME_MS, last: first.bytes, stage: 1 };
    run.next = NEXT[1]!;
    runs.set(run.id, st);
    return snapshot(st);
  }

  async function nextStep(runId: KdcRunId): Promise<KdcProtocolRun> {
    const st = runs.get(runId);
    if (!st) throw new EngineError('INVALID_ARGUMENT', 'kdc: no such protocol run');
    const r = st.run;
    if (r.done) return snapshot(st);
    try {
      switch (st.stage) {
        case 1: {
          const out = await issueWithWire(st.last!, { lifetimeMs: st.lifetimeMs }, 2);
          r.messages.push(out.wire);
          r.keyId = out.keyId;
          r.ticketId = out.ticketId;
          r.expiresAt = isoAt(out.expiresAt);
          st.last = out.bytes;
          break;
        }
        case 2: {
          const out = await acceptReplyWithWire(r.client, st.last!, 3);
          r.messages.push(out.wire);
          st.last = out.result.apRequest;
          break;
        }
        case 3: {
          const out = await serviceAcceptWithWire(r.service, st.last!, {}, 4);
          r.messages.push(out.wire);
          st.last = out.result.challenge;
          break;
        }
        case 4: {
          const out = await clientConfirmWithWire(r.client, r.keyId!, st.last!, 5);
          r.messages.push(out.wire);
          st.last = out.bytes;
          break;
        }
        case 5: {
          await serviceFinish(r.service, r.keyId!, st.last!);
          r.confirmed = true;
          r.done = true;
          break;
        }
      }
      st.stage++;
      if (r.done) delete r.next;
      else r.next = NEXT[st.stage]!;
    } catch (e) {
      if (!(e instanceof KdcRefusal)) throw e;
      r.refusal = { check: e.check, code: e.code, message: e.message };
      r.done = true;
      delete r.next;
    }
    return snapshot(st);
  }

  async function distribute(p: DistributionParams): Promise<KdcProtocolRun> {
    let run = await startDistribution(p);
    while (!run.done) run = await nextStep(run.id);
    runs.delete(run.id);
    return run;
  }

  return { startDistribution, nextStep, distribute };
}
