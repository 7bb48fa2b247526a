"""The moving parts: inbound queue, workers, outbox sender, rate limits, scheduler."""
