// Type declarations of rayon-web-host/isolate (isolate.js).

export interface IsolationResult {
  /** Whether the page is cross-origin isolated now. */
  isolated: boolean;
  /** Why (or why not), in words. */
  reason: string;
}

/**
 * Registers the self-isolation service worker (`isolation-sw.js`, copied next to the page)
 * and reloads the page once so its responses carry COOP/COEP. Resolves at once when the page
 * is already isolated; stays pending while the page reloads.
 */
export function selfIsolate(options?: {
  /** URL of isolation-sw.js. Default './isolation-sw.js'. */
  url?: string | URL;
  /** COEP value the worker adds. Default 'require-corp'. */
  coep?: 'require-corp' | 'credentialless';
  /** Registration scope (default: the worker's folder). */
  scope?: string;
  /** false: register only; the next load is isolated. Default true. */
  reload?: boolean;
}): Promise<IsolationResult>;

/** Unregisters this origin's isolation service worker(s); resolves with how many. */
export function removeSelfIsolation(): Promise<number>;
