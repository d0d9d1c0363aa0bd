// Type declarations of options.js: how rayon-web-host reads its functions'
// options objects (internal to rayon-web-host; not a package export).

/** A TypeError with `code: 'INVALID_ARGUMENT'`. */
export declare function invalidArgument(message: string): TypeError & { code: 'INVALID_ARGUMENT' };

/** A thrown value's message, for error messages; never throws. */
export declare function messageOf(e: unknown): string;

/** What a value is, for error messages; never throws. */
export declare function describe(value: unknown): string;

/**
 * The `known` options of `arg`, each read once (undefined and null values left out);
 * `undefined`/`null` gives `{}`. A non-object, an unknown own key, or a read that
 * throws is `fail(message)` (default: `invalidArgument`).
 */
export declare function readOptions<K extends string>(
  arg: unknown,
  what: string,
  known: readonly K[],
  fail?: (message: string) => Error,
): Partial<Record<K, unknown>>;
