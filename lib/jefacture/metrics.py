"""Prometheus metrics shared by every service."""
from prometheus_client import Counter, Gauge, Histogram

EVENTS_CONSUMED = Counter("jefacture_events_consumed_total", "Events handled successfully", ["service", "type"])
EVENTS_SKIPPED = Counter("jefacture_events_duplicate_total", "Events already handled, skipped",
                         ["service", "type"])
EVENTS_FAILED = Counter("jefacture_events_failed_total", "Handler attempts that raised", ["service", "type"])
EVENTS_DEAD_LETTERED = Counter("jefacture_events_dead_lettered_total", "Events sent to the dead-letter queue",
                               ["service", "type"])
EVENTS_PUBLISHED = Counter("jefacture_events_published_total", "Events published with a broker confirm",
                           ["producer", "type"])
HANDLER_SECONDS = Histogram("jefacture_handler_seconds", "Time spent in an event handler", ["service", "type"])
OUTBOX_PENDING = Gauge("jefacture_outbox_pending", "Events written but not yet published", ["producer"])
GRPC_SECONDS = Histogram("jefacture_grpc_seconds", "Time spent answering a gRPC call", ["method", "code"])
QUEUE_DEPTH = Gauge("jefacture_queue_depth", "Events waiting in the service's queue (the lag)", ["service", "queue"])
