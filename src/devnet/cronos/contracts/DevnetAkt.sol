// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.26;

/// @title AKT on the devnet's Cronos stand-in
/// @notice An ERC-20 with 6 decimals standing for the IBC voucher of AKT on Cronos. The devnet bridge
/// (the only minter) credits it; `send_to_ibc` burns it and emits `__CronosSendToIbc`, which the devnet
/// relayer turns into uakt on the Akash devnet. Written for the akash-agent devnet; holds no real value.
contract DevnetAkt {
    string public constant name = "Akash Network (devnet)";
    string public constant symbol = "AKT";
    uint8 public constant decimals = 6;

    /// @notice The account allowed to mint: the devnet's bridge (the Cronos module on the real chain).
    address public immutable bridge;

    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    /// @notice Same signature as Cronos's CRC20 module contract (no indexed fields).
    event __CronosSendToIbc(address sender, string recipient, uint256 amount);

    error NotBridge(address caller);
    error InsufficientBalance(address account, uint256 balance, uint256 needed);
    error InsufficientAllowance(address owner, address spender, uint256 allowance, uint256 needed);
    error ZeroAddress();

    constructor(address bridge_) {
        if (bridge_ == address(0)) revert ZeroAddress();
        bridge = bridge_;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < amount) revert InsufficientAllowance(from, msg.sender, allowed, amount);
            allowance[from][msg.sender] = allowed - amount;
        }
        _move(from, to, amount);
        return true;
    }

    /// @notice Mints `amount` to `to`: bridge deposits and refunds of failed or timed-out transfers.
    function mint_by_cronos_module(address to, uint256 amount) external {
        if (msg.sender != bridge) revert NotBridge(msg.sender);
        if (to == address(0)) revert ZeroAddress();
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    /// @notice Burns `amount` of the caller's AKT and asks the bridge to send it over IBC to `recipient`.
    function send_to_ibc(string calldata recipient, uint256 amount) external {
        _burn(msg.sender, amount);
        emit __CronosSendToIbc(msg.sender, recipient, amount);
    }

    function _move(address from, address to, uint256 amount) private {
        if (to == address(0)) revert ZeroAddress();
        uint256 balance = balanceOf[from];
        if (balance < amount) revert InsufficientBalance(from, balance, amount);
        unchecked {
            balanceOf[from] = balance - amount;
        }
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }

    function _burn(address from, uint256 amount) private {
        uint256 balance = balanceOf[from];
        if (balance < amount) revert InsufficientBalance(from, balance, amount);
        unchecked {
            balanceOf[from] = balance - amount;
            totalSupply -= amount;
        }
        emit Transfer(from, address(0), amount);
    }
}
