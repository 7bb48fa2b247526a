"""The HTTP face of relaybot: webhooks, web chat, REST, health and metrics."""
