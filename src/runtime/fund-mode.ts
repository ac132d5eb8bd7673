/** How the devnet funds a run: both accounts (default), or only the EVM address (`run --fund cro-only`). */
export const fundModes = ["all", "cro-only"] as const;
export type FundMode = (typeof fundModes)[number];
