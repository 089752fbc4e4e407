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
DOCUMENTS_READ = Counter("jefacture_documents_read_total", "Documents read by the extraction chain, by the step that "
                         "read them (facturx, cii, ubl, pdf_text, ocr) or unreadable", ["kind"])
PAGES_READ = Counter("jefacture_pages_read_total", "Pages read by the extraction chain", ["kind"])
READ_SECONDS = Histogram("jefacture_read_seconds", "Time to read one document", ["kind"],
                         buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 60, 120))
DELIVERY_ATTEMPTS = Counter("jefacture_delivery_attempts_total", "Routing's delivery attempts by destination kind, "
                            "result and the delivery's status after it", ["destination", "result", "status"])
TASKS_OPENED = Counter("jefacture_tasks_opened_total", "Tasks the anomaly checks opened, by check", ["check"])
INVOICE_DECISIONS = Counter("jefacture_invoice_decisions_total", "Invoices accepted or rejected, by whom",
                            ["outcome", "actor"])
