/** Akash time and money units the domain rules are written in. */

/** Mainnet block time the design assumes (≈ 6 s). */
export const BLOCK_SECONDS = 6;
export const BLOCKS_PER_DAY = (24 * 60 * 60) / BLOCK_SECONDS;
/** "Per month" figures use 30 days, like the design notes. */
export const DAYS_PER_MONTH = 30;
export const BLOCKS_PER_MONTH = BLOCKS_PER_DAY * DAYS_PER_MONTH;
/** 1 ACT = 10^6 uact (and 1 AKT = 10^6 uakt). */
export const MICRO_PER_UNIT = 1_000_000;
/** Akash prices deployments in uact since BME (mainnet v2.0.0, March 2026). */
export const PRICE_DENOM = "uact";
export const MS_PER_DAY = 24 * 60 * 60 * 1000;
