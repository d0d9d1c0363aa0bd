// Type declarations of outputs.js: arrays an export writes into (internal to rayon-web-host).
import type { Scratch } from './scratch.js';

/** A call's arguments, its declared outputs as `[index, the caller's array]`, its transfer list. */
interface Job { args: unknown[]; outputs: [number, ArrayBufferView][]; transfer: Transferable[]; decl: unknown }

/** The arguments and transfer list of an unsplit call, declared outputs replaced by scratch buffers. */
export declare function outputsFor(job: Job, inst: { scratch: Scratch }): [unknown[], Transferable[]];
/** Indices of the arguments of an undeclared call the worker watches for writes. */
export declare function watchedArgs(job: Job): number[];
/** Copies the values the worker found written (`[index, value]`) into the caller's arguments. */
export declare function writeBack(args: unknown[], written?: [number, ArrayBufferView | ArrayBuffer][]): void;
