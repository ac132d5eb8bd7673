export { layoutMachineCharts, type MachineChart } from "./chart-layout.js";
export {
  AGENT_CHARTED_MACHINES,
  createLivePage,
  LIVE_PATH,
  LIVE_STATUS_PATH,
  type LivePage,
  type LivePageOptions,
} from "./live-page.js";
