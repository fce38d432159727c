// The worktree endpoints (behind the wall like every route): create, list, diff, merge into the workspace,
// discard. Ids in the path are validated with the shared schema before anything touches a path or git.
import {
  createWorktreeRequestSchema,
  worktreeActionBodySchema,
  worktreeIdSchema,
} from '@boocode/shared/runner/worktree';
import type { FastifyInstance } from 'fastify';
import { parseBody } from './request-body.ts';
import type { WorktreeStore } from './worktrees.ts';

export function registerWorktreeRoutes(app: FastifyInstance, worktrees: WorktreeStore): void {
  app.post('/worktrees', async (request, reply) => {
    const body = parseBody(createWorktreeRequestSchema, request.body);
    return reply.code(201).send(await worktrees.create(body));
  });
  app.get('/worktrees', async () => ({ worktrees: await worktrees.list() }));
  app.get<{ Params: { id: string } }>('/worktrees/:id/diff', async (request) =>
    worktrees.diff(parseBody(worktreeIdSchema, request.params.id)),
  );
  app.post<{ Params: { id: string } }>('/worktrees/:id/merge', async (request) => {
    const id = parseBody(worktreeIdSchema, request.params.id);
    parseBody(worktreeActionBodySchema, request.body ?? {});
    return worktrees.merge(id);
  });
  app.delete<{ Params: { id: string } }>('/worktrees/:id', async (request) => {
    const id = parseBody(worktreeIdSchema, request.params.id);
    parseBody(worktreeActionBodySchema, request.body ?? {});
    return worktrees.discard(id);
  });
}
