"""Reads request URLs, one JSON object per line on stdin, and parses each the
way odatapy's server does: the path and raw query go through its URI parser
with the project's committed schema. Writes one JSON object per line:
{"filter": <the literal value on the right of the comparison>,
 "key": <the value of the last key predicate, if any>} or {"error": ...}.

Used by tests/e2e/literal_round_trip.rs as a parser nobody on this project
wrote: a literal the SDK renders must come back as exactly the value it
started from."""
import json
import sys
from urllib.parse import unquote

from odatapy.edm.xml_io import XmlEdmProvider
from odatapy.server import OData
from odatapy.server.uri.parser import Parser

schema = sys.argv[1]
parser = Parser(OData.new_instance().create_service_metadata(XmlEdmProvider.from_file(schema)).edm)

for line in sys.stdin:
    case = json.loads(line)
    try:
        # A server sees the percent-decoded path and the raw query.
        info = parser.parse_uri(unquote(case["path"]), case["query"] or None)
        result = {}
        if info.filter is not None:
            expression = info.filter.expression
            # `name eq 'x'` keeps the literal on the right, `contains(name,'x')` as the last argument.
            literal = expression.right if hasattr(expression, "right") else expression.parameters[-1]
            result["filter"] = literal.value
        keyed = [part for part in info.resource_parts if getattr(part, "typed_keys", None)]
        if keyed:
            result["key"] = {name: str(value) for name, value in keyed[-1].typed_keys.items()}
        print(json.dumps(result), flush=True)
    except Exception as error:  # every failure is reported, not raised
        print(json.dumps({"error": f"{type(error).__name__}: {error}"}), flush=True)
