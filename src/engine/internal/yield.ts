// Yielding to the page between slices of a long job, without setTimeout's clamping.

/**
 * Resolves in a new task, so input, rendering and timers run first. A MessageChannel
 * task, not setTimeout(0): nested timers are clamped to 4 ms, which a job of thousands of
 * slices would pay each time. Falls back to setTimeout where MessageChannel is missing.
 */
export function yieldToPage(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
