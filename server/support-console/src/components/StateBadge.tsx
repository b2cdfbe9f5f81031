import type { ConnectionState } from '../../../../shared/connection-states.js';
import { humanize } from '../format.js';

/** A connection state as a coloured badge; the colour never carries meaning alone (the text does). */
export function StateBadge({ state }: { state: ConnectionState }) {
  return (
    <span className={`badge badge-${state}`} data-state={state}>
      {humanize(state)}
    </span>
  );
}
