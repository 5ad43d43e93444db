"""Webhooks as Business Central runs them: the ``subscriptions`` entity set,
the ``validationToken`` handshake, and notifications posted to subscribers
after changes made through the API.

What the peer does, after BC's documentation ("Working with webhooks"):

* ``POST {route}/subscriptions`` validates the notification URL first: it
  calls it with ``?validationToken=…`` and creates the subscription only if
  the answer is 200 with the token as the body, within 5 seconds. At most
  200 subscriptions live at once; only the resources BC lists as supporting
  webhooks can be subscribed (``webhookSupportedResources``, served at
  ``api/microsoft/runtime/beta/companies({id})/webhookSupportedResources``).
* A subscription expires three days after it was created or renewed (by
  the peer's clock, see ``bc_clock``). ``PATCH`` renews it: it needs
  ``If-Match`` and a body, and repeats the handshake. ``DELETE`` removes it.
* Changes are collected per subscription for a window (BC: 30 seconds; the
  peer: ``delay``, short for tests) opened by the first change; several
  changes of one row fold into one notification, and more than 1,000 changed
  rows in a window become one ``collection`` notification whose resource is
  the collection filtered on ``lastModifiedDateTime``. Notifications for the
  same URL go out in one POST (``{"value": [...]}``, no BOM).
* A subscriber answering 408, 429 or 5xx (or not answering) is retried (BC
  retries for 36 hours; the peer a few times, quickly); any other status
  deletes the subscriptions in that POST, as BC does.
* A change to a document line is notified as an update of its header.

Wording of the error messages is the peer's own; BC's codes are used where
they are known. A stale ``If-Match`` is answered 412, as odatapy answers
everywhere else in the peer (BC answers 409 ``Request_EntityChanged``).

Test controls under ``/_peer/``: ``POST /_peer/clock`` (``advanceSeconds``,
``freeze``), ``POST /_peer/webhooks`` (``delayMs``, ``retryDelaysMs``),
``GET /_peer/webhooks/deliveries`` (every delivery attempt, for assertions)
and ``POST /_peer/stamp`` (set a row's ``lastModifiedDateTime`` without it
counting as a change, e.g. BC's blank ``0001-01-01T00:00:00Z``).
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from bc_clock import format_timestamp

LIFETIME = _dt.timedelta(days=3)
MAX_SUBSCRIPTIONS = 200
MAX_CLIENT_STATE = 2048
COLLECTION_THRESHOLD = 1000
HANDSHAKE_TIMEOUT_SECONDS = 5.0
DELIVERY_TIMEOUT_SECONDS = 10.0
# BC retries for 36 hours; the peer retries quickly, a few times.
DEFAULT_RETRY_DELAYS = [0.2, 0.5, 1.0]
DEFAULT_DELAY = 0.3
MAX_LOGGED_DELIVERIES = 10_000

# "List of supported entities" in BC's webhook documentation (api/v2.0).
SUPPORTED_V2_SETS = [
    "accounts", "companyInformation", "countriesRegions", "currencies", "customerPaymentJournals", "customers",
    "dimensions", "employees", "generalLedgerEntries", "itemCategories", "items", "journals", "paymentMethods",
    "paymentTerms", "purchaseInvoices", "salesCreditMemos", "salesInvoices", "salesOrders", "salesQuotes",
    "shipmentMethods", "unitsOfMeasure", "vendors",
]

# Lines whose changes BC notifies as changes of their document.
HEADER_OF_LINES = {
    "salesInvoiceLines": "salesInvoices",
    "salesOrderLines": "salesOrders",
    "salesQuoteLines": "salesQuotes",
    "salesCreditMemoLines": "salesCreditMemos",
    "purchaseInvoiceLines": "purchaseInvoices",
}

COLLECTION_RESOURCE = re.compile(r"^companies\(([0-9a-fA-F-]{36})\)/([A-Za-z]+)$")


class Refused(Exception):
    """A request answered with a BC-style error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Subscription:
    def __init__(self, notification_url, resource, client_state, company, set_name, now) -> None:
        self.id = uuid.uuid4().hex
        self.notification_url = notification_url
        self.resource = resource
        self.client_state = client_state
        self.company = company
        self.set_name = set_name
        self.created = now
        self.modified = now
        self.expires = now + LIFETIME
        self.version = 1

    def etag(self) -> str:
        # Opaque and base64 like BC's (`W/"JzE5Oz…Jw=="`).
        token = base64.b64encode(f"'{len(self.id)};{self.version};{self.id[:8]};'".encode()).decode()
        return f'W/"{token}"'

    def to_json(self, route: str) -> dict:
        return {
            "@odata.etag": self.etag(),
            "subscriptionId": self.id,
            "notificationUrl": self.notification_url,
            "resource": self.resource,
            "timestamp": self.version,
            "userId": "00000000-0000-0000-0000-000000000001",
            "lastModifiedDateTime": format_timestamp(self.modified),
            "clientState": self.client_state or "",
            "expirationDateTime": format_timestamp(self.expires),
            "systemCreatedAt": format_timestamp(self.created),
            "systemCreatedBy": "00000000-0000-0000-0000-000000000001",
            "systemModifiedAt": format_timestamp(self.modified),
            "systemModifiedBy": "00000000-0000-0000-0000-000000000001",
        }


