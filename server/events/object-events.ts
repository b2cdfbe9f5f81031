import { RESOURCES } from '../resources/registry.js';
import type { ResourceModule } from '../resources/resource.js';

const byType = new Map<string, ResourceModule>(RESOURCES.flatMap((r) => r.eventTypes.map((t) => [t, r] as const)));

/** The resource whose object an event of this type carries, if any. */
export function resourceForEvent(type: string): ResourceModule | undefined {
  return byType.get(type);
}

/** Events we subscribe to that carry no object of ours: the reports pipeline consumes them. */
export const INBOX_ONLY_PREFIXES = ['file.', 'reporting.'];
