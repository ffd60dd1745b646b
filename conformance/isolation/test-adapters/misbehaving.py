#!/usr/bin/env python3
"""The Python example's adapter, misbehaving in the way IMFLOW_MISBEHAVIOUR names, for the
isolation tests: it exits, prints on its protocol channel, loops, or reports a malformed output
when the case first sets the local composing state."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "examples", "python"))
import adapter  # noqa: E402

MISBEHAVIOUR = os.environ.get("IMFLOW_MISBEHAVIOUR", "")
apply = adapter.System.apply


def misbehaving_apply(self, stimulus):
    if stimulus["type"] == "app.setComposing":
        if MISBEHAVIOUR == "py-exit":
            os._exit(3)
        if MISBEHAVIOUR == "py-print":
            print("debug: composing")
        if MISBEHAVIOUR == "py-loop":
            while True:
                pass
        if MISBEHAVIOUR == "py-bad-output":
            self.event("flowStateChanged", state="on fire")
        if MISBEHAVIOUR == "py-raise":
            raise KeyError("composing")
    return apply(self, stimulus)


adapter.System.apply = misbehaving_apply
if __name__ == "__main__":
    adapter.main()
