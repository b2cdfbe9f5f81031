import type { Response } from 'express';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A small server-rendered page for people arriving from Stripe's redirects. */
export function sendPage(res: Response, status: number, title: string, paragraphs: string[], link?: { href: string; text: string }): void {
  res.status(status).type('html').set('Cache-Control', 'no-store').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Payments Intelligence</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1a1f36}
h1{font-size:1.5rem}
a.button{display:inline-block;margin-top:1rem;padding:.6rem 1rem;background:#635bff;color:#fff;border-radius:6px;
text-decoration:none}</style>
</head><body><h1>${escape(title)}</h1>${paragraphs.map((p) => `<p>${escape(p)}</p>`).join('')}
${link ? `<a class="button" href="${escape(link.href)}">${escape(link.text)}</a>` : ''}</body></html>`);
}

export const dashboardUrl = (mode: 'test' | 'live') => `https://dashboard.stripe.com/${mode === 'test' ? 'test/' : ''}dashboard`;
