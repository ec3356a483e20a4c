/** Types of bin/malloc-env.mjs (plain JS: it runs before tsx's loader is registered). */
export declare const MALLOC_ENV: Readonly<Record<string, string>>;
export declare function relaunchWithMallocEnv(script: string): boolean;
