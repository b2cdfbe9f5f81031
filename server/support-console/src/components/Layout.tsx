import type { ReactNode } from 'react';
import { supportApi } from '../api.js';

/** Header with the console's navigation and logout; a skip link for keyboard users. */
export function Layout({ title, children }: { title: string; children: ReactNode }) {
  const logout = async () => {
    await supportApi.logout().catch(() => undefined);
    location.assign('/support/login');
  };
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <a className="brand" href="/support">
          Payments Intelligence · Support
        </a>
        <nav aria-label="Console">
          <a href="/support">Connections</a>
          <a href="/support/add">Add a connection</a>
          <button type="button" className="link" onClick={logout}>
            Log out
          </button>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <h1>{title}</h1>
        {children}
      </main>
    </>
  );
}