def parse_resource(resource: str, route: str) -> tuple[str, str]:
    """``(company id, entity set)`` of a subscribable resource: relative
    (``companies(…)/customers``), rooted (``/api/v2.0/companies(…)/customers``)
    or an absolute URL."""
    path = urllib.parse.urlsplit(resource).path if "://" in resource else resource
    path = path.strip("/")
    marker = route + "/"
    if marker in path:
        path = path[path.index(marker) + len(marker):]
    match = COLLECTION_RESOURCE.match(path)
    if match is None:
        raise Refused(400, "BadRequest", f"The resource '{resource}' is not a collection of a company.")
    return match.group(1).lower(), match.group(2)


class WebhookHub:
    """Subscriptions, pending changes, and the thread that delivers them."""

    def __init__(self, clock, route: str, supported_sets: list[str]) -> None:
        self.clock = clock
        self.route = route
        self.supported_sets = supported_sets
        self.delay = DEFAULT_DELAY
        self.retry_delays = list(DEFAULT_RETRY_DELAYS)
        self.companies = None  # a callable telling whether a company id exists
        self._condition = threading.Condition()
        self._subscriptions: dict[str, Subscription] = {}
        # subscription id -> (window opened at, [(entity id, kind, when)])
        self._pending: dict[str, tuple[float, list]] = {}
        # (due at, attempt, url, notifications, subscription ids)
        self._retries: list[tuple[float, int, str, list, list]] = []
        self._deliveries: list[dict] = []
        threading.Thread(target=self._deliver_forever, name="webhook-delivery", daemon=True).start()

    # --- subscriptions -----------------------------------------------------
    def _purge_expired(self) -> None:
        now = self.clock.now()
        for expired in [s for s in self._subscriptions.values() if s.expires <= now]:
            del self._subscriptions[expired.id]
            self._pending.pop(expired.id, None)

    def _validated(self, body: dict, partial: bool) -> dict:
        if not isinstance(body, dict) or not body:
            raise Refused(400, "BadRequest", "The request body must be a subscription object.")
        fields = {}
        for name in ("notificationUrl", "resource", "clientState"):
            if name in body:
                value = body[name]
                if not isinstance(value, str) or (name != "clientState" and not value):
                    raise Refused(400, "BadRequest", f"'{name}' must be a non-empty string.")
                fields[name] = value
            elif not partial and name != "clientState":
                raise Refused(400, "BadRequest_RequiredParamNotProvided", f"'{name}' is required.")
        if len(fields.get("clientState", "")) > MAX_CLIENT_STATE:
            raise Refused(400, "Application_StringExceededLength", "clientState is longer than 2048 characters.")
        if "resource" in fields:
            company, set_name = parse_resource(fields["resource"], self.route)
            if self.companies is not None and not self.companies(company):
                raise Refused(404, "BadRequest_NotFound", f"The company {company} does not exist.")
            if set_name not in self.supported_sets:
                raise Refused(400, "BadRequest", f"The resource '{set_name}' does not support webhooks.")
            fields["_target"] = (company, set_name)
        return fields

    def handshake(self, url: str) -> None:
        """Calls the notification URL with a validation token, as BC does."""
        token = base64.b64encode(secrets.token_bytes(24)).decode()  # `+`, `/` and `=` test the decoding
        separator = "&" if urllib.parse.urlsplit(url).query else "?"
        target = f"{url}{separator}validationToken={urllib.parse.quote(token, safe='')}"
        started = time.monotonic()
        try:
            request = urllib.request.Request(target, data=b"", method="POST")
            with urllib.request.urlopen(request, timeout=HANDSHAKE_TIMEOUT_SECONDS) as answer:
                status, body = answer.status, answer.read(65536)
        except urllib.error.HTTPError as refused:
            status, body = refused.code, b""
        except (OSError, ValueError) as unreachable:
            raise Refused(400, "BadRequest", f"The notification URL could not be validated: {unreachable}.")
        elapsed = time.monotonic() - started
        self._log({"kind": "handshake", "url": url, "status": status, "seconds": round(elapsed, 3)})
        if status != 200 or body.decode("utf-8", "replace") != token:
            raise Refused(
                400,
                "BadRequest",
                f"The notification URL could not be validated: it answered {status} without the validation token.",
            )

    def create(self, body) -> Subscription:
        fields = self._validated(body, partial=False)
        with self._condition:
            self._purge_expired()
            if len(self._subscriptions) >= MAX_SUBSCRIPTIONS:
                raise Refused(
                    400, "BadRequest", f"The maximum number of subscriptions ({MAX_SUBSCRIPTIONS}) has been reached."
                )
        self.handshake(fields["notificationUrl"])
        company, set_name = fields["_target"]
        subscription = Subscription(
            fields["notificationUrl"], fields["resource"], fields.get("clientState"), company, set_name, self.clock.now()
        )
        with self._condition:
            self._purge_expired()
            if len(self._subscriptions) >= MAX_SUBSCRIPTIONS:
                raise Refused(
                    400, "BadRequest", f"The maximum number of subscriptions ({MAX_SUBSCRIPTIONS}) has been reached."
                )
            self._subscriptions[subscription.id] = subscription
        return subscription

    def list(self) -> list[Subscription]:
        with self._condition:
            self._purge_expired()
            return sorted(self._subscriptions.values(), key=lambda s: s.created)

    def get(self, subscription_id: str) -> Subscription:
        with self._condition:
            self._purge_expired()
            found = self._subscriptions.get(subscription_id)
        if found is None:
            raise Refused(404, "BadRequest_NotFound", f"The subscription '{subscription_id}' does not exist.")
        return found

    @staticmethod
    def _check_if_match(subscription: Subscription, if_match: str | None, required: bool) -> None:
        if if_match is None:
            if required:
                raise Refused(
                    400,
                    "BadRequest_InvalidToken",
                    "Could not validate the client concurrency token required by the service. "
                    "Please provide a valid token in the client request.",
                )
            return
        if if_match.strip() not in ("*", subscription.etag()):
            raise Refused(412, "Request_EntityChanged", "Another user has already changed the record.")

    def renew(self, subscription_id: str, if_match: str | None, body) -> Subscription:
        subscription = self.get(subscription_id)
        self._check_if_match(subscription, if_match, required=True)
        fields = self._validated(body, partial=True)
        self.handshake(fields.get("notificationUrl", subscription.notification_url))
        with self._condition:
            self._check_if_match(subscription, if_match, required=True)
            if "notificationUrl" in fields:
                subscription.notification_url = fields["notificationUrl"]
            if "resource" in fields:
                subscription.resource = fields["resource"]
                subscription.company, subscription.set_name = fields["_target"]
            if "clientState" in fields:
                subscription.client_state = fields["clientState"]
            now = self.clock.now()
            subscription.modified = now
            subscription.expires = now + LIFETIME
            subscription.version += 1
        return subscription

    def delete(self, subscription_id: str, if_match: str | None) -> None:
        subscription = self.get(subscription_id)
        self._check_if_match(subscription, if_match, required=False)
        with self._condition:
            self._subscriptions.pop(subscription_id, None)
            self._pending.pop(subscription_id, None)

    # --- changes ---------------------------------------------------------
    def on_write(self, set_name: str, entity, company: str | None, kind: str, when) -> None:
        if company is None:
            return
        entity_id = str(entity.get_value("id")).lower()
        header_set = HEADER_OF_LINES.get(set_name)
        if header_set is not None:
            document = entity.get_value("documentId")
            if document is None:
                return
            set_name, entity_id, kind = header_set, str(document).lower(), "updated"
        with self._condition:
            self._purge_expired()
            opened = time.monotonic()
            for subscription in self._subscriptions.values():
                if subscription.company == company and subscription.set_name == set_name:
                    window = self._pending.setdefault(subscription.id, (opened, []))
                    window[1].append((entity_id, kind, when))
            self._condition.notify_all()

    # --- delivery --------------------------------------------------------
    def _log(self, entry: dict) -> None:
        with self._condition:
            entry["at"] = format_timestamp(self.clock.now())
            self._deliveries.append(entry)
            del self._deliveries[:-MAX_LOGGED_DELIVERIES]

    def deliveries(self) -> list[dict]:
        with self._condition:
            return list(self._deliveries)

    def _notifications_for(self, subscription: Subscription, changes: list) -> list[dict]:
        common = {
            "subscriptionId": subscription.id,
            "clientState": subscription.client_state or "",
            "expirationDateTime": format_timestamp(subscription.expires),
        }
        rows: dict[str, list] = {}
        for entity_id, kind, when in changes:
            rows.setdefault(entity_id, []).append((kind, when))
        collection = f"companies({subscription.company})/{subscription.set_name}"
        if len(rows) > COLLECTION_THRESHOLD:
            earliest = min(when for _, _, when in changes) - _dt.timedelta(milliseconds=1)
            query = urllib.parse.quote(f"lastModifiedDateTime gt {format_timestamp(earliest)}", safe=":")
            latest = max(when for _, _, when in changes)
            return [{
                **common,
                "resource": f"/{self.route}/{collection}?$filter={query}",
                "changeType": "collection",
                "lastModifiedDateTime": format_timestamp(latest),
            }]
        notifications = []
        for entity_id, history in rows.items():
            kinds = [kind for kind, _ in history]
            kind = "deleted" if kinds[-1] == "deleted" else ("created" if kinds[0] == "created" else "updated")
            notifications.append({
                **common,
                "resource": f"{self.route}/{collection}({entity_id})",
                "changeType": kind,
                "lastModifiedDateTime": format_timestamp(history[-1][1]),
            })
        return notifications

    def _due_batches(self) -> tuple[list, float | None]:
        """Takes the windows and retries that are due; returns them and how
        long to wait for the next one."""
        now = time.monotonic()
        self._purge_expired()
        by_url: dict[str, tuple[list, list]] = {}
        wait = None
        for subscription_id, (opened, changes) in list(self._pending.items()):
            due = opened + self.delay
            if due > now:
                wait = due - now if wait is None else min(wait, due - now)
                continue
            del self._pending[subscription_id]
            subscription = self._subscriptions.get(subscription_id)
            if subscription is None:
                continue
            notifications, ids = by_url.setdefault(subscription.notification_url, ([], []))
            notifications.extend(self._notifications_for(subscription, changes))
            ids.append(subscription_id)
        batches = [(0, url, notifications, ids) for url, (notifications, ids) in by_url.items()]
        remaining = []
        for due, attempt, url, notifications, ids in self._retries:
            if due <= now:
                batches.append((attempt, url, notifications, ids))
            else:
                remaining.append((due, attempt, url, notifications, ids))
                wait = due - now if wait is None else min(wait, due - now)
        self._retries = remaining
        return batches, wait

    def _deliver_forever(self) -> None:
        while True:
            with self._condition:
                batches, wait = self._due_batches()
                if not batches:
                    self._condition.wait(timeout=wait if wait is not None else 1.0)
                    continue
            for attempt, url, notifications, ids in batches:
                self._deliver(attempt, url, notifications, ids)

    def _deliver(self, attempt: int, url: str, notifications: list, ids: list) -> None:
        body = json.dumps({"value": notifications}).encode("utf-8")
        request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT_SECONDS) as answer:
                status = answer.status
        except urllib.error.HTTPError as refused:
            status = refused.code
        except OSError:
            status = None
        entry = {
            "kind": "notification",
            "url": url,
            "attempt": attempt,
            "status": status,
            "subscriptionIds": ids,
            "changeTypes": sorted({n["changeType"] for n in notifications}),
            "count": len(notifications),
        }
        retry = status is None or status in (408, 429) or status >= 500
        if 200 <= (status or 0) < 300:
            pass
        elif retry and attempt < len(self.retry_delays):
            with self._condition:
                due = time.monotonic() + self.retry_delays[attempt]
                self._retries.append((due, attempt + 1, url, notifications, ids))
                self._condition.notify_all()
            entry["retry"] = True
        elif retry:
            entry["gaveUp"] = True
        else:
            # BC deletes a subscription whose notification got any other answer.
            with self._condition:
                for subscription_id in ids:
                    self._subscriptions.pop(subscription_id, None)
                    self._pending.pop(subscription_id, None)
            entry["deletedSubscriptions"] = ids
        self._log(entry)

    def configure(self, settings: dict) -> dict:
        with self._condition:
            if "delayMs" in settings:
                self.delay = max(0.0, float(settings["delayMs"]) / 1000)
            if "retryDelaysMs" in settings:
                self.retry_delays = [max(0.0, float(ms) / 1000) for ms in settings["retryDelaysMs"]]
            self._condition.notify_all()
            return {"delayMs": self.delay * 1000, "retryDelaysMs": [d * 1000 for d in self.retry_delays]}
