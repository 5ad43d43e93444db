"""The parts of the peer that serve TripPin, the OData v4 reference service
model (``tests/peer/schemas/trippin.xml``), the way the public TripPin
service behaves, for the generated-crate end-to-end test.

Each adjustment names the gap it fills in odatapy 5.3.0:

* contained navigations (``People('x')/Trips``, ``Trips(1)/PlanItems``) have
  no ``NavigationPropertyBinding``, so odatapy finds no entity set to resolve
  a key in; they are given one of their own per navigation;
* the service's functions and actions (``GetFavoriteAirline``,
  ``GetFriendsTrips``, ``GetInvolvedPeople``, ``GetNearestAirport``,
  ``ShareTrip``, ``ResetDataSource``) are implemented here;
* trip and plan-item ids are read-only (``Core.Permissions``): the service
  assigns them on create, the next free number;
* the seed holds contained rows and the ``Me`` singleton, which the BC seed
  format (rows keyed by ``id``) cannot express.

Seed format: a JSON list of ``{"path": "People('x')/Trips", "entity": {...}}``
rows, created in order by POSTing ``entity`` to ``path``, and
``{"singleton": "Me", "copy": "People('x')"}`` rows, which make the singleton
hold a copy of an entity created before.
"""

from __future__ import annotations

import copy
import json
import math

from odatapy.data import ValueType
from odatapy.server.adapters.common import build_request
from odatapy.server.inmemory import InMemoryProcessor
from odatapy.server.processor import ActionProcessor

NAMESPACE = "Microsoft.OData.SampleService.Models.TripPin"


class ContainedSet:
    """Stands in for the entity set a contained navigation has none of: the
    slice of the entity-set API the processor needs (name, type, bindings)."""

    def __init__(self, name: str, entity_type) -> None:
        self.name = name
        self.entity_type = entity_type

    def get_binding_target(self, _path: str):
        return None


class TripPinProcessor(InMemoryProcessor, ActionProcessor):
    """odatapy's in-memory processor with TripPin's containment and operations."""

    def __init__(self, store, page_size):
        super().__init__(store, page_size=page_size)
        self.seeded = None
        self.register_function(f"{NAMESPACE}.GetFavoriteAirline", self._favorite_airline)
        self.register_function(f"{NAMESPACE}.GetFriendsTrips", self._friends_trips)
        self.register_function(f"{NAMESPACE}.GetInvolvedPeople", self._involved_people)
        self.register_function("GetNearestAirport", self._nearest_airport)

    # --- keys the service assigns ----------------------------------------
    def _assign_keys(self, entity_set, entity):
        keys = entity_set.entity_type.key_predicate_names
        if len(keys) == 1 and entity.get_value(keys[0]) is None:
            key = entity_set.entity_type.get_structural_property(keys[0])
            if key is not None and key.type_fqn in ("Edm.Int32", "Edm.Int64"):
                taken = [e.get_value(keys[0]) or 0 for e in self.store.entities(entity_set.name)]
                entity.set_property(keys[0], max(taken, default=0) + 1, ValueType.PRIMITIVE, key.type_fqn)
        super()._assign_keys(entity_set, entity)

    # --- containment ---------------------------------------------------
    def _nav_target_set(self, owner_set, nav_name):
        bound = super()._nav_target_set(owner_set, nav_name)
        if bound is not None:
            return bound
        nav = owner_set.entity_type.get_navigation_property(nav_name)
        if nav is None or not getattr(nav, "contains_target", False):
            return None
        return ContainedSet(f"{owner_set.name}/{nav_name}", nav.type)

    @staticmethod
    def _literal(value) -> str:
        """A key as odatapy's relation table writes it (``repr`` of the value)."""
        return repr(value)

    def _person(self, user_name: str):
        return next((p for p in self.store.entities("People") if p.get_value("UserName") == user_name), None)

    def _trips_of(self, person) -> list:
        return self.store.relation("People", self._key_of(self._people(), person), "Trips") or []

    def _people(self):
        return self.service_metadata.edm.get_entity_set("People")

    # --- functions ----------------------------------------------------
    def _favorite_airline(self, target, _part):
        """The airline of most of the person's flights."""
        counts: dict[str, int] = {}
        for trip in self._trips_of(target.entity):
            trip_key = self._literal(trip.get_value("TripId"))
            # Contained sets are named by their path from the top-level set.
            for item in self.store.relation("People/Trips", trip_key, "PlanItems") or []:
                item_key = self._literal(item.get_value("PlanItemId"))
                for airline in self.store.relation("People/Trips/PlanItems", item_key, "Airline") or []:
                    code = airline.get_value("AirlineCode")
                    counts[code] = counts.get(code, 0) + 1
        if not counts:
            return None
        best = max(sorted(counts), key=lambda code: counts[code])
        return next(a for a in self.store.entities("Airlines") if a.get_value("AirlineCode") == best)

    def _friends_trips(self, target, part):
        friend_name = _unquote(part.parameters.get("userName", "''"))
        friends = self.store.relation("People", self._key_of(self._people(), target.entity), "Friends") or []
        friend = next((f for f in friends if f.get_value("UserName") == friend_name), None)
        return self._trips_of(friend) if friend is not None else []

    def _involved_people(self, target, _part):
        trip = target.entity
        return [p for p in self.store.entities("People") if any(t is trip for t in self._trips_of(p))]

    def _nearest_airport(self, _target, part):
        lat = float(part.parameters["lat"])
        lon = float(part.parameters["lon"])

        def distance(airport):
            location = airport.get_value("Location")
            loc = location.get_property("Loc") if location is not None else None
            point = loc.value if loc is not None else None
            if point is None or not hasattr(point, "x"):
                return math.inf
            return (float(point.x) - lon) ** 2 + (float(point.y) - lat) ** 2

        return min(self.store.entities("Airports"), key=distance)

    # --- actions ------------------------------------------------------
    def process_action(self, request, response, uri_info, request_ct, response_ct):
        with self.lock:
            parts = list(uri_info.resource_parts)
            name = (getattr(getattr(parts[-1], "action", None), "name", None) or getattr(parts[-1], "name", ""))
            name = name.rsplit(".", 1)[-1]
            body = json.loads(request.body or b"{}") if request.body else {}
            if name == "ResetDataSource":
                if self.seeded is not None:
                    self.store.restore(copy.deepcopy(self.seeded))
            elif name == "ShareTrip":
                target = self._walk(request, parts[:-1], for_write=True)
                if not self._share_trip(target.entity, body.get("userName"), body.get("tripId")):
                    response.status_code = 400
                    response.set_header("Content-Type", "application/json")
                    error = {"error": {"code": "400", "message": "No such friend or trip."}}
                    response.content = json.dumps(error).encode()
                    return
            else:
                response.status_code = 501
                return
            response.status_code = 204

    def process_action_void(self, request, response, uri_info, request_ct):
        self.process_action(request, response, uri_info, request_ct, None)

    def _share_trip(self, person, friend_name, trip_id) -> bool:
        friends = self.store.relation("People", self._key_of(self._people(), person), "Friends") or []
        friend = next((f for f in friends if f.get_value("UserName") == friend_name), None)
        trip = next((t for t in self._trips_of(person) if t.get_value("TripId") == trip_id), None)
        if friend is None or trip is None:
            return False
        self.store.add_relation("People", self._literal(friend_name), "Trips", trip)
        return True


