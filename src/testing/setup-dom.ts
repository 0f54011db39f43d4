// Set-up of the jsdom project (component tests).
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => cleanup());

// Waits (`findBy…`, `waitFor`) wait for a condition, never for an amount of time: the
// ceiling is only reached when the condition never comes, so it is far above what a busy
// 2-core machine needs (the default 1 s failed there). The project's test timeout is
// longer still (vitest.config.ts), so a wait that gives up is reported as the failure.
const WAIT_CEILING_MS = 60_000;
configure({ asyncUtilTimeout: WAIT_CEILING_MS });

// Vitest's jsdom environment replaces the global typed-array and ArrayBuffer
// constructors with jsdom's (another realm), while TextEncoder and WebCrypto stay
// Node's. Then `new TextEncoder().encode(s) instanceof Uint8Array` and
// `(await crypto.subtle.digest(...)) instanceof ArrayBuffer` are false, and the real
// engine rejects its own bytes. Put Node's constructors back so the engine runs here
// exactly as in the node project; jsdom keeps its own internally.
const NodeUint8Array = Object.getPrototypeOf(new TextEncoder().encode('')).constructor as typeof Uint8Array;
const NodeArrayBuffer = new TextEncoder().encode('').buffer.constructor as typeof ArrayBuffer;
if (globalThis.Uint8Array !== NodeUint8Array) globalThis.Uint8Array = NodeUint8Array;
if (globalThis.ArrayBuffer !== NodeArrayBuffer) globalThis.ArrayBuffer = NodeArrayBuffer;

// jsdom prints "Not implemented" for scrolling; the shell scrolls to the top on navigation.
window.scrollTo = () => {};
// jsdom has no scrollIntoView at all; windowed tables scroll a row they are asked to reveal.
Element.prototype.scrollIntoView = () => {};
