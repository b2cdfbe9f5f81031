import { SignatureUses } from './app-api/signature-uses.js';
import { StatusReader } from './status/status-reader.js';
import { SupportSessions } from './support/session-store.js';
import { randomUUID } from 'node:crypto';
import type { Config, Mode } from './config.js';
import { ConnectionService } from './connections/connection-service.js';
import { ConnectionStripe } from './connections/connection-stripe.js';
import { SecretStore } from './connections/secret-store.js';
import { SecretBox } from './crypto/secret-box.js';
import type { Db } from './db/database.js';
import { Registry } from 'prom-client';
import { recordDeadLetter } from './jobs/dead-letters.js';
import { createJobMetrics } from './jobs/job-metrics.js';
import { JobRunner } from './jobs/job-runner.js';
import type { Jobs } from './jobs/jobs.js';
import { PgBossJobs } from './jobs/pg-boss-jobs.js';
import { SharedRateLimiter } from './stripe/shared-rate-limiter.js';
import type { Logger } from './logging/logger.js';
import { InstallService } from './oauth/install-service.js';
import { OAuthStateStore } from './oauth/state-store.js';
import { TokenManager } from './oauth/token-manager.js';
import { RateLimiters, type RateLimits } from './stripe/rate-limiter.js';
import { registerEventJobs, scheduleEventJobs } from './events/event-jobs.js';
import { EventService } from './events/event-service.js';
import { registerReportJobs, scheduleReportJobs } from './reports/report-jobs.js';
import { ReportService } from './reports/report-service.js';
import { registerImportJob, resumeImports, resumeVerifications, takeOverStrandedImports } from './sync/import-job.js';
import { JobLocks } from './jobs/job-locks.js';
import { ImportService } from './sync/import-service.js';

const TOKEN_SWEEP_INTERVAL_MS = 5 * 60 * 1000;
const TOKEN_SWEEP_HORIZON_MS = 15 * 60 * 1000;
const VERIFY_SWEEP_MS = 60 * 1000;

/** Wires the backend's collaborators once; the HTTP app, workers and CLI share them. */
export interface ServiceOptions {
  /** Stripe's limits to pace against (default: Stripe's published ones); benchmarks lift them. */
  rateLimits?: Record<Mode, RateLimits>;
  /** First step of the retry backoff; tests shorten it to keep retries fast. */
  backoffBaseMs?: number;
  /** Seconds the events poller stays behind now (Stripe's list is eventually consistent). */
  eventLagSeconds?: number;
  /** Wait before asking Stripe again for a report run that failed. */
  reportRetryDelayMs?: number;
  /** Sees each chunk of a report file as it streams in (tests prove nothing is buffered whole). */
  onReportChunk?: (bytes: number) => void;
  /** pg-boss: how often expired jobs are looked for (tests shorten it to see a killed worker's job retried). */
  maintenanceIntervalSeconds?: number;
  /** Adaptive polling bounds (event-service.ts). */
  pollMinMs?: number;
  pollMaxMs?: number;
  /** How many objects' events are applied at once (event-service.ts); the live-sync benchmark compares. */
  eventLanes?: number;
  /** How long polls fail before the connection shows as delayed (poll-health.ts). */
  delayedAfterMs?: number;
}

