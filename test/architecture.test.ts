import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../server/db/migrations/index.js';

const ROOT = resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  return readdirSync(abs).flatMap((name) => {
    const path = join(abs, name);
    if (statSync(path).isDirectory()) return sourceFiles(relative(ROOT, path));
    return /\.(ts|tsx|js|mjs)$/.test(name) ? [relative(ROOT, path)] : [];
  });
}

/** Top-level folder that each relative import of a file lands in. */
function importedFolders(file: string): { specifier: string; folder: string }[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((specifier) => ({ specifier, folder: relative(ROOT, resolve(ROOT, dirname(file), specifier)).split('/')[0]! }));
}

const RULES: Record<string, string[]> = {
  app: ['server', 'test', 'bench'],
  server: ['app', 'src', 'test', 'bench'],
  shared: ['app', 'src', 'server', 'test', 'bench'],
};

/**
 * The floors of server/ (docs/architecture.md): a module imports its own floor or lower ones only.
 * Read models (status/) sit above the features because they only read; entry points on top.
 */
const FLOORS: Record<string, number> = {
  db: 1,
  crypto: 1,
  logging: 1,
  'config.ts': 1,
  'errors.ts': 1,
  'metrics.ts': 1,
  stripe: 2,
  resources: 2,
  emulator: 2,
  connections: 3,
  jobs: 3,
  oauth: 4,
  sync: 4,
  events: 4,
  reports: 4,
  'app-api': 4,
  status: 5,
  support: 5,
  http: 6,
  cli: 6,
  sandbox: 6,
  'app.ts': 6,
  'main.ts': 6,
  'services.ts': 6,
  'bootstrap.ts': 6,
};
const floorOf = (path: string) => {
  const top = relative(join(ROOT, 'server'), path).split('/')[0]!.replace(/\.js$/, '.ts');
  return FLOORS[top];
};

/** Who may write each table (paths under server/); read models read anything. */
const TABLE_OWNERS: Record<string, string[]> = {
  connections: ['connections/connection-repository.ts', 'connections/connection-settings.ts'],
  connection_state_changes: ['connections/connection-repository.ts'],
  connection_secrets: ['connections/secret-store.ts'],
  oauth_states: ['oauth/state-store.ts'],
  event_inbox: ['events/inbox.ts', 'events/inbox-writer.ts'],
  event_watermarks: ['events/watermark-store.ts'],
  backfill_runs: ['sync/backfill/backfill-repository.ts'],
  backfill_segments: ['sync/backfill/backfill-repository.ts'],
  report_runs: ['reports/report-repository.ts'],
  report_rows: ['reports/report-download.ts'],
  balance_snapshots: ['sync/balance-snapshot.ts'],
  job_dead_letters: ['jobs/dead-letters.ts'],
  job_locks: ['jobs/job-locks.ts'],
  support_sessions: ['support/session-store.ts'],
  app_signature_uses: ['app-api/signature-uses.ts'],
  rate_limit_buckets: ['stripe/shared-rate-limiter.ts'],
};

/** The imported objects' tables (`db(resource.table)`, through the resource registry) have one owner. */
const IMPORTED_OBJECTS_OWNER = 'sync/object-store.ts';

/**
 * The one query that starts from a table its file does not own: the due polls are the active
 * connections left-joined with their watermarks (a connection never polled has no watermark row).
 */
const JOIN_READS: Record<string, string[]> = {
  'events/watermark-store.ts': ['connections'],
};

