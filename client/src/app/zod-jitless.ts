// What `import … from 'zod'` resolves to in the built app (an alias in vite.config.ts), page and
// workflow worker alike. The app runs under a CSP without 'unsafe-eval'; Zod 4 probes for eval with
// `new Function('')` when it builds an object schema, and although it catches the refusal, the browser
// still reports a violation each time a realm starts. Jitless mode skips the probe (and the compiled
// fast path the policy would refuse anyway). As a dependency of every module that imports zod, this
// runs before any of them builds a schema.
import { config } from 'zod/v4/core';

config({ jitless: true });

export * from 'zod/v4';
export { default, z } from 'zod/v4';
