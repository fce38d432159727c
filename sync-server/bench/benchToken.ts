/** The token the benchmark's BooCode server and clients share. */
export const BENCH_TOKEN = 'bench-token';
