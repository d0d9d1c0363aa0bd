// Pool lifecycle scenarios, shared by the Node tests (tests/node/fixtures/case.mjs)
// and the Chromium tests (tests/browser/lifecycle/worker.js). Each takes the
// consumer's glue (already initialised, no pool yet) and returns plain data.

/** Waits (bounded) until the live worker count drops to `target`; returns the count seen. */
export async function settle(glue, target = 0) {
  for (let i = 0; i < 300 && glue.liveWorkers() > target; i++) await new Promise((r) => setTimeout(r, 10));
  return glue.liveWorkers();
}

/** A custom pool of `threads` beside a global pool of 2; dropped at the end, with keep-alive 0. */
export async function customBesideGlobal(glue, threads) {
  await glue.initThreadPool(2);
  const [sum, distinct, size] = await glue.customPoolSum(threads, 1_000_000, 0);
  return {
    size, sum, distinct, sequential: glue.sumSequential(1_000_000),
    liveAfterDrop: await settle(glue, 2), globalThreads: glue.numThreads(), globalDistinct: glue.distinctThreads(64),
  };
}

/**
 * A custom pool of 3 with the default keep-alive: after the drop its workers
 * wait idle, and releaseIdleWorkers() ends them.
 */
export async function customThenRelease(glue) {
  const [sum, distinct, size] = await glue.customPoolSum(3, 1_000_000);
  const liveIdle = glue.liveWorkers();
  const released = glue.releaseIdleWorkers();
  return { size, sum, distinct, sequential: glue.sumSequential(1_000_000), liveIdle, released, liveAfterRelease: await settle(glue, 0) };
}

/**
 * 100 create/drop cycles of a 2-thread custom pool, sampled every 10 right
 * after the drop; `keepAliveMs` 0 ends the workers at each drop (the sample
 * then waits for them to exit), undefined reuses them.
 */
export async function cycles(glue, keepAliveMs) {
  const live = [], memory = [];
  let wrong = 0;
  const expected = glue.sumSequential(1000);
  for (let i = 0; i < 100; i++) {
    const [sum] = await glue.customPoolSum(2, 1000, keepAliveMs);
    if (sum !== expected) wrong++;
    if (i % 10 === 9) {
      live.push(keepAliveMs === 0 ? await settle(glue, 0) : glue.liveWorkers());
      memory.push(glue.memoryBytes());
    }
  }
  const released = glue.releaseIdleWorkers();
  return { wrong, live, memory, released, liveAfterRelease: await settle(glue, 0) };
}

/**
 * When idle workers are reused: only by a pool with the same stack size, by
 * the global pool too, and a short keep-alive ends them by itself.
 */
export async function reuseRules(glue) {
  const out = {};
  await glue.customPoolSum(2, 100_000);
  out.afterFirst = glue.liveWorkers();
  await glue.customPoolSum(2, 100_000, undefined, 4 << 20);
  out.afterOtherStack = glue.liveWorkers();
  const [sum, distinct] = await glue.customPoolSum(2, 100_000);
  out.afterSameStack = glue.liveWorkers();
  out.reusedOk = sum === glue.sumSequential(100_000) && distinct === 2;
  await glue.initThreadPool(2);
  out.afterGlobal = glue.liveWorkers();
  out.globalOk = glue.sumParallel(100_000) === glue.sumSequential(100_000) && glue.distinctThreads(64) === 2;
  out.released = glue.releaseIdleWorkers();
  out.afterRelease = await settle(glue, 2);
  // A keep-alive of 300 ms: idle just after the drop, gone by itself soon after.
  await glue.customPoolSum(2, 1000, 300);
  out.idleWithKeepAlive = glue.liveWorkers();
  const t = performance.now();
  out.afterKeepAlive = await settle(glue, 2);
  out.keepAliveEndedMs = performance.now() - t;
  return out;
}

