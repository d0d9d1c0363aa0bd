// One small interface over three browser engines for the browser tests:
//
//   const browser = await launch('chromium' | 'firefox' | 'webkit', { env })
//   const page = await browser.open(url)
//   await page.result(ms)     // window.__result, or throws with window.__error
//   await page.evaluate(fn | 'source')
//   await page.screenshot(path); page.logs(); await page.close()
//   await browser.close()
//
// Chromium: playwright-core driving /usr/bin/chromium.
// Firefox: selenium-webdriver + geckodriver (not BiDi/puppeteer: see
//   /work/shared/docs/toolchain.md), firefox-esr headless.
// WebKit: WebKitGTK's MiniBrowser through WebKitWebDriver on a private Xvfb
//   display, with JSC_useSharedArrayBuffer=1 unless env removes it.
//
// Every wait has a deadline, and every process started here is killed by PID
// (process group) on close or on a failed launch.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
const GECKODRIVER = process.env.GECKODRIVER ?? path.join(ROOT, '.tools/bin/geckodriver');
const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER ?? '/usr/bin/WebKitWebDriver';
const MINIBROWSER = process.env.MINIBROWSER ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const LAUNCH_MS = 30_000;
const COMMAND_MS = 20_000;
const PAGE_LOAD_MS = 20_000;

/// Rejects with `what timed out after ms` unless `promise` settles first.
export function deadline(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function errorFromPage(e) {
  const err = new Error(`page error: ${e?.code ? `[${e.code}] ` : ''}${e?.message ?? JSON.stringify(e)}`);
  err.code = e?.code;
  err.pageError = e;
  return err;
}

async function freePort() {
  const srv = net.createServer();
  await new Promise((resolve, reject) => { srv.once('error', reject); srv.listen(0, '127.0.0.1', resolve); });
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

// Process groups started here and still running: killed if this process
// exits or is interrupted before close() (e.g. node --test cancels a file).
const liveGroups = new Set();
const tempDirs = new Set();
let exitHooks = false;
function track(child) {
  liveGroups.add(child);
  child.once('exit', () => liveGroups.delete(child));
  if (exitHooks) return;
  exitHooks = true;
  process.on('exit', () => {
    for (const c of liveGroups) { try { process.kill(-c.pid, 'SIGKILL'); } catch { /* gone */ } }
    for (const d of tempDirs) { try { rmSync(d, { recursive: true, force: true }); } catch { /* ignore */ } }
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1)));
  }
}

/// Spawns a process in its own process group so that it and its children can
/// be killed together.
function start(cmd, args, { env, extraStdio = [] } = {}) {
  const child = spawn(cmd, args, {
    env, detached: true, stdio: ['ignore', 'pipe', 'pipe', ...extraStdio],
  });
  track(child);
  child.output = '';
  const keep = (d) => { child.output = (child.output + d).slice(-8000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  child.once('error', (e) => { child.output += `\nspawn error: ${e}`; });
  return child;
}

async function killGroup(child, what) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const signal = (sig) => { try { process.kill(-child.pid, sig); } catch { try { child.kill(sig); } catch { /* gone */ } } };
  signal('SIGTERM');
  const r = await Promise.race([child.exited, sleep(3000).then(() => null)]);
  if (r === null) {
    signal('SIGKILL');
    await Promise.race([child.exited, sleep(3000)]);
  }
  void what;
}

// ---------------------------------------------------------------- Chromium

async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const browser = await deadline(chromium.launch({
    executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: LAUNCH_MS,
  }), LAUNCH_MS + 5000, 'chromium launch');
  const pages = new Set();
  return {
    name: 'chromium',
    async open(url) {
      const context = await deadline(browser.newContext(), COMMAND_MS, 'chromium newContext');
      const pwPage = await deadline(context.newPage(), COMMAND_MS, 'chromium newPage');
      const logs = [];
      const stamp = () => new Date().toISOString().slice(11, 23);
      pwPage.on('console', (m) => logs.push(`${stamp()} [page ${m.type()}] ${m.text()}`));
      pwPage.on('pageerror', (e) => logs.push(`${stamp()} [page error] ${e}`));
      pwPage.on('worker', (w) => {
        logs.push(`${stamp()} [worker created] ${w.url()}`);
        w.on('close', () => logs.push(`${stamp()} [worker closed] ${w.url()}`));
        w.on('console', (m) => logs.push(`${stamp()} [worker ${m.type()}] ${m.text()}`));
      });
      pwPage.on('crash', () => logs.push(`${stamp()} [page crashed]`));
      const page = {
        raw: pwPage,
        logs: () => logs.slice(),
        async evaluate(fn) {
          return deadline(pwPage.evaluate(fn), COMMAND_MS, 'chromium evaluate');
        },
        async result(timeoutMs) {
          try {
            await pwPage.waitForFunction(() => window.__result !== undefined || window.__error !== undefined,
              null, { timeout: timeoutMs, polling: 25 });
          } catch (e) {
            throw new Error(`no result within ${timeoutMs} ms (${e.message.split('\n')[0]})\n${logs.join('\n')}`);
          }
          const { result, error } = await page.evaluate(() => ({ result: window.__result, error: window.__error }));
          if (error !== undefined) throw errorFromPage(error);
          return result;
        },
        async screenshot(file) {
          await deadline(pwPage.screenshot({ path: file, timeout: COMMAND_MS }), COMMAND_MS + 1000, 'chromium screenshot');
        },
        async close() {
          pages.delete(page);
          await deadline(context.close(), COMMAND_MS, 'chromium close page').catch(() => {});
        },
      };
      pages.add(page);
      try {
        await pwPage.goto(url, { timeout: PAGE_LOAD_MS, waitUntil: 'load' });
      } catch (e) {
        await page.close();
        throw e;
      }
      return page;
    },
    async close() {
      for (const p of [...pages]) await p.close();
      await deadline(browser.close(), COMMAND_MS, 'chromium close').catch(() => {});
    },
  };
}

