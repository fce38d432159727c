// Preloaded into a host process by the memory benchmark (node --import): on SIGUSR2 it prints its own
// memory on one line, so the bench can read heapUsed, which /proc does not show.
process.on('SIGUSR2', () => {
  const m = process.memoryUsage();
  process.stdout.write(`BENCH_MEM ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, external: m.external })}\n`);
});
