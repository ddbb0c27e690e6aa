/** Types for node-version.js, which stays plain JavaScript so that any Node can run it. */
export declare const MINIMUM_NODE_VERSION: string;
export declare function nodeVersionProblem(version: string): string | undefined;
