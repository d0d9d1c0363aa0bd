// rayon-web-host: run a wasm-bindgen package built twice — threaded (rayon-web)
// and single-threaded — in dedicated workers, choosing the build the
// environment supports, with every export available as an async function.
//
//   const host = await createHost({
//     threaded: new URL('./pkg-threads/my_crate.js', import.meta.url),
//     single:   new URL('./pkg-single/my_crate.js', import.meta.url),
//     declarations: ALMA_DECLARATIONS,        // how batch calls split over shards
//   });
//   host.mode;            // 'threads' | 'shards' | 'single'
//   host.reason;          // why, in words
//   const out = await host.call('almaBatch', [prices, range], { onProgress, transfer: [prices.buffer] });
//   await host.recreate({ threads: 2 });   // terminate every worker, fresh instance
//
// The model. A host owns one or more *instances*: a dedicated worker that loaded
// one build of the module (threads: one instance whose pool workers are its
// children; single: one instance; shards: N instances of the single build, each
// with its own memory). Every call gets an id and a pending entry, and leaves it
// exactly once: with the result, the module's error, or a host error (see
// HostErrorCode in index.d.ts) — when its instance dies, traps, is terminated,
// or when its arguments cannot be sent. While the host starts (createHost,
// recreate) calls are queued — their arguments are cloned (and transfers taken)
// at once — and sent in order once the new instance(s) are ready; if the start
// fails, they reject with the start's coded error.
//
// Protocol with the workers: top of host-worker.js. Mode choice: detect.js.
// Split declarations: split.js. Options: host-options.js. Errors: errors.js.
// What may be sent: sendable.js. Output arrays: outputs.js (buffers kept between
// calls: scratch.js). The worker handle (Node / Web Workers): worker-handle.js.
// Types: index.d.ts.

import { detectThreads, chooseMode, reportedCores, MODES, DEFAULT_SHARD_MIN_WORK } from './detect.js';
import { compileDeclaration, isDetached } from './split.js';
import { readOptions, describe } from './options.js';
import { Scratch, isShared } from './scratch.js';
import { HostError, invalid, terminated, messageOf, abortError, superseded } from './errors.js';
import {
  HOST_OPTIONS, RECREATE_OPTIONS, CALL_OPTIONS, MAX_POOL_THREADS, MAX_TIMEOUT_MS, workerCount, glueUrl, modeOption, isAbortSignal,
} from './host-options.js';
import { classInstancePath, typeName, checkSendable, checkDetached } from './sendable.js';
import { outputsFor, watchedArgs, writeBack } from './outputs.js';
import { spawnWorker, crashMessage } from './worker-handle.js';

export { HostError };

/** Names the language looks up on any object and may call (thenables, JSON, conversions). */
const IMPLICIT = new Set(['then', 'toJSON', 'valueOf', 'toString', 'toLocaleString', 'constructor', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', '__proto__', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

const now = () => performance.now();
const nextFrame = () => new Promise((r) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => r()) : setTimeout(r, 50)));

/**
 * A module's own declarations (its `rayonWebHostDeclarations()`), compiled; an
 * entry the host cannot use is skipped — the caller's declarations and the
 * module's answers stay authoritative, so a module's bad metadata never fails calls.
 */
function moduleDeclarations(data) {
  const out = {};
  if (!data || typeof data !== 'object') return out;
  for (const [name, decl] of Object.entries(data)) {
    try { out[name] = compileDeclaration(name, decl); } catch { /* unusable: as if undeclared */ }
  }
  return out;
}

/**
 * Starts a host. Options (see HostOptions in index.d.ts): `threaded`, `single`
 * (URLs of the two builds' glue JS), `mode` ('auto' | 'threads' | 'shards' |
 * 'single'), `threads` (pool size), `shards` (instance count), `declarations`
 * (split declarations per export), `shardMinWork`, `startTimeoutMs`.
 */
export async function createHost(options) {
  const host = new Host(options);
  host.start();
  await host.afterStart(host.epoch);
  return host;
}

