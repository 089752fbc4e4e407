"""What every nameko service shares: start-up checks, the outbox relay, reliable consumption, health and metrics."""
import threading
from datetime import datetime, timedelta, timezone

import amqp.exceptions
import kombu
import kombu.exceptions
from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.timer import timer
from nameko.web.handlers import http
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo.errors import PyMongoError
from werkzeug.wrappers import Response

from jefacture import log, metrics, mongo
from jefacture.blobs import FileBlobStore
from jefacture.messaging import Consumption, Publisher, count_pending, flush_outbox
from jefacture.settings import ConfigurationError, PlatformSettings, load

# How long handled event ids are remembered; handlers stay idempotent by document for later repeats.
PROCESSED_EVENTS_KEPT = timedelta(days=30)
# Events younger than this are being published by the writer that committed them (maybe another process).
RELAY_MIN_AGE = timedelta(seconds=3)


def check_broker(amqp_uri: str) -> None:
    connection = kombu.Connection(amqp_uri, connect_timeout=5)
    try:
        connection.ensure_connection(max_retries=2)
    except Exception as error:
        raise ConfigurationError(f"RabbitMQ unreachable at {amqp_uri}: {error}") from None
    finally:
        connection.release()


class Platform(DependencyProvider):
    """Connects a service to its database, the broker and the blob store when the container starts."""

    def __init__(self, outbox_collections: tuple[str, ...] = (), settings_class=PlatformSettings):
        self.outbox_collections = outbox_collections
        self.settings_class = settings_class

    def setup(self):
        self.settings = load(self.settings_class)
        self.service = self.container.service_name
        log.configure(self.service, self.settings.log_level)
        check_broker(self.settings.amqp_uri)
        self.database = mongo.connect(self.settings, self.service)
        self.publisher = Publisher(self.settings.amqp_uri)
        self.consumption = Consumption(self.service, self.database, self.publisher,
                                       self.settings.max_delivery_attempts)
        self.blobs = FileBlobStore(self.settings.blobs_path)
        self._relay_lock = threading.Lock()

    def stop(self):
        self.publisher.close()

    def get_dependency(self, worker_ctx):
        return self

    def consume(self, wire, handler) -> None:
        """Handle the event, then publish what the handler wrote: the outbox documents are keyed by the
        document the event is about (its correlation id); anything else waits for the periodic relay."""
        if envelope := self.consumption.consume(wire, handler):
            self.flush_outbox(document_id=envelope.correlation_id)

    def flush_outbox(self, min_age: timedelta = timedelta(0), document_id: str | None = None) -> int:
        with self._relay_lock:
            return sum(flush_outbox(self.database[name], self.publisher, min_age=min_age, document_id=document_id)
                       for name in self.outbox_collections)

    def measure_outbox(self) -> None:
        pending = sum(count_pending(self.database[name]) for name in self.outbox_collections)
        metrics.OUTBOX_PENDING.labels(self.service).set(pending)

    def is_ready(self) -> bool:
        """Ready once the store answers and every event queue of the service has its consumer: only then
        can a producer publish without its events finding no queue."""
        try:
            self.database.command("ping")
            return all(consumers > 0 for _, consumers in self.queues().values())
        except (PyMongoError, OSError, kombu.exceptions.KombuError, amqp.exceptions.AMQPError):
            return False

    def queues(self) -> dict[str, tuple[int, int]]:
        """Each event queue of the service: (messages waiting, consumers)."""
        names = [entrypoint.queue.name for entrypoint in self.container.entrypoints
                 if isinstance(entrypoint, EventHandler)]
        with kombu.Connection(self.settings.amqp_uri, connect_timeout=2) as connection:
            channel = connection.channel()
            return {name: tuple(channel.queue_declare(queue=name, passive=True))[1:] for name in names}


class ObservableService:
    """Base of the nameko services: /metrics, /healthz, /readyz and the periodic outbox relay."""

    platform = Platform()

    @http("GET", "/metrics")
    def metrics(self, request):
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)

    @http("GET", "/healthz")
    def healthz(self, request):
        return 200, "ok"

    @http("GET", "/readyz")
    def readyz(self, request):
        return (200, "ready") if self.platform.is_ready() else (503, "not ready")

    @timer(interval=1)
    def relay_outbox(self):
        self.platform.flush_outbox(min_age=RELAY_MIN_AGE)

    @timer(interval=15)
    def measure_backlog(self):
        self.platform.measure_outbox()
        for name, (waiting, _) in self.platform.queues().items():
            metrics.QUEUE_DEPTH.labels(self.platform.service, name).set(waiting)

    @timer(interval=3600)
    def forget_old_events(self):
        self.platform.consumption.forget_before(datetime.now(timezone.utc) - PROCESSED_EVENTS_KEPT)
