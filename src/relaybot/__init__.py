"""relaybot: one channel-neutral core for messenger bots that do real work."""

__version__ = "0.1.0"
