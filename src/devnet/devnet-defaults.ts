/** The devnet's defaults, in a module of their own so the CLI can show them without loading the devnet. */
export const DEFAULT_BLOCK_TIME_MS = 1000;
export const DEFAULT_PROVIDER_COUNT = 5;
