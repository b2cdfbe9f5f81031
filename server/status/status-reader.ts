import type { Config } from '../config.js';
import type { Connection } from '../connections/connection-repository.js';
import type { ConnectionFilter } from './connection-list.js';
import type { Db } from '../db/database.js';
import { ping } from '../db/database.js';
import { connectionActivity } from './connection-activity.js';
import { connectionDetail, connectionStatus } from './connection-status.js';
import { listSummaries } from './connection-summaries.js';
import { computeInsights } from './insights.js';
import { supportOverview } from './overview.js';

/**
 * The read models, bound to the database: what routes and commands show of connections. Routes
 * hold this (and services), never the database itself.
 */
export class StatusReader {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
  ) {}

  status(c: Connection) {
    return connectionStatus(this.db, this.config, c);
  }

  detail(c: Connection) {
    return connectionDetail(this.db, this.config, c);
  }

  activity(c: Connection) {
    return connectionActivity(this.db, c);
  }

  summaries(filter: ConnectionFilter) {
    return listSummaries(this.db, filter);
  }

  overview() {
    return supportOverview(this.db);
  }

  insights(c: Connection, days: number) {
    return computeInsights(this.db, c.accountId, c.livemode, days);
  }

  /** Resolves when the database answers (`/readyz`). */
  ready() {
    return ping(this.db);
  }
}
