"""A small instant-messaging flow in Python: the lifecycle of one call's flow, messaging, and
local and remote composing, on a clock it is given. Standard library only; it knows nothing of
the conformance kit (adapter.py connects the two).

Operations raise InvalidOperation when the flow's state does not allow them and
InvalidArgument for bad arguments, as the UCMA API does.
"""

from dataclasses import dataclass, field
from typing import Callable, List, Optional, Protocol
import re


class InvalidOperation(Exception):
    """The operation is not allowed in the flow's current state."""


class InvalidArgument(Exception):
    """An argument of the operation is not valid."""


class Clock(Protocol):
    """Where the flow keeps time: every timer of the flow is set here."""

    def now(self) -> int: ...
    def set_timer(self, ms: int, callback: Callable[[], None]) -> object: ...
    def clear_timer(self, handle: object) -> None: ...


@dataclass
class Settings:
    refresh_period_ms: int = 5000
    default_composing_timeout_ms: int = 3000
    #: How long after the composing time-out the state reverts to Idle.
    revert_delay_ms: int = 0
    remote_presumed_idle_ms: int = 6000
    explicit_idle_allowed: bool = True
    idle_notification_on_wire: bool = False
    idle_notification_on_send: bool = False
    remote_idle_raises_event: bool = True
    #: Every arriving composing notification raises the event (the guide's reading), not only a change.
    remote_event_on_every_notification: bool = True
    #: A deliberate bug, for showing that the kit catches it: "late-refresh" or "no-415".
    planted_bug: Optional[str] = None


@dataclass
class Listener:
    """What the flow tells its application and puts on the wire."""

    configuration_requested: Callable[["Flow"], None]
    state_changed: Callable[[str], None]
    message_received: Callable[[str, str], None]
    delivery_notification_received: Callable[[str, str, Optional[int]], None]
    remote_composing_changed: Callable[[str], None]
    #: Sends a wire message (a dict with "type") to the remote participant.
    send: Callable[[dict], None]


_MEDIA_TYPE = re.compile(r"^[^\s/;]+/[^\s/;]+$")
MAX_COMPOSING_TIMEOUT_MS = 30000


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def is_content_type(value: object) -> bool:
    return isinstance(value, str) and bool(_MEDIA_TYPE.match(media_type(value)))


@dataclass
class Configuration:
    composing_timeout_ms: int
    supported_formats: List[str] = field(default_factory=lambda: ["text/plain"])


