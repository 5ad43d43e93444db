"""A local OData v4 peer for the SDK's end-to-end tests.

odatapy (pinned to 5.3.0) serves a Business Central $metadata file from
memory, with the BC-like adjustments of ``bc_processor`` and
``alternate_keys``, seeded from a JSON file. It listens on 127.0.0.1 only.

    python bc_peer.py --schema metadata.xml --mount /api/v2.0 --seed seed.json
                      [--page-size 10] [--port 0] [--exit-with-stdin]

With ``--port 0`` (the default) the OS picks a free port. Once the seed is
loaded, one line ``READY <port>`` is printed on stdout; nothing else is
printed there. With ``--exit-with-stdin`` (as the test harness starts it) the
server stops when its standard input reaches end of file, which happens as
soon as the process that started it exits, however it exits, so a test run
cannot leave a server behind. Without it, stop it with Ctrl-C or a signal.

Writes made through the API stamp ``lastModifiedDateTime`` and notify
webhook subscribers (``bc_changes``, ``bc_webhooks``); ``/_peer/…`` serves
test controls (the clock, notification timing, delivery log).

Seed format: a JSON list of top-level entities, each as ``{"set": name,
"entity": {...}}``; an entity may hold ``"@contained": {nav: [entities]}``,
created as ``<set>(<id>)/<nav>`` after it.
"""

from __future__ import annotations

import argparse
import decimal
import json
import os
import re
import sys
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


def exit_when_parent_exits() -> None:
    """Exit once stdin is closed: the parent holds the only write end, so
    this happens as soon as the parent exits, even by SIGKILL."""
    sys.stdin.buffer.read()
    os._exit(0)


if __name__ == "__main__" and "--exit-with-stdin" in sys.argv:
    # Watch from the start, before the slow imports and the seeding below,
    # so that a server still starting up also stops with its parent.
    threading.Thread(target=exit_when_parent_exits, daemon=True).start()

from odatapy.edm.xml_io import XmlEdmProvider
from odatapy.server import OData
from odatapy.server.adapters import ODataWSGIApp
from odatapy.server.adapters.common import build_request
from odatapy.server.inmemory import InMemoryDataStore

from alternate_keys import AlternateKeyRewriter
from bc_clock import Clock
from bc_processor import BusinessCentralProcessor, EveryEntityHasAnETag, store_enums_by_name
from bc_webhook_routes import WebhookRoutes
from bc_webhooks import SUPPORTED_V2_SETS, WebhookHub


class RequestHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass

    def get_environ(self):
        environ = super().get_environ()
        # wsgiref reports a request without Content-Type as `text/plain`,
        # which odatapy refuses (415) for a bodiless action call such as
        # `POST .../Microsoft.NAV.post`; report it as absent instead.
        if self.headers.get("Content-Type") is None:
            environ.pop("CONTENT_TYPE", None)
        return environ


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema", required=True, help="the $metadata file to serve")
    parser.add_argument("--mount", required=True, help="URL path of the service root, e.g. /api/v2.0")
    parser.add_argument("--seed", required=True, help="JSON seed file (see the module docstring)")
    parser.add_argument("--page-size", type=int, default=None, help="server-driven page size")
    parser.add_argument("--port", type=int, default=0, help="0 lets the OS choose")
    parser.add_argument("--exit-with-stdin", action="store_true", help="stop when stdin is closed")
    parser.add_argument(
        "--service",
        choices=["business-central", "trippin"],
        default="business-central",
        help="which service's behaviour to add to odatapy (trippin: see trippin.py)",
    )
    return parser.parse_args()


def load_seed(handler, mount: str, seed_path: str) -> None:
    """Creates the seed entities through the service itself, so they are
    validated against the schema like any client's payload."""
    with open(seed_path, encoding="utf-8") as seed_file:
        # Decimals keep their written scale (`2400.50`), as BC sends them.
        rows = json.load(seed_file, parse_float=decimal.Decimal)
    for row in rows:
        create(handler, mount, row["set"], row["entity"])


DECIMAL_MARK = "~~decimal~~"


def to_json(entity: dict) -> bytes:
    """JSON text with each Decimal written exactly as it was read."""
    marked = json.dumps(entity, default=lambda value: f"{DECIMAL_MARK}{value}{DECIMAL_MARK}")
    return re.sub(f'"{DECIMAL_MARK}(.*?){DECIMAL_MARK}"', r"\1", marked).encode()


def create(handler, mount: str, path: str, entity: dict) -> None:
    contained = entity.pop("@contained", {})
    request = build_request(
        method="POST",
        odata_path=path,
        query_string=None,
        base_uri=f"http://127.0.0.1{mount}",
        headers={"Content-Type": "application/json", "OData-MaxVersion": "4.0"},
        body=to_json(entity),
    )
    response = handler.process(request)
    if response.status_code != 201:
        body = response.content if isinstance(response.content, bytes) else b""
        raise SystemExit(f"seeding {path} failed with {response.status_code}: {body[:500].decode(errors='replace')}")
    for navigation, children in contained.items():
        for child in children:
            # Parents of contained rows are keyed by `id`, as in BC.
            create(handler, mount, f"{path}({entity['id']})/{navigation}", child)


def main() -> None:
    arguments = parse_arguments()
    store_enums_by_name()
    odata = OData.new_instance()
    metadata = odata.create_service_metadata(XmlEdmProvider.from_file(arguments.schema))
    handler = odata.create_handler(metadata)
    store = InMemoryDataStore()
    # Webhooks are Business Central's: TripPin has none.
    hub = clock = None
    if arguments.service == "trippin":
        import trippin

        processor = trippin.TripPinProcessor(store, arguments.page_size)
        handler.register(processor)
        handler.register(EveryEntityHasAnETag())
        trippin.load_seed(handler, processor, store, arguments.mount, arguments.seed)
    else:
        clock = Clock()
        processor = BusinessCentralProcessor(store, arguments.page_size, clock)
        handler.register(processor)
        handler.register(EveryEntityHasAnETag())
        load_seed(handler, arguments.mount, arguments.seed)
        # From here on, writes are stamped and notified as BC does.
        processor.start_stamping()
        route = arguments.mount.strip("/")
        hub = WebhookHub(clock, route, SUPPORTED_V2_SETS if route == "api/v2.0" else [])
        hub.companies = processor.has_company
        processor.listener = hub

    app = AlternateKeyRewriter(
        ODataWSGIApp(handler, mount_path=arguments.mount), arguments.mount, arguments.schema, store
    )
    if hub is not None:
        app = WebhookRoutes(app, hub, processor, clock, arguments.mount)
    server = make_server(
        "127.0.0.1",
        arguments.port,
        app,
        server_class=ThreadingWSGIServer,
        handler_class=RequestHandler,
    )
    print(f"READY {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
