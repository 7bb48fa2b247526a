"""Channel-neutral types and the contract between the runtime and the apps."""
