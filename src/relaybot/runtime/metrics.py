"""Prometheus metrics. Labels carry bot and channel names only, never chat ids or secrets."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

UPDATES_RECEIVED = Counter(
    "relaybot_updates_received_total", "Updates stored by the gateway", ["channel", "bot"]
)
UPDATES_DUPLICATE = Counter(
    "relaybot_updates_duplicate_total", "Repeated deliveries answered and dropped", ["bot"]
)
UPDATES_REJECTED = Counter(
    "relaybot_updates_rejected_total", "Webhook calls refused", ["channel", "reason"]
)
UPDATES_THROTTLED = Counter(
    "relaybot_updates_throttled_total",
    "Updates acknowledged and dropped by the inbound flood limits",
    ["channel", "bot"],
)
UPDATES_PROCESSED = Counter(
    "relaybot_updates_processed_total", "Updates handled by workers", ["bot", "outcome"]
)
UPDATES_FAILED = Counter(
    "relaybot_updates_failed_total", "App errors while handling an update", ["bot"]
)
PROCESSING_LATENCY = Histogram(
    "relaybot_update_latency_seconds",
    "From the gateway storing an update to the worker committing its effects",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
MESSAGES_SENT = Counter(
    "relaybot_messages_sent_total", "Outbox deliveries by result", ["channel", "result"]
)
QUEUE_DEPTH = Gauge("relaybot_queue_depth", "Updates stored and not yet processed")
QUEUE_OLDEST_AGE = Gauge("relaybot_queue_oldest_age_seconds", "Age of the oldest pending update")
OUTBOX_PENDING = Gauge("relaybot_outbox_pending", "Messages waiting in the outbox")
DLQ_SIZE = Gauge("relaybot_dlq_size", "Messages in the dead-letter queue")
JOB_RUNS = Counter("relaybot_job_runs_total", "Scheduled job runs by result", ["job", "result"])
CALLS_MADE = Counter(
    "relaybot_calls_total",
    "Attempts at calls to other services by kind and result",
    ["kind", "result"],
)
SLOW_HANDLERS = Counter(
    "relaybot_slow_handlers_total",
    "Handlers that waited longer than slow_handler_seconds on something other than the store",
    ["bot", "app", "handler"],
)
HANDLER_FOREIGN_WAIT = Histogram(
    "relaybot_handler_foreign_wait_seconds",
    "Time a handler spent on anything but relaybot's own store (other services, CPU)",
    buckets=(0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
WORKER_CHATS_IN_HAND = Gauge(
    "relaybot_worker_chats_in_hand", "Chats a worker is handling or has waiting for a slot"
)
WEBHOOK_SECONDS = Histogram(
    "relaybot_webhook_seconds",
    "From a webhook call's first byte read to its answer sent, by channel",
    ["channel"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
PRUNED_ROWS = Counter("relaybot_pruned_rows_total", "Rows removed by retention", ["table"])
PRUNE_BATCH_SECONDS = Histogram(
    "relaybot_prune_batch_seconds",
    "How long one retention batch held its transaction",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1),
)