export class Host {
  constructor(options) {
    const {
      threaded, single, threads, shards, mode, forceSingle, declarations = {}, shardMinWork = DEFAULT_SHARD_MIN_WORK, startTimeoutMs = 15000,
    } = readOptions(options, "createHost's options", HOST_OPTIONS, invalid);
    this.builds = { threaded: glueUrl(threaded, 'threaded'), single: glueUrl(single, 'single') };
    if (!this.builds.single && !this.builds.threaded) throw invalid('createHost needs at least one build: { threaded, single } (URLs of the wasm-bindgen glue JS)');
    this.configure({ threads, shards, mode: modeOption(mode, forceSingle, "createHost's options") ?? 'auto' });
    // Only a plain object: Object.entries of a Map (or a class's getters) is [], which
    // would drop every declaration without a word.
    let proto;
    try { proto = typeof declarations === 'object' ? Object.getPrototypeOf(declarations) : undefined; } catch (e) { throw invalid(`inspecting createHost's options.declarations threw: ${messageOf(e)}`); }
    if (proto !== Object.prototype && proto !== null) throw invalid(`createHost's options.declarations must be a plain object { exportName: declaration }, got ${describe(declarations)}`);
    this.declarations = {};
    let entries;
    try { entries = Object.entries(declarations); } catch (e) { throw invalid(`reading createHost's options.declarations threw: ${e?.message ?? e}`); }
    for (const [name, decl] of entries) {
      // compileDeclaration throws a plain TypeError (it is also a standalone entry
      // point, rayon-web-host/split); from createHost it is a HostError as every
      // other bad option is (errors.js).
      try { this.declarations[name] = compileDeclaration(name, decl); } catch (e) { throw invalid(messageOf(e)); }
    }
    if (!(typeof shardMinWork === 'number' && shardMinWork >= 0)) throw invalid(`createHost's options.shardMinWork must be a number >= 0, got ${describe(shardMinWork)}`);
    this.shardMinWork = shardMinWork;
    // setTimeout fires at once for a delay above 2^31 - 1 ms (or NaN): a deadline
    // out of range would fail every start with HOST_TIMEOUT instead of waiting.
    if (!(typeof startTimeoutMs === 'number' && startTimeoutMs >= 1 && startTimeoutMs <= MAX_TIMEOUT_MS)) {
      throw invalid(`createHost's options.startTimeoutMs must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${describe(startTimeoutMs)}`);
    }
    this.startTimeoutMs = startTimeoutMs;
    this.pending = new Map();
    this.nextId = 1;
    this.instances = [];
    this.starting = null;
    this.generation = 0;
    // Bumped by terminate(): a wait that began before it (a queued call, a recreate()) ends with HOST_TERMINATED.
    this.epoch = 0;
    // Why the last start failed (no instance since), for the calls made after it.
    this.startError = null;
    this.broken = null;
    this.mode = null;
    this.reason = null;
    this.threads = 0;
    this.shards = 0;
  }

  configure({ threads, shards, mode }) {
    // Unset: one thread per reported core, counted when the start runs (startInstances).
    const askedThreads = threads ?? this.requestedThreads;
    const t = askedThreads === undefined ? undefined : workerCount(askedThreads, 'threads', `a core count; a pool has at most ${MAX_POOL_THREADS} threads`);
    // Shards likewise: each is a worker with its own module instance and memory,
    // and past 64 they cost memory without adding speed.
    const askedShards = shards ?? this.requestedShards;
    const s = askedShards === undefined ? undefined : workerCount(askedShards, 'shards', `at most ${MAX_POOL_THREADS} start`);
    if (mode !== 'auto' && !MODES.includes(mode)) throw invalid(`mode must be 'auto', 'threads', 'shards' or 'single', got ${describe(mode)}`);
    this.requestedThreads = t;
    this.requestedShards = s;
    this.requestedMode = mode;
  }

  /** Starts the instance(s); calls made meanwhile are queued. Resolves when ready. */
  start() {
    const gen = ++this.generation;
    const p = this.startInstances(gen);
    this.starting = p;
    p.then(() => { if (this.starting === p) this.starting = null; }, (e) => {
      // A start superseded by a newer one, or abandoned by terminate(), is not "the last start".
      if (this.starting === p) { this.starting = null; this.startError = e; }
    });
    return p;
  }

  /** Whether any export has a split declaration (auto picks shards only then; `{ outputs }` alone does not split). */
  declared() {
    return Object.values(this.declarations).some((d) => typeof d.split === 'function');
  }

