"""reporting's gRPC process: answers the gateway's questions about invoices and dossiers."""
import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from jefacture import grpc_kit, mongo
from jefacture.api.v1 import reporting_pb2, reporting_pb2_grpc
from jefacture.settings import load

from . import handlers
from .adapters.invoices import MongoInvoiceViews
from .settings import ReportingSettings


def _timestamp(value) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


class ReportingServicer(reporting_pb2_grpc.ReportingServicer):
    def __init__(self):
        self.views = MongoInvoiceViews()

    def GetInvoice(self, request, context):
        timeline = handlers.invoice_timeline(request.document_id, views=self.views)
        if timeline is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no invoice {request.document_id!r}")
        history = [reporting_pb2.HistoryEntry(event_type=e["event_type"], event_id=e["event_id"],
                                              occurred_at=_timestamp(e["occurred_at"]), producer=e["producer"],
                                              detail=e["detail"]) for e in timeline.pop("history")]
        return reporting_pb2.InvoiceView(history=history, **timeline)

    def GetDossierStats(self, request, context):
        counts = handlers.dossier_stats(request.dossier_id, views=self.views)
        return reporting_pb2.DossierStats(dossier_id=request.dossier_id, invoices_by_state=counts)


def main() -> None:
    settings = load(ReportingSettings)
    mongo.connect(settings, "reporting")
    grpc_kit.serve("reporting-grpc", settings.reporting_grpc, settings.reporting_metrics_address,
                   lambda server: reporting_pb2_grpc.add_ReportingServicer_to_server(ReportingServicer(), server),
                   settings.log_level,
                   settings.grpc_listen_host)


if __name__ == "__main__":
    main()
