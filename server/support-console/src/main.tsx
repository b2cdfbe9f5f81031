import { createRoot } from 'react-dom/client';
import { AddConnectionPage } from './pages/AddConnectionPage.js';
import { ConnectionPage } from './pages/ConnectionPage.js';
import { ConnectionsPage } from './pages/ConnectionsPage.js';
import { LoginPage } from './pages/LoginPage.js';
import './styles.css';

/** Every console page is a real URL the server serves; the path picks the page. */
function pageFor(path: string) {
  const detail = /^\/support\/connections\/([^/]+)\/?$/.exec(path);
  if (detail) return <ConnectionPage id={decodeURIComponent(detail[1]!)} />;
  if (path === '/support/login') return <LoginPage />;
  if (path === '/support/add') return <AddConnectionPage />;
  return <ConnectionsPage />;
}

createRoot(document.getElementById('root')!).render(pageFor(location.pathname));
