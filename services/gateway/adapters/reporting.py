"""Client of the reporting service: an invoice's state and history, a dossier's counts."""
from datetime import timezone

import grpc

from jefacture.api.v1 import reporting_pb2, reporting_pb2_grpc

from ..schemas import DossierStats, HistoryEntry, InvoiceView
from .grpc_errors import translate


class ReportingClient:
    def __init__(self, channel: grpc.Channel, timeout: float):
        self.stub = reporting_pb2_grpc.ReportingStub(channel)
        self.timeout = timeout

    def get_invoice(self, document_id: str) -> InvoiceView:
        try:
            reply = self.stub.GetInvoice(reporting_pb2.GetInvoiceRequest(document_id=document_id),
                                         timeout=self.timeout)
        except grpc.RpcError as error:
            raise translate("reporting", error) from None
        return InvoiceView(
            document_id=reply.document_id, dossier_id=reply.dossier_id, direction=reply.direction,
            state=reply.state, filename=reply.filename,
            history=[HistoryEntry(event_type=entry.event_type, event_id=entry.event_id,
                                  occurred_at=entry.occurred_at.ToDatetime(tzinfo=timezone.utc),
                                  producer=entry.producer, detail=entry.detail)
                     for entry in reply.history])

    def get_dossier_stats(self, dossier_id: str) -> DossierStats:
        try:
            reply = self.stub.GetDossierStats(reporting_pb2.GetDossierStatsRequest(dossier_id=dossier_id),
                                              timeout=self.timeout)
        except grpc.RpcError as error:
            raise translate("reporting", error) from None
        return DossierStats(dossier_id=reply.dossier_id, invoices_by_state=dict(reply.invoices_by_state))
