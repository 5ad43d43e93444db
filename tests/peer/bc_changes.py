"""Writes as Business Central records them: every created or changed row
gets ``lastModifiedDateTime`` from the peer's clock, and every write made
through the API is reported to a listener (the webhook hub) with the
company it belongs to.

odatapy knows nothing of either: it keeps whatever timestamp a row was
created with, so an incremental sync against it would see no change at all.

A mixin for ``BusinessCentralProcessor``; it relies on the parent stack
that class keeps while creating rows (the company for
``companies(id)/customers``, the document for its lines).
"""

from __future__ import annotations

import threading

from odatapy.data import ValueType

LAST_MODIFIED = "lastModifiedDateTime"


class ChangeStamping:
    """Stamps ``lastModifiedDateTime`` and reports writes to ``listener``:
    ``listener.on_write(set_name, entity_id, company_id, change_type, when)``
    with ``change_type`` one of ``created``, ``updated``, ``deleted``."""

    def setup_change_stamping(self, clock, listener=None) -> None:
        self.clock = clock
        self.listener = listener
        # Off while the seed loads: seeded rows keep the timestamps written
        # in the seed file.
        self.stamping = False
        self._companies: set[str] = set()
        self._company_of: dict[str, str] = {}
        self._ownership_lock = threading.Lock()

    def start_stamping(self) -> None:
        self.stamping = True

    # --- which company a row belongs to -----------------------------------
    def _remember_owner(self, set_name: str, entity_id: str, parent) -> str | None:
        with self._ownership_lock:
            if set_name == "companies":
                self._companies.add(entity_id)
                return None
            company = None
            if parent is not None:
                parent_id = str(parent.get_value("id") or "").lower()
                company = parent_id if parent_id in self._companies else self._company_of.get(parent_id)
            if company is None:
                return self._company_of.get(entity_id)
            self._company_of[entity_id] = company
            return company

    def has_company(self, company_id: str) -> bool:
        with self._ownership_lock:
            return company_id.lower() in self._companies

    def company_of(self, entity_id: str) -> str | None:
        with self._ownership_lock:
            return self._company_of.get(entity_id)

    # --- hooks into odatapy ---------------------------------------------
    def _bump_etag(self, entity_set, entity, *, create: bool = False) -> None:
        super()._bump_etag(entity_set, entity, create=create)
        if entity_set is None or entity is None:
            return
        entity_id = str(entity.get_value("id") or "").lower()
        stack = self._parent_stack()
        parent = stack[-1] if stack else None
        if parent is entity:
            parent = stack[-2] if len(stack) > 1 else None
        company = self._remember_owner(entity_set.name, entity_id, parent) if entity_id else None
        if not self.stamping:
            return
        now = self.clock.now()
        if entity_set.entity_type.get_structural_property(LAST_MODIFIED) is not None:
            stamped = entity.get_property(LAST_MODIFIED)
            if stamped is not None:
                stamped.value = now
            else:
                entity.set_property(LAST_MODIFIED, now, ValueType.PRIMITIVE, "Edm.DateTimeOffset")
        if self.listener is not None and entity_id:
            kind = "created" if create else "updated"
            self.listener.on_write(entity_set.name, entity, company, kind, now)

    def delete_entity(self, request, response, uri_info) -> None:
        with self.lock:
            target = self._resolve(request, uri_info, for_write=True)
            entity, entity_set = target.entity, target.entity_set
            super().delete_entity(request, response, uri_info)
            if not self.stamping or self.listener is None or entity is None or entity_set is None:
                return
            entity_id = str(entity.get_value("id") or "").lower()
            if entity_id:
                self.listener.on_write(entity_set.name, entity, self.company_of(entity_id), "deleted", self.clock.now())

    def set_timestamp(self, set_name: str, entity_id: str, moment) -> bool:
        """Overwrites a row's ``lastModifiedDateTime`` without counting it as
        a change (the way BC keeps a blank timestamp on old rows)."""
        with self.lock:
            for entity in self.store.entities(set_name):
                if str(entity.get_value("id") or "").lower() == entity_id.lower():
                    stamped = entity.get_property(LAST_MODIFIED)
                    if stamped is None:
                        entity.set_property(LAST_MODIFIED, moment, ValueType.PRIMITIVE, "Edm.DateTimeOffset")
                    else:
                        stamped.value = moment
                    return True
        return False
