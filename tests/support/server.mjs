// A static file server for the browser tests: node:http + sirv on 127.0.0.1,
// a free port. `isolated` (default) adds the COOP/COEP/CORP headers that make
// pages cross-origin isolated (needed for SharedArrayBuffer); `headers` adds
// more (e.g. a Content-Security-Policy); `cacheControl` replaces the default
// `no-store` (tests/bench/startup.mjs measures a cacheable first visit).
import http from 'node:http';
import sirv from 'sirv';

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const TYPES = {
  '.wasm': 'application/wasm',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
};

function typeFor(pathname) {
  const dot = pathname.lastIndexOf('.');
  return dot >= 0 ? TYPES[pathname.slice(dot).toLowerCase()] : undefined;
}

export async function serve(root, { isolated = true, headers = {}, cacheControl = 'no-store' } = {}) {
  const extra = { ...(isolated ? ISOLATION_HEADERS : {}), ...headers };
  const files = sirv(root, {
    dev: true, // no caching: every test sees the files as they are now
    dotfiles: false,
    setHeaders(res, pathname) {
      const type = typeFor(pathname);
      if (type) res.setHeader('Content-Type', type);
      res.setHeader('Cache-Control', cacheControl);
    },
  });
  const server = http.createServer((req, res) => {
    for (const [k, v] of Object.entries(extra)) {
      if (v !== null && v !== undefined) res.setHeader(k, v);
    }
    files(req, res, () => {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain');
      res.end(`not found: ${req.url}\n`);
    });
  });
  const sockets = new Set();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        // Browsers keep connections alive; don't let them hold the close.
        for (const s of sockets) s.destroy();
      });
    },
  };
}
