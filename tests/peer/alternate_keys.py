"""Alternate keys such as ``companies(name='CRONUS USA, Inc.')``.

BC's $metadata declares them with the ``OData.Community.Keys.V1.AlternateKeys``
annotation; odatapy's URL parser only knows the primary key. This WSGI layer
reads the single-property alternate keys from the schema, and rewrites a
first path segment that uses one into the primary-key form before odatapy
sees it, so ``companies(name='O''Brien')/customers`` reaches the same entity
as ``companies(<id>)/customers``. An alternate key that matches nothing is
answered 404.

Limits: only the first path segment, only single-property keys with string
values, and not inside ``$batch`` bodies (the SDK's tests do not need more).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
ALTERNATE_KEYS_TERM = "OData.Community.Keys.V1.AlternateKeys"

# `set(alias='literal')rest`, where a quote inside the literal is doubled.
SEGMENT = re.compile(r"^/?(?P<set>\w+)\((?P<alias>\w+)=(?P<literal>'(?:[^']|'')*')\)(?P<rest>.*)$", re.S)


def alternate_keys_by_set(schema_path: str) -> dict[str, tuple[str, dict[str, str]]]:
    """``{entity set: (primary key property, {alias: property})}`` for entity
    sets with single-property alternate keys and a single-property key."""
    root = ElementTree.parse(schema_path).getroot()
    aliases_by_type: dict[str, tuple[str, dict[str, str]]] = {}
    for schema in root.iter(f"{EDM}Schema"):
        namespace = schema.get("Namespace", "")
        for entity_type in schema.findall(f"{EDM}EntityType"):
            aliases = {}
            for annotation in entity_type.findall(f"{EDM}Annotation"):
                if annotation.get("Term") != ALTERNATE_KEYS_TERM:
                    continue
                for key in annotation.iter(f"{EDM}Record"):
                    refs = [r for r in key.iter(f"{EDM}Record") if r is not key]
                    if len(refs) != 1:
                        continue
                    values = {v.get("Property"): v for v in refs[0].findall(f"{EDM}PropertyValue")}
                    alias = values.get("Alias")
                    name = values.get("Name")
                    if alias is not None and name is not None:
                        aliases[alias.get("String")] = name.get("PropertyPath")
            primary = [ref.get("Name") for ref in entity_type.findall(f"{EDM}Key/{EDM}PropertyRef")]
            if aliases and len(primary) == 1:
                aliases_by_type[f"{namespace}.{entity_type.get('Name')}"] = (primary[0], aliases)
    keys_by_set = {}
    for entity_set in root.iter(f"{EDM}EntitySet"):
        keys = aliases_by_type.get(entity_set.get("EntityType", ""))
        if keys:
            keys_by_set[entity_set.get("Name")] = keys
    return keys_by_set


def _unquote(literal: str) -> str:
    return literal[1:-1].replace("''", "'")


class AlternateKeyRewriter:
    """WSGI middleware in front of the odatapy application."""

    def __init__(self, app, mount_path: str, schema_path: str, store) -> None:
        self.app = app
        self.mount_path = mount_path.rstrip("/")
        self.keys_by_set = alternate_keys_by_set(schema_path)
        self.store = store

    def __call__(self, environ, start_response):
        # WSGI hands PATH_INFO over percent-decoded, as latin-1 text of the UTF-8 bytes.
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
        if not path.startswith(self.mount_path + "/"):
            return self.app(environ, start_response)
        match = SEGMENT.match(path[len(self.mount_path):])
        primary_key, aliases = self.keys_by_set.get(match["set"] if match else "", (None, {}))
        if match is None or match["alias"] not in aliases:
            return self.app(environ, start_response)
        property_name = aliases[match["alias"]]
        wanted = _unquote(match["literal"])
        found = next(
            (e for e in self.store.entities(match["set"]) if e.get_value(property_name) == wanted),
            None,
        )
        if found is None:
            body = json.dumps(
                {"error": {"code": "BadRequest_NotFound", "message": f"No {match['set']} with {match['alias']} {wanted!r}."}}
            ).encode()
            start_response("404 Not Found", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        rewritten = f"{self.mount_path}/{match['set']}({found.get_value(primary_key)}){match['rest']}"
        environ["PATH_INFO"] = rewritten.encode("utf-8").decode("latin-1")
        return self.app(environ, start_response)
