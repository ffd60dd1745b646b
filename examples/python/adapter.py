#!/usr/bin/env python3
"""The imflow adapter of the Python example: speaks the adapter protocol (docs/protocol.md) on
standard input and output and drives im_flow.py with it.

    npx imflow check --adapter-command "python3 examples/python/adapter.py"

JSON-RPC 2.0, one message per line. The kit owns time: every timer of the implementation is
a setTimer notification, and the kit answers with a fire request when the timer is due.
Set IMFLOW_PLANTED_BUG=late-refresh (or no-415) to run the implementation with a planted bug.
"""

import json
import os
import sys
from typing import Callable, Dict, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from im_flow import Flow, InvalidArgument, InvalidOperation, Listener, Settings  # noqa: E402

PROTOCOL = "imflow-adapter/1"
PROFILE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "profile.json")

out = sys.stdout


def send(message: dict) -> None:
    out.write(json.dumps(message, separators=(",", ":")) + "\n")


def answer(message: dict) -> None:
    # The notifications the request caused are still in the buffer: one write sends them all
    # with the answer, and each write is a wake-up of the kit.
    send(message)
    out.flush()


def notify(method: str, params: dict) -> None:
    send({"jsonrpc": "2.0", "method": method, "params": params})


class KitClock:
    """The implementation's clock: now() is the kit's time, timers are the kit's to fire."""

    def __init__(self, sut: int):
        self.sut = sut
        self.time = 0
        self.timers: Dict[int, Callable[[], None]] = {}
        self.next_id = 1

    def now(self) -> int:
        return self.time

    def set_timer(self, ms: int, callback: Callable[[], None]) -> object:
        timer = self.next_id
        self.next_id += 1
        self.timers[timer] = callback
        notify("setTimer", {"sut": self.sut, "timer": timer, "ms": max(0, ms)})
        return timer

    def clear_timer(self, handle: object) -> None:
        if self.timers.pop(handle, None) is not None:
            notify("clearTimer", {"sut": self.sut, "timer": handle})

    def fire(self, timer: int) -> None:
        callback = self.timers.pop(timer, None)
        if callback is not None:
            callback()


def settings_for(profile: dict) -> Settings:
    timing, options = profile["timing"], profile["options"]
    return Settings(
        refresh_period_ms=timing["refreshPeriodMs"],
        default_composing_timeout_ms=timing["composingTimeoutMs"],
        # Halfway into the tolerance window, so both sides of it can be tested.
        revert_delay_ms=timing["revertToleranceMs"] // 2,
        remote_presumed_idle_ms=timing["remoteIdleMs"],
        explicit_idle_allowed=options["explicitIdle"] == "allowed",
        idle_notification_on_wire=options["idleNotification"] == "sent",
        idle_notification_on_send=options["sendWhileComposing"] == "idle-notification",
        remote_idle_raises_event=options["remoteIdleEvent"] == "raised",
        remote_event_on_every_notification=options["remoteComposingEvent"] == "every-notification",
        planted_bug=os.environ.get("IMFLOW_PLANTED_BUG") or None,
    )


