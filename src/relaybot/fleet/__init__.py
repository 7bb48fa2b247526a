"""Bots as data: defined in `relaybot.toml` or kept in the database and changed while relaybot
runs. `BotManager` validates and records changes; `BotRegistry` is what each process serves."""