// ------------------------------------------------ WebDriver (Firefox, WebKit)

function webdriverBrowser(name, driver, cleanup) {
  let current = null;
  return {
    name,
    driver,
    async open(url) {
      if (current) await current.close();
      const page = {
        logs: () => [],
        async evaluate(fn) {
          const src = typeof fn === 'function' ? `return (${fn.toString()})();` : `return (${fn});`;
          return deadline(driver.executeScript(src), COMMAND_MS, `${name} evaluate`);
        },
        async result(timeoutMs) {
          const end = Date.now() + timeoutMs;
          for (;;) {
            const left = end - Date.now();
            let state;
            try {
              state = await deadline(driver.executeScript(
                'return { result: window.__result, error: window.__error };'), Math.max(left, 1000), `${name} poll`);
            } catch (e) {
              throw new Error(`no result within ${timeoutMs} ms (${e.message.split('\n')[0]})`);
            }
            if (state?.error !== undefined && state.error !== null) throw errorFromPage(state.error);
            if (state?.result !== undefined && state.result !== null) return state.result;
            if (Date.now() >= end) throw new Error(`no result within ${timeoutMs} ms`);
            await sleep(25);
          }
        },
        async screenshot(file) {
          const png = await deadline(driver.takeScreenshot(), COMMAND_MS, `${name} screenshot`);
          await writeFile(file, Buffer.from(png, 'base64'));
        },
        async close() {
          if (current !== page) return;
          current = null;
          // Unloading the page ends its workers.
          await deadline(driver.get('about:blank'), COMMAND_MS, `${name} unload`).catch(() => {});
        },
      };
      current = page;
      await deadline(driver.get(url), PAGE_LOAD_MS + 2000, `${name} page load of ${url}`);
      return page;
    },
    async close() {
      try {
        await deadline(driver.quit(), COMMAND_MS, `${name} quit`);
      } catch { /* killed below */ } finally {
        await cleanup();
      }
    },
  };
}

