export { RelayMetricsSource, type RelayMetricsSourceOptions } from "./relay-metrics-source.js";