  async startInstances(gen) {
    const env = detectThreads();
    // Output buffers are shared memory wherever shared memory can be posted (scratch.js).
    this.sharedScratch = env.threads;
    const cores = await reportedCores();
    let choice = chooseMode({ requested: this.requestedMode, builds: this.builds, env, cores, declared: this.declared() });
    let instances = null;
    if (choice.mode === 'threads') {
      // The pool's own maximum caps the count: a machine reporting more cores
      // than a pool may have threads still gets a pool (not a rejected start).
      const threads = this.requestedThreads ?? Math.min(Math.max(1, Math.floor(cores) || 1), MAX_POOL_THREADS);
      try {
        instances = [await this.boot(this.builds.threaded, threads, gen)];
      } catch (e) {
        if (e.code === 'HOST_SUPERSEDED') throw e;
        // Never a silent change of mode: forced threads reject, auto says why in host.reason.
        choice = chooseMode({ requested: this.requestedMode, builds: this.builds, env, cores, declared: this.declared(), threadsError: e });
      }
    }
    if (choice.error) throw new HostError(choice.error);
    if (choice.mode === 'shards') {
      // Default: one shard per reported core but one, so the page's main thread
      // keeps a core to draw and join on (at least 2: one shard is `single`).
      const n = this.requestedShards ?? Math.min(Math.max(2, cores - 1), MAX_POOL_THREADS);
      const started = await Promise.allSettled(Array.from({ length: n }, () => this.boot(this.builds.single, 0, gen)));
      instances = started.filter((r) => r.status === 'fulfilled').map((r) => r.value);
      const failed = started.find((r) => r.status === 'rejected');
      if (failed) {
        instances.forEach((i) => this.kill(i));
        throw failed.reason;
      }
    } else if (choice.mode === 'single') {
      instances = [await this.boot(this.builds.single, 0, gen)];
    }
    if (gen !== this.generation) {
      instances.forEach((i) => this.kill(i));
      throw superseded();
    }
    this.instances = instances;
    this.moduleDeclarations = instances[0].declarations;
    this.broken = null;
    this.startError = null;
    this.mode = choice.mode;
    this.reason = choice.reason;
    this.shards = choice.mode === 'shards' ? instances.length : 0;
    this.threads = choice.mode === 'shards' ? instances.length : instances[0].threads;
    return this;
  }

