// Lifecycle scenarios that run in a module worker (see page.js); the scenarios
// themselves are shared with the Node tests (tests/lifecycle/scenarios.js).
import * as lifecycle from '/tests/lifecycle/scenarios.js';

const name = new URL(self.location.href).searchParams.get('case');
const load = async (pkg) => {
  const glue = await import(new URL(`/target/pkg/${pkg}/rayon_web_consumer.js`, self.location.origin).href);
  await glue.default();
  return glue;
};
const scenarios = {
  custom: (glue) => lifecycle.customBesideGlobal(glue, 3),
  'custom-release': lifecycle.customThenRelease,
  cycles: (glue) => lifecycle.cycles(glue),
  'cycles-no-reuse': (glue) => lifecycle.cycles(glue, 0),
  'reuse-rules': lifecycle.reuseRules,
  'many-calls': lifecycle.manyCalls,
  growth: lifecycle.growth,
  unwind: lifecycle.unwind,
};

try {
  const glue = await load(name === 'unwind' ? 'consumer-unwind' : 'consumer');
  self.postMessage(await scenarios[name](glue));
} catch (e) {
  self.postMessage({ failed: { code: e.code ?? null, message: String(e.message ?? e) } });
}
