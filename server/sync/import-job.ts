import { z } from 'zod';
import type { Db } from '../db/database.js';
import type { Jobs } from '../jobs/jobs.js';
import { connectionIdsIn, quietImports } from '../connections/connection-repository.js';
import { JobLocks } from '../jobs/job-locks.js';
import { RESOURCES } from '../resources/registry.js';
import { finishedRunsOfLiveConnections } from './backfill/backfill-repository.js';
import { isVerified } from './backfill/verify.js';
import type { Logger } from '../logging/logger.js';
import type { ImportService } from './import-service.js';

/** The longest an interrupted import waits before it tries again. */
const IMPORT_BACKOFF_MAX_MS = 30 * 60_000;

export interface ImportJobOptions {
  /** Queue each resource as its own job (keyed by connection and resource), so workers share one import. */
  fanOut?: boolean;
  /** Stop after this long and queue the rest from the checkpoint: keeps jobs shorter than their lease. */
  sliceMs?: number;
}

/** `import.start` (and `import.resource`): the historical import, queued after connect and resync. */
/** An import's job: which connection, optionally which resources, a full re-import, the retry count. */
const importSlice = z.object({
  connectionId: z.string().min(1),
  resources: z.array(z.string()).optional(),
  full: z.boolean().optional(),
  attempt: z.number().int().optional(),
});

export function registerImportJob(jobs: Jobs, imports: ImportService, options: ImportJobOptions = {}, logger?: Logger): void {
  const runSlice =
    (name: string) =>
    async (payload: z.infer<typeof importSlice>, { signal }: { signal: AbortSignal }) => {
      const { connectionId, resources } = payload;
      if (options.fanOut && name === 'import.start' && !resources) {
        await imports.begin(connectionId);
        for (const r of RESOURCES) {
          await jobs.enqueue(
            'import.resource',
            { connectionId, full: payload.full === true, resources: [r.name] },
            { key: `${connectionId}:${r.name}` },
          );
        }
        return;
      }
      const slice = options.sliceMs ? AbortSignal.timeout(options.sliceMs) : null;
      const outcomes = await imports.run(connectionId, {
        full: payload.full === true,
        resources,
        signal: slice ? AbortSignal.any([signal, slice]) : signal,
      });
      // Shutting down: fail the job so that another worker resumes it from the checkpoint.
      if (signal.aborted) throw new Error('import handed back at shutdown; it resumes from its checkpoint');
      const key = resources?.length === 1 ? `${connectionId}:${resources[0]}` : connectionId;
      if (slice?.aborted) {
        await jobs.enqueue(name, { connectionId, ...(resources ? { resources } : {}) }, { key });
        return;
      }
      // Interrupted by errors that outlasted the retries: the connection is degraded and the import
      // resumes from its checkpoints later, backing off up to half an hour.
      if (outcomes.some((o) => o.state === 'interrupted')) {
        const attempt = (payload.attempt ?? 0) + 1;
        const delayMs = Math.min(IMPORT_BACKOFF_MAX_MS, 30_000 * 2 ** (attempt - 1));
        await jobs.enqueue(name, { connectionId, attempt, ...(resources ? { resources } : {}) }, { key, delayMs });
      }
    };
  jobs.register('import.start', runSlice('import.start'), { lane: 'import', payload: importSlice });
  jobs.register('import.resource', runSlice('import.resource'), { lane: 'import', payload: importSlice });
  // Verification after the import, with the connection live: in slices like the import (it saves its
  // progress as it goes), and after errors that outlast the retries, again later from where it was.
  jobs.register(
    'import.verify',
    async (payload, { signal }) => {
      const { connectionId } = payload;
      const slice = options.sliceMs ? AbortSignal.timeout(options.sliceMs) : null;
      const failure = await imports.verifyImport(connectionId, { signal: slice ? AbortSignal.any([signal, slice]) : signal }).then(
        () => null,
        (err: unknown) => err,
      );
      if (signal.aborted) throw new Error('verification handed back at shutdown; it resumes where it was');
      if (slice?.aborted) return void (await jobs.enqueue('import.verify', { connectionId }, { key: connectionId }));
      if (failure) {
        const attempt = (payload.attempt ?? 0) + 1;
        logger?.warn({ err: failure, connectionId, attempt }, 'verification interrupted; it resumes where it was');
        await jobs.enqueue(
          'import.verify',
          { connectionId, attempt },
          { key: connectionId, delayMs: Math.min(30 * 60_000, 30_000 * 2 ** (attempt - 1)) },
        );
      }
    },
    { lane: 'import', payload: z.object({ connectionId: z.string().min(1), attempt: z.number().int().optional() }) },
  );
}

/**
 * Embedded jobs live in memory: an import queued or running when the process stopped (or a retry
 * waiting on a timer) is gone. At start, every connection still importing gets its import queued
 * again; it resumes from its checkpoints and skips what finished. (pg-boss keeps its jobs.)
 */
export async function resumeImports(jobs: Jobs, db: Db): Promise<number> {
  const ids = await connectionIdsIn(db, ['connecting', 'backfilling', 'degraded']);
  for (const id of ids) await jobs.enqueue('import.start', { connectionId: id }, { key: id });
  return ids.length;
}

/**
 * Live connections with a finished run not verified yet get their verification queued: one a
 * stopped process lost (embedded), and every run verified before version 2, whose check trusted a
 * floor taken from `account.created` and so could not see history older than the install.
 */
export async function resumeVerifications(jobs: Jobs, db: Db): Promise<number> {
  const runs = await finishedRunsOfLiveConnections(db);
  const ids = [...new Set(runs.filter((r) => !isVerified(r)).map((r) => r.connectionId))];
  await jobs.enqueueMany(
    'import.verify',
    ids.map((id) => ({ payload: { connectionId: id }, key: id })),
  );
  return ids.length;
}

/**
 * Imports nobody owns: a connection still importing whose import holds no live lease (its process
 * exited or was killed, or its queued job died with it) and whose state has not moved for a lease
 * time. Queued again here, so a running process takes them over within about one lease time, not
 * only at its next start. An import held by errors (degraded) waits out its own backoff first.
 */
export async function takeOverStrandedImports(jobs: Jobs, db: Db, leaseMs: number, logger?: Logger): Promise<string[]> {
  const now = Date.now();
  const quiet = await quietImports(db, now, leaseMs, IMPORT_BACKOFF_MAX_MS);
  if (!quiet.length) return [];
  const held = new Set((await new JobLocks(db).heldKeys('import:', now)).map((k) => k.slice('import:'.length)));
  const stranded = quiet.filter((id) => !held.has(id));
  for (const id of stranded) await jobs.enqueue('import.start', { connectionId: id }, { key: id });
  if (stranded.length) logger?.info({ connections: stranded }, 'imports nobody owned taken over');
  return stranded;
}
