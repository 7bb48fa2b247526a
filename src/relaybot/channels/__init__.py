"""Channel adapters, one module each. Only this package knows how a channel speaks."""
