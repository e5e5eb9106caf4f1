// What test/global-setup.ts provides to the tests (vitest's provide/inject), typed on both sides.
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Google token endpoint and Directory API stand-in (scripts/google-directory-server.ts). */
    googleDirectory: string;
  }
}
