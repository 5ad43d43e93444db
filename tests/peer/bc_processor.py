"""The parts of the peer that make odatapy's in-memory service answer like
Business Central where the SDK's end-to-end tests need it.

Each adjustment is small and names the gap it fills:

* contained collections (``companies(id)/customers``) have no
  ``NavigationPropertyBinding`` in BC's $metadata, so they are stored in the
  top-level entity set of the same name, which BC v2.0 declares for each of
  them;
* BC assigns ``id`` GUIDs and a few document fields itself, so a create
  without them is completed here instead of being refused;
* bound actions such as ``Microsoft.NAV.post`` are implemented for sales
  invoices (Draft -> Open, 204; 400 once posted);
* odatapy 5.3.0 stores enum values read from JSON as integers while its
  ``$filter`` evaluator compares member names, so nothing matched a filter on
  an enum; values are stored by name instead;
* writes stamp ``lastModifiedDateTime`` and are reported to the webhook hub
  (``bc_changes``).
"""

from __future__ import annotations

import json
import threading
import uuid

from odatapy.data import ValueType
from odatapy.server.deserializer import json_deserializer
from odatapy.server.inmemory import InMemoryProcessor
from odatapy.server.processor import ActionProcessor, CustomETagSupport

from bc_changes import ChangeStamping
from bc_clock import Clock


def store_enums_by_name() -> None:
    """Work around the enum storage bug described in the module docstring."""
    deserializer = json_deserializer.ODataJsonDeserializer
    read_as_number = deserializer._enum

    def read_as_name(enum_type, raw, name):
        return enum_type.format_value(read_as_number(enum_type, raw, name))

    deserializer._enum = staticmethod(read_as_name)


class EveryEntityHasAnETag(CustomETagSupport):
    """BC sends ``@odata.etag`` with every entity and checks ``If-Match`` on writes."""

    def has_etag(self, entity_set_or_singleton) -> bool:
        return True


class ActionError(Exception):
    """An action refused with a BC-style OData error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class BusinessCentralProcessor(ChangeStamping, InMemoryProcessor, ActionProcessor):
    """odatapy's in-memory processor with the BC behaviour listed above."""

    def __init__(self, store, page_size, clock=None):
        super().__init__(store, page_size=page_size)
        self.setup_change_stamping(clock or Clock())
        # The entity a new row is being created under (the company for
        # `companies(id)/salesInvoices`, the invoice for its lines), per
        # request thread, innermost last.
        self._parents = threading.local()

    # --- containment -------------------------------------------------
    def _nav_target_set(self, owner_set, nav_name):
        bound = super()._nav_target_set(owner_set, nav_name)
        if bound is not None:
            return bound
        return self.service_metadata.edm.get_entity_set(nav_name)

    # --- values BC fills in on create ----------------------------------
    def _parent_stack(self) -> list:
        if not hasattr(self._parents, "stack"):
            self._parents.stack = []
        return self._parents.stack

    def create_entity(self, request, response, uri_info, request_ct, response_ct):
        with self.lock:
            owner = self._resolve(request, uri_info, for_write=True).owner
            self._parent_stack().append(owner)
            try:
                super().create_entity(request, response, uri_info, request_ct, response_ct)
            finally:
                self._parent_stack().pop()

    def _process_deep_insert(self, request, entity_set, entity, owner=None):
        self._parent_stack().append(owner if owner is not None else entity)
        try:
            super()._process_deep_insert(request, entity_set, entity, owner)
        finally:
            self._parent_stack().pop()

    def _assign_keys(self, entity_set, entity):
        entity_type = entity_set.entity_type
        keys = entity_type.key_predicate_names
        if len(keys) == 1 and entity.get_value(keys[0]) is None:
            key_property = entity_type.get_structural_property(keys[0])
            if key_property is not None and key_property.type_fqn == "Edm.Guid":
                entity.set_property(keys[0], uuid.uuid4(), ValueType.PRIMITIVE, "Edm.Guid")
        stack = self._parent_stack()
        parent = stack[-1] if stack else None
        fill = _DEFAULTS_ON_CREATE.get(entity_set.name)
        if fill is not None:
            fill(self, entity, parent)
        super()._assign_keys(entity_set, entity)

    def _siblings(self, set_name: str, field: str, parent) -> list:
        if parent is None:
            return []
        parent_id = parent.get_value("id")
        return [e for e in self.store.entities(set_name) if e.get_value(field) == parent_id]

    # --- bound actions -------------------------------------------------
    def process_action(self, request, response, uri_info, request_ct, response_ct):
        with self.lock:
            parts = list(uri_info.resource_parts)
            action = parts[-1]
            name = getattr(getattr(action, "action", None), "name", None) or str(action)
            target = self._walk(request, parts[:-1], for_write=True)
            entity = target.entity
            try:
                if entity is None:
                    raise ActionError(404, "BadRequest_NotFound", "The record does not exist.")
                implementation = _ACTIONS.get((target.entity_set.name, name))
                if implementation is None:
                    raise ActionError(
                        501,
                        "BadRequest_MethodNotImplemented",
                        f"The peer does not implement {name} on {target.entity_set.name}.",
                    )
                implementation(entity)
            except ActionError as refused:
                response.status_code = refused.status
                response.set_header("Content-Type", "application/json")
                body = {"error": {"code": refused.code, "message": refused.message}}
                response.content = json.dumps(body).encode()
                return
            self._bump_etag(target.entity_set, entity)
            response.status_code = 204

    def process_action_void(self, request, response, uri_info, request_ct):
        self.process_action(request, response, uri_info, request_ct, None)


def _set_if_absent(entity, name: str, value, edm_type: str) -> None:
    if entity.get_value(name) is None:
        entity.set_property(name, value, ValueType.PRIMITIVE, edm_type)


def _new_sales_invoice(processor, invoice, company) -> None:
    _set_if_absent(invoice, "status", "Draft", "Microsoft.NAV.invoiceEntityAggregateStatus")
    taken = len(processor.store.entities("salesInvoices"))
    _set_if_absent(invoice, "number", f"S-INV-{2001 + taken}", "Edm.String")
    customer_number = invoice.get_value("customerNumber")
    if customer_number is not None:
        _set_if_absent(invoice, "billToCustomerNumber", customer_number, "Edm.String")


def _new_sales_invoice_line(processor, line, invoice) -> None:
    if invoice is None:
        return
    _set_if_absent(line, "documentId", invoice.get_value("id"), "Edm.Guid")
    count = len(processor._siblings("salesInvoiceLines", "documentId", invoice))
    _set_if_absent(line, "sequence", 10000 * (count + 1), "Edm.Int32")


def _new_customer_payment(processor, payment, journal) -> None:
    if journal is None:
        return
    _set_if_absent(payment, "journalId", journal.get_value("id"), "Edm.Guid")
    count = len(processor._siblings("customerPayments", "journalId", journal))
    _set_if_absent(payment, "lineNumber", 10000 * (count + 1), "Edm.Int32")


_DEFAULTS_ON_CREATE = {
    "salesInvoices": _new_sales_invoice,
    "salesInvoiceLines": _new_sales_invoice_line,
    "customerPayments": _new_customer_payment,
}


def _post_sales_invoice(invoice) -> None:
    """BC posts a draft invoice; a posted one cannot be posted again."""
    if invoice.get_value("status") != "Draft":
        raise ActionError(
            400,
            "Application_DialogException",
            f"Sales invoice {invoice.get_value('number')} is already posted.",
        )
    invoice.get_property("status").value = "Open"


_ACTIONS = {
    ("salesInvoices", "post"): _post_sales_invoice,
}
