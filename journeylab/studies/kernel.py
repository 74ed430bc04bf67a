"""A kernel client that cannot miss a reply, for every notebook journeylab runs
(papermill studies and the Voila dashboard alike; Voila takes it by name:
``--KernelManager.client_class=journeylab.studies.kernel.PatientKernelClient``).

A single long wait on a ZMQ socket can miss its wake-up and then never see a reply that is
already there: the run hangs with the kernel idle (seen here on cells that build widgets;
nbclient #312). Each wait is cut into half-second slices, each starting with a direct
check of the socket, up to the caller's own deadline.
"""
from __future__ import annotations

from queue import Empty
from time import monotonic

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from traitlets import Type

__all__ = ["PatientKernelClient", "SlicedWaitChannel"]


class SlicedWaitChannel(AsyncZMQSocketChannel):
    """A channel whose waits are cut into half-second slices."""

    async def get_msg(self, timeout: float | None = None):
        deadline = None if timeout is None else monotonic() + timeout
        while True:
            try:
                return await super().get_msg(timeout=0)
            except Empty:
                pass
            left = None if deadline is None else deadline - monotonic()
            if left is not None and left <= 0:
                raise Empty
            try:
                return await super().get_msg(timeout=0.5 if left is None else min(0.5, left))
            except Empty:
                continue


class PatientKernelClient(AsyncKernelClient):
    """An asynchronous kernel client whose channels wait in slices."""

    shell_channel_class = Type(SlicedWaitChannel)
    iopub_channel_class = Type(SlicedWaitChannel)
    control_channel_class = Type(SlicedWaitChannel)
