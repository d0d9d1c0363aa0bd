// Lifecycle scenarios that run in a module worker (see page.js).
const name = new URL(self.location.href).searchParams.get('case');
const load = async (pkg) => {
  const glue = await import(new URL(`/target/pkg/${pkg}/rayon_web_consumer.js`, self.location.origin).href);
  await glue.default();
  return glue;
};
const settle = async (glue, target) => {
  for (let i = 0; i < 300 && glue.liveWorkers() > target; i++) await new Promise((r) => setTimeout(r, 10));
  return glue.liveWorkers();
};

const scenarios = {
  async custom(glue) {
    await glue.initThreadPool(2);
    const [sum, distinct, size] = await glue.customPoolSum(3, 1_000_000);
    return { sum, distinct, size, sequential: glue.sumSequential(1_000_000), liveAfterDrop: await settle(glue, 2), globalThreads: glue.numThreads() };
  },
  async cycles(glue) {
    const live = [], memory = [];
    for (let i = 0; i < 100; i++) {
      await glue.customPoolSum(2, 1000);
      if (i % 10 === 9) { live.push(await settle(glue, 0)); memory.push(glue.memoryBytes()); }
    }
    return { live, memory };
  },
  async 'many-calls'(glue) {
    await glue.initThreadPool(2);
    const memory = [], live = [];
    const expected = glue.sumSequential(2000);
    let wrong = 0;
    for (let i = 0; i < 10_000; i++) {
      if (glue.sumParallel(2000) !== expected) wrong++;
      if (i % 1000 === 999) { memory.push(glue.memoryBytes()); live.push(glue.liveWorkers()); }
    }
    return { wrong, memory, live };
  },
  async growth(glue) {
    await glue.initThreadPool(2);
    const kept = glue.halves(1000);
    const before = glue.memoryBytes();
    const [sum, expected] = glue.growInParallel(8, 16);
    return { before, after: glue.memoryBytes(), sum, expected, keptOk: kept.every((v, i) => v === 0.5 * i) };
  },
  async unwind(glue) {
    await glue.initThreadPool(2);
    let panic = null;
    try { glue.panicInParallel(5); } catch (e) { panic = { name: e.name, message: e.message }; }
    return { panic, after: glue.sumParallel(100_000), expected: glue.sumSequential(100_000), distinct: glue.distinctThreads(64) };
  },
};

try {
  const glue = await load(name === 'unwind' ? 'consumer-unwind' : 'consumer');
  self.postMessage(await scenarios[name](glue));
} catch (e) {
  self.postMessage({ failed: { code: e.code ?? null, message: String(e.message ?? e) } });
}
