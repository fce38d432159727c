/**
 * Child process of the merged-rows crash test: stores a seeded stream of updates through the group
 * commit writer and prints `ACK <index>` as each write is answered. At its `holdAt`th transaction
 * with a merged row (one holding several updates) it stops after the rows were inserted, before
 * COMMIT, prints `HOLD <updates per row>` and waits to be killed. Arguments: seed, holdAt, data dir, doc names…; DATABASE_URL picks Postgres.
 */
import * as prng from 'lib0/prng';
import { openDatabase } from '../../src/persistence/database.ts';
import { UpdateWriter } from '../../src/persistence/groupCommit.ts';
import { runMigrations } from '../../src/persistence/migrations.ts';
import { receivedUpdates } from './random-updates.ts';

// stdout is a pipe: writes to it are synchronous on Linux, so every ACK is out before the HOLD.
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  const [seedArg, holdArg, dataDir, ...docs] = process.argv.slice(2);
  const seed = Number(seedArg);
  const holdAt = Number(holdArg);
  const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: dataDir!, poolSize: 2 });
  await runMigrations(db.pool);
  const rng = prng.create(seed);
  const received = receivedUpdates(rng, docs);
  let merged = 0;
  const writer = new UpdateWriter(db.pool, {
    beforeCommit: async (rows) => {
      if (!rows.some((r) => r.updates > 1) || ++merged < holdAt) return;
      say(`HOLD ${rows.map((r) => r.updates).join(',')}`);
      await new Promise(() => {}); // killed here, between merge and COMMIT
    },
  });
  for (let i = 0; i < received.length; ) {
    const burst = prng.int32(rng, 2, 20);
    for (const u of received.slice(i, i + burst)) {
      const index = i++;
      writer.write(u.doc, u.bytes, (err) => {
        if (err) throw err;
        say(`ACK ${index}`);
      });
    }
    await writer.flush();
  }
  say('DONE');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
