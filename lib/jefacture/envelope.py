"""The event envelope: building, reading, and the wire encoding (proto3 JSON mapping)."""
import re
import uuid
from datetime import datetime, timezone

from google.protobuf import json_format
from google.protobuf.message import Message

from jefacture.events.v1.envelope_pb2 import Envelope

SCHEMA_VERSION = 1


class MalformedEvent(ValueError):
    """The bytes on the wire are not an envelope this code can read."""


def _payload_field(event_type: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", event_type).lower()


def new_envelope(payload: Message, *, correlation_id: str, producer: str) -> Envelope:
    event_type = payload.DESCRIPTOR.name
    envelope = Envelope(
        event_id=str(uuid.uuid4()),
        type=event_type,
        correlation_id=correlation_id,
        producer=producer,
        schema_version=SCHEMA_VERSION,
    )
    envelope.occurred_at.FromDatetime(datetime.now(timezone.utc))
    getattr(envelope, _payload_field(event_type)).CopyFrom(payload)
    return envelope


def payload_of(envelope: Envelope) -> Message:
    field = envelope.WhichOneof("payload")
    if field is None or field != _payload_field(envelope.type):
        raise MalformedEvent(f"event {envelope.event_id} of type {envelope.type!r} carries payload {field!r}")
    return getattr(envelope, field)


def to_wire(envelope: Envelope) -> dict:
    return json_format.MessageToDict(envelope, preserving_proto_field_name=True)


def from_wire(data: object) -> Envelope:
    if not isinstance(data, dict):
        raise MalformedEvent(f"an event must be a JSON object, got {type(data).__name__}")
    try:
        envelope = json_format.ParseDict(data, Envelope(), ignore_unknown_fields=True)
    except json_format.ParseError as error:
        raise MalformedEvent(f"not an envelope: {error}") from None
    if not envelope.event_id or not envelope.type:
        raise MalformedEvent("an envelope needs an event_id and a type")
    payload_of(envelope)
    return envelope


def occurred_at(envelope: Envelope) -> datetime:
    return envelope.occurred_at.ToDatetime(tzinfo=timezone.utc)