  /** One instance: a host worker that loaded `glueUrl` (and, threads > 0, started a pool). */
  async boot(glueUrl, threads, gen) {
    let worker;
    try {
      worker = await spawnWorker();
    } catch (e) {
      throw new HostError({ message: `the host worker could not be created: ${messageOf(e)}`, code: 'HOST_START_FAILED' });
    }
    // Threads: the word the host worker keeps the running call's id in (0 between
    // calls), so that `watch` reports the progress counter to that call only.
    const callWord = threads > 0 ? new Uint32Array(new SharedArrayBuffer(4)) : undefined;
    const inst = { worker, threads: 0, active: 0, dead: false, stop: null, scratch: new Scratch({ shared: this.sharedScratch }), callWord };
    const ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new HostError({ message: `the host worker did not start within ${this.startTimeoutMs} ms`, code: 'HOST_TIMEOUT' })), this.startTimeoutMs);
      inst.stop = (e) => { clearTimeout(timer); reject(e); };
      // Anything that throws here must clear the timer (inst.stop): an armed one keeps Node alive.
      try {
        worker.on((msg) => {
          if (msg.type === 'ready') { clearTimeout(timer); inst.stop = null; resolve(msg); }
          else if (msg.type === 'init-error') inst.stop?.(new HostError({ ...msg.error, code: msg.error.code ?? 'HOST_START_FAILED' }));
          else this.dispatch(msg);
        });
        worker.onError((e) => {
          // Our own terminate() of an old or superseded instance also lands here
          // (Node's 'exit'): only a death nobody asked for fails calls.
          if (inst.dead) return;
          inst.dead = true;
          if (inst.stop) { inst.stop(new HostError({ message: `the host worker died while starting: ${messageOf(e)}`, code: 'HOST_DIED' })); return; }
          if (this.instances.includes(inst)) this.breakDown('HOST_DIED', `a host worker died: ${messageOf(e)}`);
        });
        worker.post({ type: 'init', glueUrl, threads, callWord });
      } catch (e) {
        inst.stop(new HostError({ message: `the host worker could not be started: ${messageOf(e)}`, code: 'HOST_START_FAILED' }));
      }
    });
    // A newer start (recreate) kills this one's workers: stop waiting at once.
    const watch = setInterval(() => { if (gen !== this.generation) inst.stop?.(superseded()); }, 20);
    try {
      const msg = await ready;
      Object.assign(inst, { threads: msg.threads, memory: msg.memory, progressAddr: msg.progress, crashAddr: msg.crash, cancelAddr: msg.cancel });
      inst.declarations = moduleDeclarations(msg.declarations);
      inst.exportNames = Array.isArray(msg.exports) ? msg.exports.filter((n) => typeof n === 'string') : [];
    } catch (e) {
      this.kill(inst);
      throw e;
    } finally {
      clearInterval(watch);
    }
    worker.unref();
    return inst;
  }

  kill(inst) {
    inst.dead = true;
    inst.scratch.clear();
    inst.worker.terminate();
  }

  dispatch(msg) {
    const call = this.pending.get(msg.id);
    // (No entry: the call was settled already — abandoned by its onProgress, terminated: a late message.)
    if (!call) return;
    if (msg.type === 'progress') { call.onProgress?.(msg.done, msg.total); return; }
    // A trap (panic=abort, unreachable, out of bounds) poisons the instance for good.
    // The worker tells (instanceof WebAssembly.RuntimeError): a JS error's name proves nothing.
    if (msg.type === 'error' && msg.error.trap) { this.breakDown('POOL_BROKEN', msg.error.message); return; }
    // Threads: the counter's final value, which the polling may have missed (a short call).
    if (msg.type === 'result' && msg.progress) {
      this.report(call, msg.progress[0], msg.progress[1]);
      if (!this.pending.has(msg.id)) return; // its onProgress threw: rejected
    }
    this.settle(msg.id);
    if (msg.type === 'result') call.resolve(msg);
    else call.reject(new HostError(msg.error));
  }

  /** Threads: reports [done, total] to the call unless it is what it last saw. */
  report(call, done, total) {
    if (!call.onProgress || (call.last[0] === done && call.last[1] === total)) return;
    call.last = [done, total];
    call.onProgress(done, total);
  }

  settle(id) {
    const call = this.pending.get(id);
    this.pending.delete(id);
    if (call && --call.inst.active === 0) call.inst.worker.unref();
  }

  /** Rejects every pending entry of `job` (a split call has one per part). */
  abandon(job, err) {
    for (const [id, call] of [...this.pending]) {
      if (call.job !== job) continue;
      this.settle(id);
      call.reject(err);
    }
  }

  failAll(err) {
    for (const id of [...this.pending.keys()]) {
      const call = this.pending.get(id);
      this.settle(id);
      call.reject(err);
    }
  }

  /**
   * Calls export `name` with `args` in the host worker(s). `transfer` lists
   * ArrayBuffers to move instead of copy; `onProgress(done, total)` is called
   * while the call runs if the module reports progress. Always settles: with
   * the result, the module's coded error, or a host error (HostErrorCode).
   */
  call(name, args = [], options) {
    let job;
    try {
      job = this.prepare(name, args, options);
    } catch (e) {
      return Promise.reject(e);
    }
    if (!job.signal) return this.begin(job);
    if (job.signal.aborted) return Promise.reject(abortError(job));
    // The caller's promise settles at the abort (this.abort), whatever the work does then.
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(this.abort(job));
      job.signal.addEventListener('abort', onAbort, { once: true });
      this.begin(job).then(resolve, reject).finally(() => job.signal.removeEventListener('abort', onAbort));
    });
  }

  /**
   * A call's AbortSignal fired: every part still pending rejects with ABORTED (a late
   * result is ignored, nothing is written into the caller's arrays), a queued call is
   * never sent, and a module that can stop a call (threads, `rayonWebCallRecord`) is
   * asked to: its batch skips what it has not started. Anything else runs to its end
   * in the worker, result dropped (see README: host.recreate() stops everything).
   */
  abort(job) {
    const err = abortError(job);
    job.aborted = err;
    // Threads: the flag, then the running call's id (host-worker.js, "Abort", says why in this order).
    for (const [id, call] of this.pending) {
      if (call.job !== job || !call.abortFlag) continue;
      Atomics.store(call.abortFlag, 0, 1);
      const inst = call.inst;
      if (inst.cancelAddr !== undefined && Atomics.load(inst.callWord, 0) === id) {
        Atomics.store(new Uint32Array(inst.memory.buffer, inst.cancelAddr, 2), 1, id);
      }
    }
    this.abandon(job, err);
    return err;
  }

  /** Runs `job` now, or queues it while the host starts. */
  begin(job) {
    const { name } = job;
    if (this.starting) {
      // Take the arguments now (the caller may reuse them; transfers detach now),
      // send them once the new instance is ready.
      let snapshot;
      try { snapshot = checkSendable(name, job.args, job.transfer); } catch (e) { return Promise.reject(e); }
      job.args = snapshot.args;
      job.transfer = snapshot.transfer;
      return this.afterStart(this.epoch).then(() => this.run(job));
    }
    return this.run(job);
  }

  /**
   * Waits for the latest start (a recreate during a start supersedes it: its
   * outcome is ours). A terminate() since `epoch` ends the wait with
   * HOST_TERMINATED, even if a recreate() followed it: terminate cancels what
   * was waiting.
   */
  async afterStart(epoch) {
    for (;;) {
      if (this.epoch !== epoch) throw terminated('the host was terminated while it started');
      const s = this.starting;
      // (The newest start failed after the one awaited was superseded: its error is ours.)
      if (!s) { if (this.startError) throw this.startError; return; }
      try {
        await s;
      } catch (e) {
        if (this.epoch !== epoch) continue; // says so above
        if ((this.starting && this.starting !== s) || e.code === 'HOST_SUPERSEDED') continue;
        throw e.code ? e : new HostError({ message: `the host could not start: ${messageOf(e)}`, code: 'HOST_START_FAILED' });
      }
    }
  }

  prepare(name, args, options) {
    const { transfer = [], onProgress, signal } = readOptions(options, `${typeof name === 'string' ? name : 'call'}: the call's options`, CALL_OPTIONS, invalid);
    if (signal !== undefined && !isAbortSignal(signal)) throw invalid(`${typeof name === 'string' ? name : 'call'}: options.signal must be an AbortSignal (new AbortController().signal), got ${describe(signal)}`);
    if (typeof name !== 'string') throw invalid(`the export name must be a string, got ${typeName(name)}`);
    if (!Array.isArray(args)) throw invalid(`${name}: args must be an array of arguments, got ${typeName(args)}`);
    if (!Array.isArray(transfer)) throw invalid(`${name}: options.transfer must be an array, got ${typeName(transfer)}`);
    if (onProgress !== undefined && typeof onProgress !== 'function') throw invalid(`${name}: options.onProgress must be a function, got ${typeName(onProgress)}`);
    for (let i = 0; i < args.length; i++) {
      const found = classInstancePath(args[i], `args[${i}]`);
      if (found) {
        throw invalid(`${name}: ${found.path} is ${describe(found.value)}, a class instance: the copy sent to the worker keeps only its own data properties — not its getters, methods or private fields — so the module would see other values; pass a plain object with the values instead`);
      }
    }
    // callerTransfer: what the caller listed (a queued call's `transfer` becomes the clone's).
    const job = { name, args, callerArgs: args, transfer, callerTransfer: transfer, onProgress: undefined, decl: null, outputs: [], signal, aborted: null };
    // Every path reports progress through this: a throwing callback (a bug in the
    // caller's progress bar) must neither escape into the worker's message listener
    // (Node ends the process) nor leave the call unsettled. It rejects the call —
    // all its parts — and is not called again.
    if (onProgress) {
      job.onProgress = (done, total) => {
        if (job.progressFailed) return;
        try {
          onProgress(done, total);
        } catch (e) {
          job.progressFailed = true;
          this.abandon(job, invalid(`${name}: options.onProgress threw: ${messageOf(e)} (the call was abandoned and its result dropped; fix the callback)`));
        }
      };
    }
    // Before the first start completes the module's own declarations are not known
    // yet: run() looks again (a queued call is checked there).
    this.declare(job);
    return job;
  }

  /**
   * Sets the job's declaration — the caller's, else the module's own (every
   * instance loads the same module) — and its output arguments (the caller's
   * arrays the results are written back into).
   */
  declare(job) {
    const { name, callerArgs: args, callerTransfer: transfer } = job;
    // While a recreate() starts, the last instances' (the same module's): a queued call's
    // output in `transfer` is refused before its clone detaches the caller's array.
    const own = this.instances[0]?.declarations ?? this.moduleDeclarations ?? {};
    job.decl = Object.hasOwn(this.declarations, name) ? this.declarations[name] : Object.hasOwn(own, name) ? own[name] : null;
    job.outputs = (job.decl?.outputs ?? []).filter((i) => i < args.length && ArrayBuffer.isView(args[i])).map((i) => [i, args[i]]);
    for (const [i, o] of job.outputs) {
      if (transfer.includes(o.buffer)) throw invalid(`${name}: argument ${i} is an output (its values are written back into it) and cannot be in the transfer list`);
    }
  }

  run(job) {
    if (job.aborted) return Promise.reject(job.aborted);
    if (this.broken) return Promise.reject(this.brokenError());
    if (this.instances.length === 0) {
      const e = this.startError;
      return Promise.reject(terminated(e
        ? `the host has no instance: the last recreate() failed (${e.code ?? e.name}: ${messageOf(e)}); call recreate() again`
        : 'the host is terminated; call recreate() first'));
    }
    // Again: a queued call's module may have declarations that were not known yet.
    try { this.declare(job); } catch (e) { return Promise.reject(e); }
    job.started = now();
    // Part outputs come from the scratch of the shard that fills them (scratch.js).
    const alloc = (i, Ctor, length) => this.instances[i].scratch.take(Ctor, length);
    let parts = null;
    if (this.mode === 'shards' && this.instances.length > 1 && job.decl?.split) {
      try {
        parts = job.decl.split(job.args, this.instances.length, this.shardMinWork, alloc);
      } catch (e) {
        // A data declaration's split cannot read these arguments (a detached array, a
        // throwing getter): the module sees them unsplit and answers with its own code,
        // as the single build would. A code declaration's split that throws is a bug in it.
        if (!job.decl.declarative) return Promise.reject(invalid(`${job.name}: the declaration's split threw: ${e?.message ?? e}`));
      }
      const bad = parts && badParts(parts, this.instances.length);
      if (bad) return Promise.reject(invalid(`${job.name}: the declaration's split ${bad}`));
    }
    if (!parts || parts.length < 2) {
      const inst = this.instances[0];
      const [args, transfer] = outputsFor(job, inst);
      return this.send(inst, job, args, transfer, job.onProgress, job.outputs.map(([i]) => i), watchedArgs(job)).then((r) => {
        writeBack(job.callerArgs, r.written);
        // Output arguments: the worker's filled buffers go into the caller's arrays, then back to the scratch.
        job.outputs.forEach(([i, orig], k) => {
          // Shared memory went to the worker as itself and is already filled: no copy onto itself.
          if (!isShared(orig.buffer) && !isDetached(orig.buffer)) orig.set(r.outputs[k]);
          if (args[i] !== orig) inst.scratch.keep(args[i], r.outputs[k]);
        });
        return r.value;
      });
    }
    return this.runParts(job, parts);
  }

  /** A split call: one part per shard, progress summed, results joined in order; the first failure rejects. */
  async runParts(job, parts) {
    const progress = parts.map(() => null);
    const report = job.onProgress && (() => {
      if (progress.some((p) => p === null)) return;
      job.onProgress(progress.reduce((a, p) => a + p[0], 0), progress.reduce((a, p) => a + p[1], 0));
    });
    const outIdx = job.decl.outputs ?? [];
    // The caller's transfers go with the last part (posted last); the others get copies.
    // Per part, the argument indices the worker hands back filled (its `outputs`, in order).
    const partOutputs = parts.map((p) => outIdx.filter((k) => k < p.args.length && ArrayBuffer.isView(p.args[k])));
    const sends = parts.map((p, i) => this.send(
      this.instances[i], job, p.args,
      // (A part's shared output — alloc's scratch where shared memory can be posted — is sent by reference.)
      [...(p.transfer ?? []).filter((b) => !isShared(b)), ...(i === parts.length - 1 ? job.transfer : [])],
      report && ((done, total) => { progress[i] = [done, total]; report(); }),
      partOutputs[i],
    ));
    const posted = now();
    // Every part settles; a failure rejects with the first failing part's error in
    // part order (deterministic, and what the unsplit call would meet first).
    const settledParts = await Promise.allSettled(sends);
    const failedAt = settledParts.findIndex((r) => r.status === 'rejected');
    if (failedAt >= 0) {
      const reason = settledParts[failedAt].reason;
      // A part's error may name something by the part's own numbering (a series index): say it as the whole call would.
      throw job.decl.rebaseError ? job.decl.rebaseError(reason, parts[failedAt]) : reason;
    }
    const results = settledParts.map((r) => r.value);
    const joinStart = now();
    let value;
    try {
      value = job.decl.join(results.map((r) => r.value), job.callerArgs, parts, results.map((r) => r.outputs));
    } catch (e) {
      // A data declaration's join refuses a result over its `maxOutputBytes` with the
      // module's own code (split.js); anything else a join throws is a bug in it.
      if (job.decl.declarative && e?.code === 'OUTPUT_TOO_LARGE') throw new HostError({ name: 'RangeError', message: `${job.name}: ${e.message}`, code: e.code });
      throw invalid(`${job.name}: the declaration's join threw: ${e?.message ?? e}`);
    }
    // The parts' filled output buffers were copied by the join: keep them for the next call.
    results.forEach((r, i) => (r.outputs ?? []).forEach((o, k) => {
      if (ArrayBuffer.isView(o)) this.instances[i]?.scratch.keep(parts[i].args[partOutputs[i][k]], o);
    }));
    // Diagnostics of the last split call (tests/bench/shards.mjs reports the overhead from them).
    this.lastSplit = {
      parts: parts.length, splitAndPostMs: posted - job.started, joinMs: now() - joinStart,
      computeMs: results.map((r) => r.ms), wallMs: now() - job.started,
    };
    return value;
  }

  /** Posts one call (or part of `job`) to one instance; the pending entry is removed on every path. */
  send(inst, job, args, transfer, onProgress, outputs, watched = []) {
    const { name } = job;
    const id = this.nextId++;
    // last: the [done, total] reported (threads; the worker resets the counter to [0, 0]).
    // Threads, a call that may be aborted: a flag the worker reads before running it.
    const abortFlag = job.signal && inst.callWord ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
    const promise = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, onProgress, inst, job, last: [0, 0], abortFlag }));
    if (inst.active++ === 0) inst.worker.ref();
    try {
      checkDetached(name, transfer);
      inst.worker.post({ type: 'call', id, name, args, outputs, watched, abort: abortFlag }, transfer);
    } catch (e) {
      const call = this.pending.get(id);
      this.settle(id);
      let err = e;
      if (!(e instanceof HostError)) {
        try { checkSendable(name, args, []); err = invalid(`${name}: the transfer list cannot be used: ${e.message}`); } catch (named) { err = named; }
      }
      call.reject(err);
      return promise;
    }
    if (this.mode === 'threads' && inst.memory) {
      // (Unreadable shared memory is the module's fault: the instance cannot be trusted.)
      this.watch(id, inst).catch((e) => this.breakDown('POOL_BROKEN', `its progress counter or crash record cannot be read: ${messageOf(e)}`));
    }
    return promise;
  }

  // With threads the host worker is blocked inside the call; progress counters
  // and the crash record live in shared memory, so read them from here every
  // frame until the call settles. The module has one counter for all calls: it
  // is this call's only while the worker's call word holds its id (the worker
  // resets the counter, then stores the id; after the call it reads the final
  // value, then stores 0). Read between two loads of the word that both give the
  // id, the counter is this call's: ids are never reused, so the word cannot
  // leave the id and come back to it.
  async watch(id, inst) {
    const call = this.pending.get(id);
    const word = inst.callWord;
    while (this.pending.has(id)) {
      if (inst.crashAddr !== undefined) {
        const crash = crashMessage(inst.memory, inst.crashAddr);
        if (crash !== null) { this.breakDown('POOL_BROKEN', crash); return; }
      }
      if (call.onProgress && inst.progressAddr !== undefined && word && Atomics.load(word, 0) === id) {
        const view = new Uint32Array(inst.memory.buffer, inst.progressAddr, 2);
        const done = Atomics.load(view, 0);
        const total = Atomics.load(view, 1);
        if (Atomics.load(word, 0) === id) this.report(call, done, total);
      }
      await nextFrame();
    }
  }

  /** An instance died or trapped: end every instance, reject what is pending and all later calls. */
  breakDown(code, message) {
    this.broken = { code, message };
    const err = this.brokenError();
    this.instances.forEach((i) => this.kill(i));
    this.failAll(err);
  }

  brokenError() {
    const { code, message } = this.broken;
    return new HostError({
      name: 'RayonWebError',
      code,
      message: code === 'POOL_BROKEN'
        ? `rayon-web: the module instance is broken (${message}); every call on it fails. Call host.recreate() to terminate its workers and start a fresh instance.`
        : `rayon-web-host: ${message}; every call fails until host.recreate() starts a fresh instance.`,
    });
  }

  /**
   * Every export of the module as an async function: `await host.exports.alma(prices)`.
   * Except the names JavaScript itself looks up and calls on any object (IMPLICIT):
   * `return host.exports` from an async function or `await` it made the engine call
   * `exports.then(resolve, reject)` — a call of an export `then` with two functions,
   * rejected with nobody to catch it (Node ended the process) — and `JSON.stringify`
   * or string concatenation did the same with `toJSON` / `valueOf`. Those resolve as on
   * a plain object; an export with such a name is reachable with `host.call(name, args)`.
   * Any other name is a function (a call of a name the module lacks rejects with
   * NO_SUCH_EXPORT), but `in`, `Object.keys` and `hasOwnProperty` tell the module's
   * callable exports once an instance runs (none before), so features can be detected:
   * `if ('almaBatchMany' in host.exports)`.
   */
  get exports() {
    const names = () => this.instances[0]?.exportNames ?? [];
    const listed = (name) => typeof name === 'string' && !IMPLICIT.has(name) && names().includes(name);
    const fn = (name) => (...args) => this.call(name, args);
    return new Proxy({}, {
      get: (target, name) => (typeof name === 'string' && !IMPLICIT.has(name) ? fn(name) : Reflect.get(target, name)),
      has: (target, name) => listed(name) || Reflect.has(target, name),
      ownKeys: () => names().filter((n) => !IMPLICIT.has(n)),
      getOwnPropertyDescriptor: (target, name) => (listed(name) ? { value: fn(name), writable: false, enumerable: true, configurable: true } : undefined),
    });
  }

  /**
   * Terminates every worker the instance(s) own and starts fresh ones (calls in
   * flight reject with HOST_TERMINATED; calls made from now on wait for the new
   * instances). Options change the pool size, shard count or mode.
   */
  async recreate(options) {
    const { threads, shards, mode, forceSingle } = readOptions(options, "recreate's options", RECREATE_OPTIONS, invalid);
    const asked = modeOption(mode, forceSingle, "recreate's options");
    this.configure({ threads, shards, mode: asked ?? (forceSingle === false && this.requestedMode === 'single' ? 'auto' : this.requestedMode) });
    const epoch = this.epoch;
    this.stopInstances('the host was recreated while this call ran');
    this.start();
    // Superseded by a later recreate(): its outcome is ours; cut off by terminate(): HOST_TERMINATED.
    await this.afterStart(epoch);
    return this;
  }

  /** Ends the instances; what described them (mode, reason, threads, shards) no longer applies. */
  stopInstances(why) {
    const old = this.instances;
    this.instances = [];
    Object.assign(this, { mode: null, reason: null, threads: 0, shards: 0 });
    old.forEach((i) => this.kill(i));
    this.failAll(terminated(why));
  }

  /**
   * Ends every instance: pending and later calls reject with HOST_TERMINATED; a
   * start in progress is abandoned, and what waited for it (queued calls, the
   * recreate() that started it) rejects with HOST_TERMINATED too.
   */
  terminate() {
    this.generation++;
    this.epoch++;
    this.starting = null;
    this.startError = null;
    this.stopInstances('the host was terminated');
  }
}

/**
 * What is wrong with a code declaration's split result (an array of at most `n`
 * parts, each with an `args` array and, if any, a `transfer` array), or null.
 * Checked before anything is sent: a part past the last shard has no instance,
 * and a failure halfway through the sends would leave the earlier parts pending.
 */
function badParts(parts, n) {
  try {
    if (!Array.isArray(parts)) return `returned ${describe(parts)}: it must return an array of parts { args, transfer? } (or null, not to split)`;
    if (parts.length > n) return `returned ${parts.length} parts for ${n} shards: it gets the shard count (its second argument) and must return at most that many`;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (!p || typeof p !== 'object' || !Array.isArray(p.args)) return `returned a part ${i} without an args array: each part is { args: [...], transfer? }`;
      if (p.transfer !== undefined && !Array.isArray(p.transfer)) return `returned a part ${i} whose transfer is ${describe(p.transfer)}, not an array`;
    }
    return null;
  } catch (e) {
    return `returned parts that cannot be read: ${messageOf(e)}`;
  }
}

export { detectThreads, chooseMode, reportedCores, MODES, DEFAULT_SHARD_MIN_WORK };
export { ALMA_DECLARATIONS, balance, concatRows, compileDeclaration, isDetached } from './split.js';
