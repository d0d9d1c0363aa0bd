// Compile-only (tsc --strict, no skipLibCheck) use of the PACKED rayon-web-host,
// imported by its package name through package.json "exports". Type-checked
// twice by tests/node/publish.test.mjs: in a Node-only project (lib es2022,
// types node, no DOM) and in a DOM project.
import { createHost, detectThreads as rootDetect, HostError, type Host, type ThreadSupport as RootSupport } from 'rayon-web-host';
import { detectThreads, type ThreadSupport } from 'rayon-web-host/detect';

// The two declarations of the capability check (index.d.ts, detect.d.ts) must
// stay the same: each is assignable to the other.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameSupport: Same<ThreadSupport, RootSupport> = true;
const sameDetect: Same<typeof detectThreads, typeof rootDetect> = true;

export async function run(): Promise<string> {
  const support: ThreadSupport = detectThreads();
  const threads: boolean = support.threads;
  const host: Host = await createHost({ threaded: './pkg-threads/x.js', single: './pkg-single/x.js', threads: 2 });
  try {
    await host.call<Float64Array>('alma', [new Float64Array(4)]);
  } catch (e) {
    if (e instanceof HostError) return e.code ?? "";
  } finally {
    host.terminate();
  }
  return `${threads} ${support.reason} ${sameSupport} ${sameDetect}`;
}