class Flow:
    """One call's instant-messaging flow: Idle, then Active once established, Terminated for good."""

    def __init__(self, clock: Clock, settings: Settings, listener: Listener):
        self._clock = clock
        self._settings = settings
        self._listener = listener
        self._configuration = Configuration(settings.default_composing_timeout_ms)
        self._configurable = False
        self.state = "idle"
        self.local_composing_state = "idle"
        self._timed_out = False
        self._deadline = 0
        self._refresh_timer = None
        self._timeout_timer = None
        self._revert_timer = None
        self.remote_composing_state = "idle"
        self._silence_timer = None
        self._remote_presumed_idle = False

    # -- lifecycle ---------------------------------------------------------------------------

    def establish(self, template: Optional[dict]) -> None:
        """Raises the configuration request (Initialize is allowed only there), then goes Active."""
        if self.state != "idle":
            raise InvalidOperation("the flow can be established once")
        self._configurable = True
        try:
            self._listener.configuration_requested(self)
        finally:
            self._configurable = False
        self.state = "active"
        self._listener.state_changed("active")

    def initialize(self, template: dict) -> None:
        if self.state == "terminated" or not self._configurable:
            raise InvalidOperation("initialize only inside the configuration request")
        mode = template.get("consumptionMode", "consumed-locally")
        timeout = template.get("composingTimeoutMs", self._settings.default_composing_timeout_ms)
        formats = template.get("supportedFormats", ["text/plain"])
        if mode != "consumed-locally":
            # This implementation consumes every message itself: it does not proxy.
            raise InvalidArgument(f"unsupported consumption mode {mode!r}")
        if not isinstance(timeout, int) or isinstance(timeout, bool) or not 1 <= timeout <= MAX_COMPOSING_TIMEOUT_MS:
            raise InvalidArgument(f"composingTimeoutMs must be 1..{MAX_COMPOSING_TIMEOUT_MS}")
        if not isinstance(formats, list) or not all(is_content_type(f) for f in formats):
            raise InvalidArgument("supportedFormats must be a list of content types")
        self._configuration = Configuration(timeout, list(formats))

    def terminate(self, send_bye: bool = True) -> None:
        if self.state == "terminated":
            raise InvalidOperation("the flow is already terminated")
        self._halt()
        self.state = "terminated"
        self._listener.state_changed("terminated")
        if send_bye:
            self._listener.send({"type": "bye"})

    def _require_active(self) -> None:
        if self.state != "active":
            raise InvalidOperation(f"the flow is {self.state}; this needs an active flow")

    def _halt(self) -> None:
        self._cancel_local_timers()
        self.local_composing_state = "idle"
        self._timed_out = False
        self._cancel_silence()
        self.remote_composing_state = "idle"

    # -- messaging ---------------------------------------------------------------------------

    def send_message(self, body: str, content_type: str) -> None:
        self._require_active()
        if not is_content_type(content_type) or not isinstance(body, str):
            raise InvalidArgument("a message needs a body and a type/subtype content type")
        self._stop_composing(self._settings.idle_notification_on_send)
        self._listener.send({"type": "message", "body": body, "contentType": content_type})

    def send_delivery_notification(self, index: int, status: str, code: Optional[int]) -> None:
        self._require_active()
        raise InvalidOperation("messages are consumed locally: they were answered on arrival")

    def receive(self, message: dict) -> None:
        """A wire message from the remote participant; ignored unless the flow is active."""
        if self.state != "active":
            return
        kind = message["type"]
        if kind == "message":
            wanted = media_type(message["contentType"])
            supported = any(media_type(f) == wanted for f in self._configuration.supported_formats)
            if not supported and self._settings.planted_bug != "no-415":
                self._listener.send({"type": "response", "id": message["id"], "code": 415})
                return
            self._listener.send({"type": "response", "id": message["id"], "code": 200})
            self._listener.message_received(message["body"], message["contentType"])
        elif kind == "deliveryNotification":
            self._listener.delivery_notification_received(message["id"], message["status"], message.get("code"))
        elif kind == "composing":
            self._remote_composing(message["state"])
        elif kind == "bye":
            self._halt()
            self.state = "terminated"
            self._listener.state_changed("terminated")

    # -- local composing ---------------------------------------------------------------------

    def set_composing(self) -> None:
        self._require_active()
        if self.local_composing_state == "idle":
            self.local_composing_state = "composing"
            self._listener.send({"type": "composing", "state": "typing"})
            self._schedule_refresh()
        elif self._timed_out:
            # Timed out but not reverted yet: composing again restarts the cadence from now.
            self._cancel_local_timers()
            self._timed_out = False
            self._schedule_refresh()
        self._restart_timeout()

    def set_idle(self) -> None:
        self._require_active()
        if not self._settings.explicit_idle_allowed:
            raise InvalidOperation("the local composing state reverts to Idle by itself")
        self._stop_composing(self._settings.idle_notification_on_wire)

    def _stop_composing(self, announce: bool) -> None:
        if self.local_composing_state == "idle":
            return
        self._cancel_local_timers()
        self.local_composing_state = "idle"
        self._timed_out = False
        if announce:
            self._listener.send({"type": "composing", "state": "idle"})

    def _schedule_refresh(self) -> None:
        period = self._settings.refresh_period_ms
        if self._settings.planted_bug == "late-refresh":
            period += 1
        self._refresh_timer = self._clock.set_timer(period, self._refresh)

    def _refresh(self) -> None:
        self._refresh_timer = None
        if self._clock.now() >= self._deadline:
            self._time_out()
            return
        self._listener.send({"type": "composing", "state": "typing"})
        self._schedule_refresh()

    def _restart_timeout(self) -> None:
        timeout = self._configuration.composing_timeout_ms
        self._clear(self._timeout_timer)
        self._deadline = self._clock.now() + timeout
        self._timeout_timer = self._clock.set_timer(timeout, self._time_out)

    def _time_out(self) -> None:
        if self.local_composing_state != "composing" or self._timed_out:
            return
        self._timed_out = True
        self._clear(self._refresh_timer)
        self._clear(self._timeout_timer)
        self._refresh_timer = self._timeout_timer = None
        if self._settings.revert_delay_ms == 0:
            self._revert()
        else:
            self._revert_timer = self._clock.set_timer(self._settings.revert_delay_ms, self._revert)

    def _revert(self) -> None:
        self._revert_timer = None
        self._stop_composing(self._settings.idle_notification_on_wire)

    def _cancel_local_timers(self) -> None:
        for handle in (self._refresh_timer, self._timeout_timer, self._revert_timer):
            self._clear(handle)
        self._refresh_timer = self._timeout_timer = self._revert_timer = None

    def _clear(self, handle: object) -> None:
        if handle is not None:
            self._clock.clear_timer(handle)

    # -- remote composing --------------------------------------------------------------------

    def _remote_composing(self, state: str) -> None:
        every = self._settings.remote_event_on_every_notification
        # After six seconds of silence the remote is presumed idle, so the next notification is news.
        changed = self._remote_presumed_idle or self.remote_composing_state != (
            "composing" if state == "typing" else "idle"
        )
        self._cancel_silence()
        self._remote_presumed_idle = False
        if state == "typing":
            self._silence_timer = self._clock.set_timer(self._settings.remote_presumed_idle_ms, self._presumed_idle)
            self.remote_composing_state = "composing"
            if every or changed:
                self._listener.remote_composing_changed("composing")
            return
        self.remote_composing_state = "idle"
        if self._settings.remote_idle_raises_event and (every or changed):
            self._listener.remote_composing_changed("idle")

    def _presumed_idle(self) -> None:
        # Silence: the remote stopped typing without saying so. Nobody is told: presuming the
        # remote idle is the application's business, but the next notification is news again.
        self._silence_timer = None
        self._remote_presumed_idle = True

    def _cancel_silence(self) -> None:
        self._clear(self._silence_timer)
        self._silence_timer = None
