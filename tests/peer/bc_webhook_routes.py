"""The HTTP side of ``bc_webhooks``: a WSGI layer in front of the OData
service that serves ``{route}/subscriptions``, BC's list of resources that
support webhooks, and the peer's test controls (``/_peer/…``). Every other
request goes to the OData service unchanged."""

from __future__ import annotations

import datetime as _dt
import json
import re
import uuid

from bc_clock import format_timestamp
from bc_webhooks import Refused

SUBSCRIPTION_KEY = re.compile(r"^subscriptions\('?([^')]*)'?\)$")
SUPPORTED_RESOURCES = re.compile(
    r"^/api/microsoft/runtime/beta/companies\(([0-9a-fA-F-]{36})\)/webhookSupportedResources$"
)
MAX_BODY = 1 << 20


def parse_timestamp(text: str) -> _dt.datetime:
    return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class WebhookRoutes:
    def __init__(self, app, hub, processor, clock, mount: str) -> None:
        self.app = app
        self.hub = hub
        self.processor = processor
        self.clock = clock
        self.mount = mount.rstrip("/")

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if path.startswith("/_peer/"):
                return self._control(path, method, environ, start_response)
            supported = SUPPORTED_RESOURCES.match(path)
            if supported is not None and method == "GET":
                rows = [{"resource": f"{self.hub.route[len('api/'):]}/{name}"} for name in self.hub.supported_sets]
                return self._json(start_response, 200, {"value": rows})
            prefix = self.mount + "/"
            if path.startswith(prefix):
                rest = path[len(prefix):]
                if rest == "subscriptions":
                    return self._collection(method, environ, start_response)
                key = SUBSCRIPTION_KEY.match(rest)
                if key is not None:
                    return self._one(key.group(1), method, environ, start_response)
        except Refused as refused:
            return self._error(start_response, refused)
        return self.app(environ, start_response)

    # --- subscriptions -----------------------------------------------------
    def _collection(self, method, environ, start_response):
        if method == "GET":
            rows = [s.to_json(self.hub.route) for s in self.hub.list()]
            return self._json(start_response, 200, {"@odata.context": self._context(environ), "value": rows})
        if method == "POST":
            created = self.hub.create(self._body(environ))
            body = {"@odata.context": self._context(environ) + "/$entity", **created.to_json(self.hub.route)}
            location = f"{self._root(environ)}/subscriptions('{created.id}')"
            headers = [("Location", location), ("ETag", created.etag())]
            return self._json(start_response, 201, body, headers)
        raise Refused(405, "BadRequest_MethodNotAllowed", f"{method} is not allowed on subscriptions.")

    def _one(self, subscription_id, method, environ, start_response):
        if_match = environ.get("HTTP_IF_MATCH")
        if method == "GET":
            found = self.hub.get(subscription_id)
            return self._json(start_response, 200, found.to_json(self.hub.route), [("ETag", found.etag())])
        if method == "PATCH":
            renewed = self.hub.renew(subscription_id, if_match, self._body(environ))
            return self._json(start_response, 200, renewed.to_json(self.hub.route), [("ETag", renewed.etag())])
        if method == "DELETE":
            self.hub.delete(subscription_id, if_match)
            start_response("204 No Content", [])
            return [b""]
        raise Refused(405, "BadRequest_MethodNotAllowed", f"{method} is not allowed on a subscription.")

    # --- test controls ---------------------------------------------------
    def _control(self, path, method, environ, start_response):
        if path == "/_peer/clock" and method == "POST":
            body = self._body(environ)
            if "advanceSeconds" in body:
                self.clock.advance(float(body["advanceSeconds"]))
            if "freeze" in body:
                self.clock.freeze(bool(body["freeze"]))
            return self._json(start_response, 200, self.clock.describe())
        if path == "/_peer/webhooks" and method == "POST":
            return self._json(start_response, 200, self.hub.configure(self._body(environ)))
        if path == "/_peer/webhooks/deliveries" and method == "GET":
            return self._json(start_response, 200, {"value": self.hub.deliveries()})
        if path == "/_peer/stamp" and method == "POST":
            body = self._body(environ)
            moment = parse_timestamp(body["lastModifiedDateTime"])
            if not self.processor.set_timestamp(body["set"], body["id"], moment):
                raise Refused(404, "BadRequest_NotFound", "No such row.")
            return self._json(start_response, 200, {"lastModifiedDateTime": format_timestamp(moment)})
        raise Refused(404, "BadRequest_NotFound", f"No test control at {method} {path}.")

    # --- plumbing --------------------------------------------------------
    def _root(self, environ) -> str:
        return f"http://{environ.get('HTTP_HOST', '127.0.0.1')}{self.mount}"

    def _context(self, environ) -> str:
        return f"{self._root(environ)}/$metadata#subscriptions"

    @staticmethod
    def _body(environ):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            raise Refused(413, "BadRequest", "The request body is too large.")
        raw = environ["wsgi.input"].read(length) if length else b""
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError as error:
            raise Refused(400, "BadRequest", f"The request body is not JSON: {error}.")

    @staticmethod
    def _json(start_response, status: int, body, extra_headers=()):
        reasons = {200: "OK", 201: "Created"}
        payload = json.dumps(body).encode("utf-8")
        headers = [
            ("Content-Type", "application/json; odata.metadata=minimal; odata.streaming=true"),
            ("OData-Version", "4.0"),
            ("Content-Length", str(len(payload))),
            *extra_headers,
        ]
        start_response(f"{status} {reasons.get(status, 'OK')}", headers)
        return [payload]

    @staticmethod
    def _error(start_response, refused: Refused):
        message = f"{refused.message}  CorrelationId:  {uuid.uuid4()}."
        payload = json.dumps({"error": {"code": refused.code, "message": message}}).encode("utf-8")
        start_response(
            f"{refused.status} Error",
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
        )
        return [payload]
