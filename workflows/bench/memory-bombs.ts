// Scripts that allocate without end, one per kind of allocation, for the memory-limit figures
// (Node and the browser's worker). The test suite runs the same kinds (test/memory-limit.test.ts).
export const MEMORY_BOMBS: Record<string, string> = {
  strings: `const h = []; for (let i = 0; ; i++) h.push('y'.repeat(1 << 20) + i);`,
  arrays: `const h = []; for (;;) h.push(new Array(100000).fill(1.5));`,
  'typed arrays': `const h = []; for (;;) h.push(new Uint8Array(1 << 20));`,
  objects: `const h = []; for (;;) h.push({ n: h.length, pad: [1, 2, 3, 4] });`,
};

export const BOMB_META = `export const meta = { name: 'bomb', description: 'allocates without end' };\n`;
