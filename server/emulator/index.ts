export { startEmulator, type ApiExchange, type Emulator, type EmulatorOptions } from './server.js';
export { CONTROL_PREFIX } from './control-routes.js';
export { signatureHeader } from './webhooks.js';
export { API_VERSION } from './state.js';
