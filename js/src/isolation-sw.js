// rayon-web-host's optional self-isolation service worker (the coi-serviceworker
// technique, https://github.com/gzuidhof/coi-serviceworker): a page whose
// server cannot send Cross-Origin-Opener-Policy / Cross-Origin-Embedder-Policy
// (GitHub Pages, plain static hosts) registers this worker; it re-serves every
// response within its scope with those headers, so after one reload the page is
// cross-origin isolated and rayon-web's threads can run.
//
// Copy this file next to your page (a service worker controls only its own
// folder and below, unless the server sends `Service-Worker-Allowed`) and call
// `selfIsolate()` from `rayon-web-host/isolate` before `createHost`.
// Query of the script URL: `?coep=credentialless` (default `require-corp`).
// When it is safe, and how to remove it: README, "Pages without cross-origin isolation".

const COEP = new URL(self.location.href).searchParams.get('coep') === 'credentialless' ? 'credentialless' : 'require-corp';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  let request = event.request;
  // Chromium throws for this combination (crbug.com/823392): leave such requests alone.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  // Under `credentialless`, cross-origin no-cors requests go without cookies,
  // which is what lets third-party resources without CORP load at all.
  if (COEP === 'credentialless' && request.mode === 'no-cors') request = new Request(request, { credentials: 'omit' });
  event.respondWith(
    fetch(request).then((response) => {
      // Opaque responses (status 0) cannot be rewritten; they pass as they are
      // and COEP decides whether the page may use them.
      if (response.status === 0) return response;
      const headers = new Headers(response.headers);
      headers.set('Cross-Origin-Embedder-Policy', COEP);
      headers.set('Cross-Origin-Opener-Policy', 'same-origin');
      // Our own resources, now re-served, must pass the page's COEP too.
      if (!headers.has('Cross-Origin-Resource-Policy')) headers.set('Cross-Origin-Resource-Policy', 'same-origin');
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }),
  );
});