def _unquote(literal: str) -> str:
    if len(literal) >= 2 and literal[0] == literal[-1] == "'":
        return literal[1:-1].replace("''", "'")
    return literal


def load_seed(handler, processor, store, mount: str, seed_path: str) -> None:
    """Creates the seed rows through the service itself, then remembers the
    state for ``ResetDataSource``."""
    with open(seed_path, encoding="utf-8") as seed_file:
        rows = json.load(seed_file)
    for row in rows:
        if "singleton" in row:
            # Checks the source exists the way a client would, then copies it.
            _get(handler, mount, row["copy"])
            key = row["copy"].split("(", 1)[1].rstrip(")")
            person = next(p for p in store.entities("People") if repr(p.get_value("UserName")) == key)
            store.set_entities(row["singleton"], [copy.deepcopy(person)])
            continue
        _post(handler, mount, row["path"], row["entity"])
    processor.seeded = copy.deepcopy(store.snapshot())


def _post(handler, mount: str, path: str, entity: dict) -> None:
    request = build_request(
        method="POST",
        odata_path=path,
        query_string=None,
        base_uri=f"http://127.0.0.1{mount}",
        headers={"Content-Type": "application/json", "OData-MaxVersion": "4.0"},
        body=json.dumps(entity).encode(),
    )
    response = handler.process(request)
    if response.status_code != 201:
        body = response.content if isinstance(response.content, bytes) else b""
        raise SystemExit(f"seeding {path} failed with {response.status_code}: {body[:500].decode(errors='replace')}")


def _get(handler, mount: str, path: str) -> bytes:
    request = build_request(
        method="GET",
        odata_path=path,
        query_string=None,
        base_uri=f"http://127.0.0.1{mount}",
        headers={"OData-MaxVersion": "4.0"},
        body=b"",
    )
    response = handler.process(request)
    if response.status_code != 200:
        raise SystemExit(f"seeding: GET {path} failed with {response.status_code}")
    return response.content
