"""The one place that builds the Temporal client and its data converter.

Worker, starter, tests and the replayer all call :func:`connect`, so payloads are
always written and read with the same converter.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.client import Client, TLSConfig
from temporalio.contrib.pydantic import PydanticPayloadConverter, pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.runtime import Runtime

from core.case_keys import CaseKeyCodec, CaseKeys
from core.codec import PayloadKeyError, parse_keys
from core.config import Settings, get_settings
from core.validation import describe_validation_error


class FieldNamingPayloadConverter(PydanticPayloadConverter):
    """pydantic payloads; a payload that does not fit its model is refused naming the
    model, the field and the reason (the SDK reports it as the cause of "Failed decoding
    arguments": an Update's caller reads which field was wrong).

    The SDK makes a new payload converter with every data converter it derives: for each
    workflow activation and each activity (its serialization context), and then once more
    when it overwrites it. Its parts keep no state apart from the cache of pydantic type
    adapters, so they are made once per process and shared, the cache with them (#23
    point 5: each construction also built a fresh, empty cache)."""

    _shared: ClassVar[dict[str, Any] | None] = None

    def __init__(self) -> None:
        shared = FieldNamingPayloadConverter._shared
        if shared is None:
            super().__init__()
            FieldNamingPayloadConverter._shared = dict(self.__dict__)
        else:
            self.__dict__.update(shared)

    def from_payloads(self, payloads: Sequence[Payload], type_hints: list[type] | None = None) -> list[Any]:
        try:
            return super().from_payloads(payloads, type_hints)
        except ValidationError as err:
            raise ValueError(f"{err.title}: {describe_validation_error(err)}") from None


CONVERTER = dataclasses.replace(pydantic_data_converter, payload_converter_class=FieldNamingPayloadConverter)


def data_converter(settings: Settings | None = None) -> DataConverter:
    """pydantic payloads; encrypted when payload keys are configured (core/codec.py), and
    then failures too: their messages and stack traces travel as encoded attributes."""
    if settings is None:
        return CONVERTER  # tools that never see a case's payloads (the replayer of recorded histories)
    spec = payload_key_spec(settings)
    if spec is None:
        if settings.allow_plaintext_payloads:
            return CONVERTER
        raise PayloadKeyError(
            "payload_keys: none configured (WC_PAYLOAD_KEY_FILE or WC_PAYLOAD_KEYS): the product does not run "
            "unencrypted; only while migrating old histories: WC_ALLOW_PLAINTEXT_PAYLOADS=true"
        )
    keys, current = parse_keys(spec)
    plaintext = settings.allow_plaintext_payloads
    return dataclasses.replace(
        CONVERTER,
        payload_codec=CaseKeyCodec(keys, current, CaseKeys(settings.database_url, keys, current), plaintext=plaintext),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


def payload_key_spec(settings: Settings) -> str | None:
    """The keys from WC_PAYLOAD_KEYS, else from WC_PAYLOAD_KEY_FILE."""
    if settings.payload_keys is not None:
        return settings.payload_keys.get_secret_value()
    if settings.payload_key_file is not None:
        return settings.payload_key_file.read_text().strip()
    return None


def tls_config(settings: Settings) -> TLSConfig | bool:
    """mTLS to the frontend when a CA or a client certificate is configured, else plain."""
    if settings.temporal_tls_ca_file is None and settings.temporal_tls_cert_file is None:
        return False
    return TLSConfig(
        server_root_ca_cert=settings.temporal_tls_ca_file.read_bytes() if settings.temporal_tls_ca_file else None,
        client_cert=settings.temporal_tls_cert_file.read_bytes() if settings.temporal_tls_cert_file else None,
        client_private_key=settings.temporal_tls_key_file.read_bytes() if settings.temporal_tls_key_file else None,
        domain=settings.temporal_tls_server_name,
    )


async def connect(settings: Settings | None = None, runtime: Runtime | None = None) -> Client:
    """``runtime``: the worker passes one that serves Prometheus metrics."""
    settings = settings or get_settings()
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
        runtime=runtime,
        tls=tls_config(settings),
    )
