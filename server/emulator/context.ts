import type { EventBus } from './events.js';
import type { OAuthServer } from './oauth.js';
import type { Reporting } from './reporting.js';
import type { EmulatorState } from './state.js';
import type { Traffic } from './traffic.js';
import type { Webhooks } from './webhooks.js';

/** The emulator's parts, handed to its routers. */
export interface EmulatorContext {
  state: EmulatorState;
  bus: EventBus;
  traffic: Traffic;
  reporting: Reporting;
  oauth: OAuthServer;
  webhooks: Webhooks;
  baseUrl(): string;
}
