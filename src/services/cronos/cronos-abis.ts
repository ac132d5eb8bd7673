import { Interface } from "ethers";

/** The Uniswap V2 Router02 functions the treasury calls (VVS Finance has the same names and selectors). */
export const routerAbi = new Interface([
  "function getAmountsOut(uint256 amountIn, address[] path) view returns (uint256[] amounts)",
  "function getAmountsIn(uint256 amountOut, address[] path) view returns (uint256[] amounts)",
  "function swapExactETHForTokens(uint256 amountOutMin, address[] path, address to, uint256 deadline) payable returns (uint256[] amounts)",
]);

/** The AKT IBC voucher on Cronos: an ERC-20 whose `send_to_ibc` burns and bridges to Akash. */
export const aktTokenAbi = new Interface([
  "function balanceOf(address owner) view returns (uint256)",
  "function send_to_ibc(string recipient, uint256 amount)",
  "event Transfer(address indexed from, address indexed to, uint256 value)",
  "event __CronosSendToIbc(address sender, string recipient, uint256 amount)",
]);