class System:
    """One system under test: a flow, and the remote participant the kit plays."""

    def __init__(self, sut: int, profile: dict):
        self.sut = sut
        self.clock = KitClock(sut)
        self.settings = settings_for(profile)
        self.flow: Optional[Flow] = None
        self.template: Optional[dict] = None
        #: Messages are numbered from 1: received in arrival order, sent in send order.
        self.received = 0
        self.sent = 0

    def output(self, output: dict) -> None:
        notify("output", {"sut": self.sut, "output": output})

    def event(self, name: str, **fields) -> None:
        self.output({"channel": "event", "name": name, **fields})

    def refuse(self, operation: str, kind: str) -> None:
        self.output({"channel": "error", "operation": operation, "kind": kind})

    def wire(self, message: dict) -> None:
        kind = message["type"]
        if kind == "message":
            self.sent += 1
            self.output({"channel": "wire", "kind": "message", "body": message["body"], "contentType": message["contentType"]})
        elif kind == "response":
            self.output({"channel": "wire", "kind": "response", "message": message["id"], "code": message["code"]})
        elif kind == "composing":
            self.output({"channel": "wire", "kind": "composing", "state": message["state"]})
        elif kind == "bye":
            self.output({"channel": "wire", "kind": "bye"})

    def configuration_requested(self, flow: Flow) -> None:
        self.event("flowConfigurationRequested")
        if self.template is not None:
            try:
                flow.initialize(self.template)
            except InvalidArgument:
                self.refuse("app.establish", "invalid-argument")
            except InvalidOperation:
                self.refuse("app.establish", "invalid-operation")

    def listener(self) -> Listener:
        return Listener(
            configuration_requested=self.configuration_requested,
            state_changed=lambda state: self.event("flowStateChanged", state=state),
            message_received=lambda body, content_type: self.event("messageReceived", body=body, contentType=content_type),
            delivery_notification_received=lambda index, status, code: self.event(
                "deliveryNotificationReceived", message=index, status=status, **({} if code is None else {"code": code})
            ),
            remote_composing_changed=lambda state: self.event("remoteComposingStateChanged", state=state),
            send=self.wire,
        )

    def apply(self, stimulus: dict) -> None:
        """Raises InvalidOperation or InvalidArgument for a refused operation."""
        kind = stimulus["type"]
        flow = self.flow
        if kind == "app.establish":
            if flow is None:
                self.flow = flow = Flow(self.clock, self.settings, self.listener())
            self.template = stimulus.get("template")
            return flow.establish(self.template)
        if kind.startswith("remote."):
            # Before the call exists there is no one to send to: the remote stays silent.
            return self.from_remote(stimulus) if flow is not None else None
        if flow is None:
            raise InvalidOperation("the call has no flow before it is established")
        if kind == "app.initialize":
            return flow.initialize(stimulus["template"])
        if kind == "app.send":
            return flow.send_message(stimulus["body"], stimulus["contentType"])
        if kind == "app.setComposing":
            return flow.set_composing()
        if kind == "app.setIdle":
            return flow.set_idle()
        if kind == "app.deliverySuccess":
            return flow.send_delivery_notification(stimulus["message"], "success", None)
        if kind == "app.deliveryFailure":
            return flow.send_delivery_notification(stimulus["message"], "failure", stimulus["code"])
        if kind == "app.terminate":
            return flow.terminate()
        raise RuntimeError(f"this example has no {kind}")

    def from_remote(self, stimulus: dict) -> None:
        kind = stimulus["type"]
        if kind == "remote.message":
            self.received += 1
            message = {"type": "message", "id": self.received, "body": stimulus["body"], "contentType": stimulus["contentType"]}
        elif kind == "remote.typing":
            message = {"type": "composing", "state": "typing"}
        elif kind == "remote.idle":
            message = {"type": "composing", "state": "idle"}
        elif kind == "remote.deliveryNotification":
            index = stimulus["message"] if 1 <= stimulus["message"] <= self.sent else 0
            message = {"type": "deliveryNotification", "id": index, "status": stimulus["status"], "code": stimulus.get("code")}
        else:
            message = {"type": "bye"}
        self.flow.receive(message)

    def state(self) -> dict:
        if self.flow is None:
            return {"flowState": "idle"}
        return {"flowState": self.flow.state, "localComposingState": self.flow.local_composing_state}


systems: Dict[int, System] = {}


def settled(system: System) -> dict:
    # The implementation is synchronous: once a call returns, nothing is in flight.
    return {"state": system.state()}


def handle(method: str, params: dict) -> dict:
    if method == "initialize":
        if params.get("protocol") != PROTOCOL:
            raise ProtocolMismatch(f"this adapter speaks {PROTOCOL}, not {params.get('protocol')}")
        with open(PROFILE_FILE, encoding="utf-8") as file:
            profile = json.load(file)
        return {"name": "imflow Python example", "profile": profile, "declarations": {"queries": ["flowState", "localComposingState"]}}
    if method == "create":
        systems[params["sut"]] = System(params["sut"], params["profile"])
        return {}
    system = systems[params["sut"]]
    system.clock.time = params.get("now", system.clock.time)
    if method == "apply":
        try:
            system.apply(params["stimulus"])
        except InvalidOperation:
            return {**settled(system), "refused": "invalid-operation"}
        except InvalidArgument:
            return {**settled(system), "refused": "invalid-argument"}
        return settled(system)
    if method == "fire":
        system.clock.fire(params["timer"])
        return settled(system)
    if method in ("settle", "query"):
        return settled(system)
    if method == "dispose":
        del systems[params["sut"]]
        return {}
    raise LookupError(f"unknown method {method}")


class ProtocolMismatch(Exception):
    pass


def main() -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            result = handle(request["method"], request.get("params", {}))
            answer({"jsonrpc": "2.0", "id": request["id"], "result": result})
        except ProtocolMismatch as error:
            answer({"jsonrpc": "2.0", "id": request["id"], "error": {"code": -32001, "message": str(error)}})
        except Exception as error:  # the implementation failed: the kit fails the step
            answer({"jsonrpc": "2.0", "id": request["id"], "error": {"code": -32000, "message": f"{type(error).__name__}: {error}"}})


if __name__ == "__main__":
    main()