async function waitForDriver(base, child, what) {
  const end = Date.now() + LAUNCH_MS;
  while (Date.now() < end) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited during start-up:\n${child.output}`);
    }
    try {
      const r = await deadline(fetch(`${base}/status`), 2000, `${what} status`);
      if (r.ok) {
        const body = await r.json();
        if (body?.value?.ready !== false) return;
      }
    } catch { /* not up yet */ }
    await sleep(100);
  }
  throw new Error(`${what} did not answer on ${base} within ${LAUNCH_MS} ms:\n${child.output}`);
}

async function newSession(base, capabilities, name) {
  const { Builder } = await import('selenium-webdriver');
  const driver = await deadline(new Builder().usingServer(base).withCapabilities(capabilities).build(),
    LAUNCH_MS, `${name} new session`);
  await deadline(driver.manage().setTimeouts({ pageLoad: PAGE_LOAD_MS, script: COMMAND_MS }),
    COMMAND_MS, `${name} set timeouts`);
  return driver;
}

async function launchFirefox({ env } = {}) {
  const port = await freePort();
  const profileRoot = await mkdtemp(path.join(os.tmpdir(), 'rayon-web-ff-'));
  tempDirs.add(profileRoot);
  const childEnv = mergeEnv({ TMPDIR: profileRoot, MOZ_CRASHREPORTER_DISABLE: '1' }, env);
  const gecko = start(GECKODRIVER, [`--port=${port}`, '--host=127.0.0.1', `--binary=${FIREFOX}`], { env: childEnv });
  const cleanup = async () => {
    await killGroup(gecko, 'geckodriver');
    await rm(profileRoot, { recursive: true, force: true }).catch(() => {});
    tempDirs.delete(profileRoot);
  };
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForDriver(base, gecko, 'geckodriver');
    const driver = await newSession(base, {
      browserName: 'firefox',
      'moz:firefoxOptions': {
        binary: FIREFOX,
        args: ['-headless'],
        prefs: {
          'browser.shell.checkDefaultBrowser': false,
          'app.update.enabled': false,
          'datareporting.policy.dataSubmissionEnabled': false,
          'toolkit.telemetry.reportingpolicy.firstRun': false,
        },
      },
    }, 'firefox');
    return webdriverBrowser('firefox', driver, cleanup);
  } catch (e) {
    await cleanup();
    throw new Error(`firefox launch failed: ${e.message}\n${gecko.output}`);
  }
}

function mergeEnv(add, env = {}) {
  const out = { ...process.env, ...add };
  for (const [k, v] of Object.entries(env)) {
    if (v === null || v === undefined) delete out[k];
    else out[k] = String(v);
  }
  return out;
}

/// Starts Xvfb on a display it picks itself (-displayfd); resolves with
/// { child, display }.
async function startXvfb() {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    detached: true, stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  track(xvfb);
  xvfb.output = '';
  xvfb.stderr.on('data', (d) => { xvfb.output = (xvfb.output + d).slice(-4000); });
  xvfb.exited = new Promise((r) => xvfb.once('exit', (code, signal) => r({ code, signal })));
  let display = '';
  try {
    display = await deadline(new Promise((resolve, reject) => {
      let buf = '';
      xvfb.stdio[3].on('data', (d) => {
        buf += d;
        if (buf.includes('\n')) resolve(buf.trim());
      });
      xvfb.once('exit', () => reject(new Error(`Xvfb exited: ${xvfb.output}`)));
      xvfb.once('error', reject);
    }), LAUNCH_MS, 'Xvfb start');
  } catch (e) {
    await killGroup(xvfb, 'Xvfb');
    throw e;
  }
  return { child: xvfb, display: `:${display}` };
}

async function launchWebKit({ env } = {}) {
  const { child: xvfb, display } = await startXvfb();
  let driverProc = null;
  const cleanup = async () => {
    await killGroup(driverProc, 'WebKitWebDriver');
    await killGroup(xvfb, 'Xvfb');
  };
  try {
    const port = await freePort();
    const childEnv = mergeEnv({ DISPLAY: display, JSC_useSharedArrayBuffer: '1' }, env);
    driverProc = start(WEBKIT_DRIVER, [`--port=${port}`], { env: childEnv });
    const base = `http://127.0.0.1:${port}`;
    await waitForDriver(base, driverProc, 'WebKitWebDriver');
    const driver = await newSession(base, {
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
    }, 'webkit');
    return webdriverBrowser('webkit', driver, cleanup);
  } catch (e) {
    await cleanup();
    throw new Error(`webkit launch failed: ${e.message}\n${driverProc?.output ?? ''}`);
  }
}

export async function launch(name, { env } = {}) {
  switch (name) {
    case 'chromium': return launchChromium({ env });
    case 'firefox': return launchFirefox({ env });
    case 'webkit': return launchWebKit({ env });
    default: throw new Error(`unknown browser ${name} (chromium, firefox, webkit)`);
  }
}
