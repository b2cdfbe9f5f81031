import type { Router } from 'express';

/** Every (method, path) a router serves, read from the router itself so new routes are covered. */
export function routeTable(router: Router): { method: string; path: string }[] {
  return router.stack.flatMap((layer) => {
    const route = (layer as unknown as { route?: { path: string; methods: Record<string, boolean> } }).route;
    return route ? Object.keys(route.methods).map((method) => ({ method: method.toUpperCase(), path: route.path })) : [];
  });
}
