"""Client of the identity service: every call made for a person carries their access token and origin."""
import json
from dataclasses import dataclass

import grpc
from google.protobuf.json_format import MessageToDict

from jefacture import grpc_kit
from jefacture.api.v1 import identity_pb2 as pb
from jefacture.api.v1 import identity_pb2_grpc

from ..domain.errors import AlreadyExists, InvalidInput
from .grpc_errors import translate


@dataclass(frozen=True)
class Caller:
    """The person asking: their bearer token (may be empty) and where the request came from."""
    token: str = ""
    address: str = ""
    user_agent: str = ""

    def metadata(self) -> list[tuple[str, str]]:
        pairs = [("jefacture-client-address", self.address), ("jefacture-client-agent", self.user_agent[:200])]
        if self.token:
            pairs.append(("authorization", f"Bearer {self.token}"))
        return [(key, value) for key, value in pairs if value.isascii()]


def as_dict(message) -> dict:
    return MessageToDict(message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)


class IdentityClient:
    def __init__(self, channel: grpc.Channel, timeout: float):
        self.stub = identity_pb2_grpc.IdentityStub(channel)
        self.timeout = timeout

    def call(self, method: str, caller: Caller, **fields):
        """identity's `method` with a request built from `fields`; its errors become the gateway's."""
        stub_method = getattr(self.stub, method)
        request = getattr(pb, _request_type(method))(**fields)
        try:
            return stub_method(request, metadata=caller.metadata(), timeout=self.timeout)
        except grpc.RpcError as error:
            trailing = dict(error.trailing_metadata() or ())
            if error.code() == grpc.StatusCode.ALREADY_EXISTS:
                existing = trailing.get(grpc_kit.EXISTING_DOSSIER_KEY, "")
                raise AlreadyExists(error.details(), {"dossier_id": existing}) from None
            if error.code() == grpc.StatusCode.INVALID_ARGUMENT and grpc_kit.PROBLEMS_KEY in trailing:
                raise InvalidInput(error.details(), json.loads(trailing[grpc_kit.PROBLEMS_KEY])) from None
            raise translate("identity", error) from None

    def authorize(self, caller: Caller, dossier_id: str, permission: str) -> pb.AuthorizeReply:
        return self.call("Authorize", caller, access_token=caller.token, dossier_id=dossier_id,
                         permission=permission)

    def authorize_firm(self, caller: Caller, firm_id: str, permission: str) -> pb.AuthorizeReply:
        """NotFound when the caller cannot see the firm, Forbidden when their role lacks `permission`."""
        return self.call("Authorize", caller, access_token=caller.token, firm_id=firm_id, permission=permission)


def _request_type(method: str) -> str:
    return pb.DESCRIPTOR.services_by_name["Identity"].methods_by_name[method].input_type.name