describe('architecture', () => {
  it('server/ imports go down its floors, never up', () => {
    const files = sourceFiles('server').filter((f) => !f.startsWith('server/support-console/'));
    const unplaced = [...new Set(files.map((f) => f.split('/')[1]!))].filter((top) => FLOORS[top] === undefined);
    expect(unplaced, 'every server folder has a floor').toEqual([]);
    const upward = files.flatMap((file) =>
      importedFolders(file)
        .map((i) => ({ ...i, target: resolve(ROOT, dirname(file), i.specifier) }))
        .filter((i) => i.folder === 'server' && floorOf(i.target)! > floorOf(join(ROOT, file))!)
        .map((i) => `${file} → ${i.specifier}`),
    );
    expect(upward).toEqual([]);
  });

  it.each(Object.entries(RULES))('%s/ never imports %j', (folder, forbidden) => {
    const violations = sourceFiles(folder).flatMap((file) =>
      importedFolders(file)
        .filter((i) => forbidden.includes(i.folder))
        .map((i) => `${file} → ${i.specifier}`),
    );
    expect(violations).toEqual([]);
  });

  it('every table is written only by its owner (docs/architecture.md)', () => {
    const writes = sourceFiles('server')
      .filter((f) => !/^server\/(emulator|support-console|db\/migrations)\//.test(f))
      .flatMap((file) => {
        const text = readFileSync(join(ROOT, file), 'utf8');
        return [...text.matchAll(/\b(?:db|trx|knex)\(\s*'([a-z_]+)'\s*\)/g)].flatMap((m) => {
          const statement = text.slice(m.index! + m[0].length).split(';')[0]!;
          return /\.(insert|update|delete|del|increment|decrement|merge)\(/.test(statement)
            ? [{ file: relative(join(ROOT, 'server'), join(ROOT, file)), table: m[1]! }]
            : [];
        });
      });
    expect(writes.length).toBeGreaterThan(20);
    const strays = writes.filter((w) => !(TABLE_OWNERS[w.table] ?? []).includes(w.file)).map((w) => `${w.file} writes ${w.table}`);
    expect([...new Set(strays)]).toEqual([]);
  });

  it('only owners, db/ and status/ query a table: every db(…) and trx(…) names a table its file owns', () => {
    const queries = sourceFiles('server')
      .filter((f) => !/^server\/(emulator|support-console|db|status)\//.test(f))
      .flatMap((file) => {
        const text = readFileSync(join(ROOT, file), 'utf8');
        const at = relative(join(ROOT, 'server'), join(ROOT, file));
        return [...text.matchAll(/\b(?:db|trx|knex)\(\s*([^)]*?)\s*\)/g)].map((m) => {
          const literal = /^['"]([a-z_]+)(?: as \w+)?['"]$|^\{\s*\w+:\s*'([a-z_]+)'\s*\}$/.exec(m[1]!);
          return { file: at, table: literal ? (literal[1] ?? literal[2])! : `<${m[1]}>` };
        });
      });
    expect(queries.length).toBeGreaterThan(60);
    const strays = queries.filter(
      ({ file, table }) =>
        !(TABLE_OWNERS[table] ?? []).includes(file) &&
        !(table.startsWith('<') && file === IMPORTED_OBJECTS_OWNER) &&
        !(JOIN_READS[file] ?? []).includes(table),
    );
    expect([...new Set(strays.map((q) => `${q.file} queries ${q.table}`))]).toEqual([]);
  });

  it('HTTP routes and middleware never hold the database: they call services and read models', () => {
    const holders = sourceFiles('server/http').filter((file) =>
      importedFolders(file).some((i) => relative(ROOT, resolve(ROOT, dirname(file), i.specifier)).startsWith('server/db/')),
    );
    expect(holders).toEqual([]);
  });

  it('the support console (browser code) imports only itself and shared/', () => {
    const console = 'server/support-console';
    const violations = sourceFiles(`${console}/src`).flatMap((file) =>
      importedFolders(file)
        .filter((i) => {
          const target = relative(ROOT, resolve(ROOT, dirname(file), i.specifier));
          return !target.startsWith(`${console}/`) && !target.startsWith('shared/');
        })
        .map((i) => `${file} → ${i.specifier}`),
    );
    expect(violations).toEqual([]);
    const server = sourceFiles('server')
      .filter((f) => !f.startsWith(`${console}/`))
      .filter((f) => importedFolders(f).some((i) => resolve(ROOT, dirname(f), i.specifier).includes(`/${console}/`)));
    expect(server).toEqual([]);
  });

  it('shared/ uses no Node or browser APIs', () => {
    const offenders = sourceFiles('shared').filter((file) =>
      /from\s+['"](node:|fs|path|crypto|http|express|react)/.test(readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('registers every migration file, in timestamp order', () => {
    const files = readdirSync(join(ROOT, 'server/db/migrations'))
      .filter((f) => /^\d{14}_[a-z0-9_]+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''));
    const registered = migrations.map(([name]) => name);
    expect(registered).toEqual(files.sort());
    expect(registered).toEqual([...registered].sort());
    expect(readdirSync(join(ROOT, 'server/db/migrations')).filter((f) => f !== 'index.ts' && !/^\d{14}_/.test(f))).toEqual([]);
  });

  it('keeps modules under 500 lines', () => {
    const long = ['app', 'server', 'shared']
      .flatMap(sourceFiles)
      .filter((file) => readFileSync(join(ROOT, file), 'utf8').split('\n').length > 500);
    expect(long).toEqual([]);
  });
  it('no file reads outside the repository (the project stands alone, without ../shared)', () => {
    // Relative specifiers and new URL('…', import.meta.url) literals, resolved from their file.
    const outside = ['app', 'server', 'shared', 'test', 'bench', 'bin', 'src'].flatMap(sourceFiles).flatMap((file) => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      const literals = [...text.matchAll(/(?:from\s+|import\s*\(\s*|new URL\(\s*|resolve\([^'"]*)['"](\.\.?\/[^'"]*)['"]/g)].map(
        (m) => m[1]!,
      );
      return literals
        .filter((l) => !l.includes('${') && relative(ROOT, resolve(ROOT, dirname(file), l)).startsWith('..'))
        .map((l) => `${file}: ${l}`);
    });
    expect(outside).toEqual([]);
  });
});
