// Page side of the self-isolation service worker (isolation-sw.js): registers
// it and reloads the page once, so that the reloaded page's responses carry
// COOP/COEP and the page is cross-origin isolated.
//
//   import { selfIsolate } from 'rayon-web-host/isolate';
//   const iso = await selfIsolate({ url: '/isolation-sw.js' });  // may reload the page once
//   iso.isolated;  iso.reason;
//
// Never loops: the reload happens at most once per tab session (sessionStorage),
// and every case where isolation cannot be had resolves with the reason.

import { readOptions, invalidArgument, describe } from './options.js';

const RELOADED = 'rayon-web-isolation-reloaded';

/**
 * @param {{ url?: string | URL, coep?: 'require-corp' | 'credentialless', scope?: string, reload?: boolean }} options
 * @returns {Promise<{ isolated: boolean, reason: string }>} (pending forever while the page reloads)
 */
export async function selfIsolate(options) {
  const { url = './isolation-sw.js', coep = 'require-corp', scope, reload = true } = readOptions(options, "selfIsolate's options", ['url', 'coep', 'scope', 'reload']);
  if (!(typeof url === 'string' || url instanceof URL)) throw invalidArgument(`selfIsolate's options.url must be a string or URL, got ${describe(url)}`);
  if (coep !== 'require-corp' && coep !== 'credentialless') throw invalidArgument(`selfIsolate's options.coep must be 'require-corp' or 'credentialless', got ${describe(coep)}`);
  if (scope !== undefined && typeof scope !== 'string') throw invalidArgument(`selfIsolate's options.scope must be a string, got ${describe(scope)}`);
  if (typeof reload !== 'boolean') throw invalidArgument(`selfIsolate's options.reload must be a boolean, got ${describe(reload)}`);
  if (globalThis.crossOriginIsolated === true) {
    sessionStorage?.removeItem(RELOADED);
    return { isolated: true, reason: navigator.serviceWorker?.controller ? 'isolated by the rayon-web-host service worker' : 'the page is cross-origin isolated by its server' };
  }
  if (!globalThis.isSecureContext) return { isolated: false, reason: 'service workers need a secure context (https or localhost)' };
  if (!navigator.serviceWorker) return { isolated: false, reason: 'this browser has no service workers here (private window, or disabled)' };
  const scriptUrl = new URL(url, location.href);
  scriptUrl.searchParams.set('coep', coep);
  // A scope has one service worker: registering ours where the app's own (a PWA's,
  // Workbox's) already serves would silently replace it — its caching, offline
  // pages, push — and ours would take over a sub-scope of a worker above it.
  const other = await otherWorker(new URL(scope ?? './', scriptUrl).href, scriptUrl);
  if (other) {
    return { isolated: false, reason: `another service worker (${other.script}) already serves ${other.scope}; registering the isolation worker would replace it there. Add the COOP/COEP headers to that worker's responses instead (README "Pages without cross-origin isolation")` };
  }
  let registration;
  try {
    registration = await navigator.serviceWorker.register(scriptUrl.href, scope ? { scope } : undefined);
  } catch (e) {
    return { isolated: false, reason: `the isolation service worker could not be registered: ${e.message}` };
  }
  if (navigator.serviceWorker.controller) {
    // Controlled, yet not isolated: reloading again would not help.
    return { isolated: false, reason: 'the isolation service worker controls the page, but the page is still not cross-origin isolated (a resource or the browser refuses COEP)' };
  }
  if (!reload) return { isolated: false, reason: 'the isolation service worker is installed; it takes effect at the next load' };
  if (sessionStorage.getItem(RELOADED)) {
    return { isolated: false, reason: 'the page was reloaded once for the isolation service worker and is still not controlled by it' };
  }
  await waitActive(registration);
  sessionStorage.setItem(RELOADED, '1');
  location.reload();
  return new Promise(() => {}); // the page is going away
}

/** The registration serving `scopeUrl` if its worker is not an isolation worker (`{ script, scope }`), else null. */
async function otherWorker(scopeUrl, scriptUrl) {
  let existing;
  try { existing = await navigator.serviceWorker.getRegistration(scopeUrl); } catch { return null; }
  const worker = existing && (existing.active || existing.waiting || existing.installing);
  if (!worker) return null;
  const path = new URL(worker.scriptURL).pathname;
  return path === scriptUrl.pathname || path.includes('isolation-sw') ? null : { script: worker.scriptURL, scope: existing.scope };
}

function waitActive(registration) {
  const sw = registration.installing || registration.waiting || registration.active;
  if (!sw || sw.state === 'activated') return Promise.resolve();
  return new Promise((resolve) => sw.addEventListener('statechange', () => { if (sw.state === 'activated') resolve(); }));
}

/** Unregisters the isolation service worker(s) of this origin; the next load is served as the server sends it. */
export async function removeSelfIsolation() {
  const regs = (await navigator.serviceWorker?.getRegistrations?.()) ?? [];
  let removed = 0;
  for (const r of regs) {
    if (r.active?.scriptURL?.includes('isolation-sw') && (await r.unregister())) removed++;
  }
  return removed;
}
