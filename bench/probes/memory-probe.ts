/**
 * Loaded into every bot process the bench starts (`node --expose-gc --import`): on SIGUSR2 it runs a full
 * garbage collection and prints `process.memoryUsage()`. The heap still in use is what the bot holds; the
 * resident memory around it is mostly what a burst allocated and V8 and the C allocator keep afterwards
 * (neither gives it back to the system at once, and a full collection does not make them).
 */
export const COLLECTED_LINE = 'bench memory probe: collected';

process.on('SIGUSR2', () => {
  const { gc } = globalThis as { gc?: () => void };
  gc?.();
  console.log(`${COLLECTED_LINE} ${JSON.stringify(process.memoryUsage())}`);
});