export function createServices(config: Config, db: Db, logger: Logger, options: ServiceOptions = {}) {
  const secrets = new SecretStore(db, new SecretBox(config.encryptionKeys));
  const registry = new Registry();
  const jobMetrics = createJobMetrics(registry);
  const scaled = config.jobBackend === 'pg-boss';
  const jobs: Jobs = scaled
    ? new PgBossJobs({
        db,
        connectionString: config.databaseUrl,
        logger,
        metrics: jobMetrics,
        leaseSeconds: config.jobLeaseSeconds,
        maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? Math.max(1, Math.min(30, Math.round(config.jobLeaseSeconds / 2))),
        onDeadLetter: (job, payload, error, attempts) => recordDeadLetter(db, { job, payload, error, attempts }),
      })
    : new JobRunner(logger, 4, jobMetrics, {
        locks: new JobLocks(db),
        leaseMs: config.jobLeaseSeconds * 1000,
        holder: `embedded:${randomUUID()}`,
      });
  // `connections` is built below; the callback runs only after startup.
  const tokens = new TokenManager({
    db,
    secrets,
    config,
    logger,
    onUninstalled: (id, reason, version) => connections.disconnectUninstalled(id, reason, version),
  });
  // Several processes share one account's budget only through the database.
  const limiters = new RateLimiters(
    options.rateLimits,
    config.stripeRateShare,
    scaled ? (key, l, f) => new SharedRateLimiter(db, key, l, f) : undefined,
  );
  const stripe = new ConnectionStripe({ config, db, secrets, tokens, limiters });
  const imports = new ImportService({
    db,
    stripe,
    limiters,
    logger,
    backoffBaseMs: options.backoffBaseMs,
    onLive: async (id, { verify }) => {
      await jobs.enqueue('reports.schedule', { connectionId: id }, { key: id });
      if (verify) await jobs.enqueue('import.verify', { connectionId: id }, { key: id });
    },
  });
  const connections = new ConnectionService({ db, secrets, jobs, logger, stopWork: (id) => imports.abort(id) });
  const installs = new InstallService({ config, connections, logger });
  const reports = new ReportService({
    db,
    stripe,
    limiters,
    logger,
    retryDelayMs: options.reportRetryDelayMs,
    onChunk: options.onReportChunk,
  });
  const events = new EventService({
    db,
    stripe,
    limiters,
    connections,
    imports,
    reports,
    jobs,
    logger,
    appClientIds: Object.values(config.stripe).flatMap((e) => (e.clientId ? [e.clientId] : [])),
    lagSeconds: options.eventLagSeconds ?? config.eventPollLagSeconds,
    lanes: options.eventLanes,
    delayedAfterMs: options.delayedAfterMs,
    backoffBaseMs: options.backoffBaseMs,
    pollMinMs: options.pollMinMs,
    pollMaxMs: options.pollMaxMs ?? config.eventPollMaxSeconds * 1000,
    onEventLag: (s) => jobMetrics.eventLag.observe(s),
  });
  // With pg-boss, an import is a job per resource in slices shorter than the lease, so any worker
  // can carry on from the checkpoint of one that died.
  registerImportJob(jobs, imports, scaled ? { fanOut: true, sliceMs: (config.jobLeaseSeconds * 1000) / 2 } : {}, logger);
  registerEventJobs(jobs, events, imports);
  registerReportJobs(jobs, reports);
  return {
    secrets,
    jobs,
    tokens,
    connections,
    installs,
    states: new OAuthStateStore(db),
    stripe,
    limiters,
    imports,
    events,
    reports,
    registry,
    status: new StatusReader(db, config),
    sessions: new SupportSessions(db),
    signatureUses: new SignatureUses(db),
    /** Background work of a process that works jobs (the embedded API process, or a worker). */
    async startBackground() {
      await jobs.start();
      if (jobs.backend === 'embedded') await resumeImports(jobs, db);
      // Lost with a stopped process (embedded), handed back by a CLI command that ended, or done by
      // the check that trusted account.created: at start, then every minute.
      const verifying = await resumeVerifications(jobs, db);
      if (verifying) logger.info({ connections: verifying }, 'verification of finished imports queued');
      jobs.every('import.verify.sweep', VERIFY_SWEEP_MS, async () => {
        await resumeVerifications(jobs, db);
      });
      // Imports another process left (a CLI that exited, a killed server or worker): taken over here.
      const leaseMs = config.jobLeaseSeconds * 1000;
      jobs.every('import.takeover', Math.min(30_000, Math.max(1_000, leaseMs / 4)), async () => {
        await takeOverStrandedImports(jobs, db, leaseMs, logger);
      });
      // ENCRYPTION_KEYS rotation: secrets still under an older key move to the first one.
      const rotation = await secrets.reencryptAll();
      if (rotation.reencrypted || rotation.remaining)
        logger.info({ ...rotation, key_id: secrets.currentKeyId }, 'secrets re-encrypted with the current encryption key');
      scheduleEventJobs(jobs, db);
      scheduleReportJobs(jobs, db);
      jobs.every('tokens.refresh', TOKEN_SWEEP_INTERVAL_MS, async () => {
        await tokens.refreshExpiring(TOKEN_SWEEP_HORIZON_MS);
      });
    },
  };
}

export type Services = ReturnType<typeof createServices>;