/** 10,000 small parallel calls on the global pool, sampled every 1000. */
export async function manyCalls(glue) {
  await glue.initThreadPool(2);
  const memory = [], live = [];
  const expected = glue.sumSequential(2000);
  let wrong = 0;
  for (let i = 0; i < 10_000; i++) {
    if (glue.sumParallel(2000) !== expected) wrong++;
    if (i % 1000 === 999) { memory.push(glue.memoryBytes()); live.push(glue.liveWorkers()); }
  }
  return { wrong, memory, live };
}

/** Parallel work that grows the shared memory; an array handed out before must stay intact. */
export async function growth(glue) {
  await glue.initThreadPool(2);
  const kept = glue.halves(1000);
  const before = glue.memoryBytes();
  const [sum, expected] = glue.growInParallel(8, 16);
  return { before, after: glue.memoryBytes(), sum, expected, keptLength: kept.length, keptOk: kept.every((v, i) => v === 0.5 * i) };
}

/** panic = "unwind" build: a panic in par_iter, then more parallel work. */
export async function unwind(glue) {
  await glue.initThreadPool(2);
  let panic = null;
  try { glue.panicInParallel(5); } catch (e) { panic = { name: e.name, message: e.message }; }
  return { panic, after: glue.sumParallel(100_000), expected: glue.sumSequential(100_000), distinct: glue.distinctThreads(64) };
}

/**
 * panic = "abort" build through rayon-web-host (on a thread that is not blocked):
 * a panicking pool thread, a later call, then recovery by `recreate()` with
 * `recreateThreads` threads.
 */
export async function abortAndRecover(createHost, glueUrl, recreateThreads) {
  const host = await createHost({ threaded: glueUrl, threads: 2 });
  const settled = async (call) => {
    const t = performance.now();
    try { await call(); return { outcome: 'resolved', ms: performance.now() - t }; } catch (e) {
      return { outcome: { code: e.code, message: e.message }, ms: performance.now() - t };
    }
  };
  try {
    const out = { mode: host.mode };
    const first = await settled(() => host.call('panicInParallel', [5]));
    const later = await settled(() => host.call('sumParallel', [1000]));
    Object.assign(out, { first: first.outcome, firstMs: first.ms, later: later.outcome, laterMs: later.ms });
    await host.recreate({ threads: recreateThreads });
    out.recoveredHostThreads = host.threads;
    out.recoveredThreads = await host.exports.numThreads();
    out.recoveredOk = (await host.exports.sumParallel(100_000)) === (await host.exports.sumSequential(100_000));
    return out;
  } finally {
    host.terminate();
  }
}

/**
 * Pools built concurrently and dropped, with random sizes, stack sizes and
 * keep-alives (0 to 10 s; 1-10 ms ones expire while other pools claim idle
 * workers), and releases in between: every sum right, nothing hangs, and once
 * released no worker is left. Seeded, so a failure replays.
 */
export async function reuseStress(glue, rounds = 40, seed = 7) {
  const random = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const expected = glue.sumSequential(5000);
  let wrong = 0, calls = 0, maxLive = 0;
  for (let round = 0; round < rounds; round++) {
    const pending = Array.from({ length: 1 + random(3) }, () => {
      const keepAlive = [0, 1, 3, 10, 10_000][random(5)];
      const stack = random(4) === 0 ? 1 << 20 : undefined;
      calls++;
      return glue.customPoolSum(1 + random(3), 5000, keepAlive, stack).then(([sum]) => { if (sum !== expected) wrong++; });
    });
    if (random(3) === 0) pending.push(new Promise((r) => setTimeout(r, random(5))));
    if (random(10) === 0) glue.releaseIdleWorkers();
    await Promise.all(pending);
    maxLive = Math.max(maxLive, glue.liveWorkers());
  }
  glue.releaseIdleWorkers();
  return { wrong, calls, maxLive, liveEnd: await settle(glue, 0), idleEnd: glue.idleWorkers() };
}
