import type { Config, Mode } from './config.js';
import { ConnectionService } from './connections/connection-service.js';
import { ConnectionStripe } from './connections/connection-stripe.js';
import { SecretStore } from './connections/secret-store.js';
import { SecretBox } from './crypto/secret-box.js';
import type { Db } from './db/database.js';
import { JobRunner } from './jobs/job-runner.js';
import type { Logger } from './logging/logger.js';
import { InstallService } from './oauth/install-service.js';
import { OAuthStateStore } from './oauth/state-store.js';
import { TokenManager } from './oauth/token-manager.js';
import { RateLimiters, type RateLimits } from './stripe/rate-limiter.js';
import { registerEventJobs, scheduleEventJobs } from './events/event-jobs.js';
import { EventService } from './events/event-service.js';
import { registerReportJobs, scheduleReportJobs } from './reports/report-jobs.js';
import { ReportService } from './reports/report-service.js';
import { registerImportJob } from './sync/import-job.js';
import { ImportService } from './sync/import-service.js';

const TOKEN_SWEEP_INTERVAL_MS = 5 * 60 * 1000;
const TOKEN_SWEEP_HORIZON_MS = 15 * 60 * 1000;

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
}

export function createServices(config: Config, db: Db, logger: Logger, options: ServiceOptions = {}) {
  const secrets = new SecretStore(db, new SecretBox(config.encryptionKeys));
  const jobs = new JobRunner(logger);
  const tokens = new TokenManager({ db, secrets, config, logger });
  const stripe = new ConnectionStripe({ config, db, secrets, tokens });
  const limiters = new RateLimiters(options.rateLimits);
  const imports = new ImportService({
    db, stripe, limiters, logger, backoffBaseMs: options.backoffBaseMs,
    onLive: (id) => jobs.enqueue('reports.schedule', { connectionId: id }, { key: id }),
  });
  const connections = new ConnectionService({ db, secrets, jobs, logger, stopWork: (id) => imports.abort(id) });
  const installs = new InstallService({ config, connections, logger });
  const reports = new ReportService({ db, stripe, limiters, logger, retryDelayMs: options.reportRetryDelayMs, onChunk: options.onReportChunk });
  const events = new EventService({ db, stripe, limiters, connections, imports, reports, jobs, logger, lagSeconds: options.eventLagSeconds });
  registerImportJob(jobs, imports);
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
    /** Background work of a serving process. */
    startBackground() {
      scheduleEventJobs(jobs, db);
      scheduleReportJobs(jobs, db);
      jobs.every('tokens.refresh', TOKEN_SWEEP_INTERVAL_MS, async () => {
        await tokens.refreshExpiring(TOKEN_SWEEP_HORIZON_MS);
      });
    },
  };
}

export type Services = ReturnType<typeof createServices>;
