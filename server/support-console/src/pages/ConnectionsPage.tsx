import { supportApi } from '../api.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { Layout } from '../components/Layout.js';
import { ConnectionTable } from '../components/ConnectionTable.js';
import { StateBadge } from '../components/StateBadge.js';
import { usePolling } from '../hooks.js';
import { count } from '../format.js';
import { CONNECTION_STATES } from '../../../../shared/connection-states.js';

const PAGE_SIZE = 50;
const SORTS = { created: 'Newest', name: 'Name', account: 'Account id', state: 'State', mode: 'Mode', last_event: 'Last event' } as const;

/** The health overview, then the searchable, sortable, paginated list. Filters live in the URL. */
export function ConnectionsPage() {
  const params = new URLSearchParams(location.search);
  const page = Math.max(0, Number(params.get('page') ?? 0) || 0);
  const query = new URLSearchParams();
  for (const key of ['q', 'state', 'mode', 'sort', 'order']) if (params.get(key)) query.set(key, params.get(key)!);
  query.set('limit', String(PAGE_SIZE));
  query.set('offset', String(page * PAGE_SIZE));
  const list = usePolling(() => supportApi.list(query.toString()), 5000, [query.toString()]);
  const overview = usePolling(() => supportApi.overview(), 10_000, []);
  const pageHref = (p: number) => {
    const next = new URLSearchParams(params);
    next.set('page', String(p));
    return `/support?${next}`;
  };
  const total = list.data?.total ?? 0;

  return (
    <Layout title="Connections">
      <section aria-labelledby="health">
        <h2 id="health">Health</h2>
        <ErrorNotice error={overview.error} />
        {overview.data && (
          <>
            <ul className="counts">
              <li>
                <strong>{count(overview.data.total)}</strong> connections
              </li>
              {CONNECTION_STATES.filter((s) => overview.data!.by_state[s]).map((s) => (
                <li key={s}>
                  <a href={`/support?state=${s}`}>
                    <StateBadge state={s} /> <strong>{count(overview.data!.by_state[s]!)}</strong>
                  </a>
                </li>
              ))}
            </ul>
            {overview.data.attention.length === 0 ? (
              <p className="muted">Nothing needs attention: no broken credentials, failed events or stalled polling.</p>
            ) : (
              <>
                <h3>Needs attention</h3>
                <ul className="attention">
                  {overview.data.attention.map((a) => (
                    <li key={a.id}>
                      <a href={`/support/connections/${a.id}`}>{a.name ?? a.account_id}</a> <StateBadge state={a.state} />{' '}
                      {a.reasons.join('; ')}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </>
        )}
      </section>

      <section aria-labelledby="all">
        <h2 id="all">All connections</h2>
        <form className="filters" role="search" method="get" action="/support">
          <label htmlFor="q">Search</label>
          <input id="q" name="q" type="search" defaultValue={params.get('q') ?? ''} placeholder="account id, name or merchant id" />
          <label htmlFor="state">State</label>
          <select id="state" name="state" defaultValue={params.get('state') ?? ''}>
            <option value="">any</option>
            {CONNECTION_STATES.map((s) => (
              <option key={s} value={s}>
                {s.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
          <label htmlFor="mode">Mode</label>
          <select id="mode" name="mode" defaultValue={params.get('mode') ?? ''}>
            <option value="">any</option>
            <option value="test">test</option>
            <option value="live">live</option>
          </select>
          <label htmlFor="sort">Sort by</label>
          <select id="sort" name="sort" defaultValue={params.get('sort') ?? 'created'}>
            {Object.entries(SORTS).map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
          <label htmlFor="order">Order</label>
          <select id="order" name="order" defaultValue={params.get('order') ?? 'desc'}>
            <option value="desc">descending</option>
            <option value="asc">ascending</option>
          </select>
          <button type="submit">Search</button>
        </form>
        <ErrorNotice error={list.error} />
        {!list.data && !list.error && <p aria-live="polite">Loading…</p>}
        {list.data && list.data.data.length === 0 && <p>No connection matches. Clear the search or add a connection.</p>}
        {list.data && list.data.data.length > 0 && <ConnectionTable rows={list.data.data} />}
        {list.data && total > 0 && (
          <nav className="pager" aria-label="Pages">
            <span>
              {count(page * PAGE_SIZE + 1)}–{count(Math.min(total, (page + 1) * PAGE_SIZE))} of {count(total)}
            </span>
            {page > 0 && (
              <a href={pageHref(page - 1)} rel="prev">
                Previous page
              </a>
            )}
            {(page + 1) * PAGE_SIZE < total && (
              <a href={pageHref(page + 1)} rel="next">
                Next page
              </a>
            )}
          </nav>
        )}
      </section>
    </Layout>
  );
}
