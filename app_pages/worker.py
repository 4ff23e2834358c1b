"""Long work in a worker process, started away from the app's server (no Streamlit here).

A worker is never a fork of the server: the server is multi-threaded (Tornado,
one script thread per session), and a fork copies every lock another thread
holds at that instant (a module being imported, numba's compiler lock, a write
to stderr) into a child where nothing will ever release it, so the child waits
for ever and so does the page. Workers fork instead from multiprocessing's
fork server, a single-threaded process started once with planner's modules
imported (:data:`PRELOAD`). A job, its arguments and its result therefore
cross by pickle: a bound method (``scenario.schedule``) or a
:func:`functools.partial` of module-level functions, never a lambda.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import planner

# What the jobs use, imported (and their kernels loaded) once in the fork server
# rather than in every worker.
PRELOAD = [
    "app_pages.worker", "planner", "planner.forecast", "planner.schedule",
    "planner.channels.email", "app_pages.worker_preload",
    # what a forecast fit imports when it first runs (about a second)
    "statsmodels.tsa.exponential_smoothing.ets", "statsmodels.tsa.holtwinters", "holidays",
]  # fmt: skip

CONTEXT = multiprocessing.get_context("forkserver")
CONTEXT.set_forkserver_preload(PRELOAD)


def warm_up() -> None:
    """Start the fork server in the background (once), so that the first job does not
    wait for its imports (about a second)."""
    global _warming
    if _warming is None:
        from multiprocessing import forkserver

        _warming = threading.Thread(target=forkserver.ensure_running, daemon=True)
        _warming.start()


_warming: threading.Thread | None = None


def start(job: Callable[..., Any], with_progress: bool) -> tuple[BaseProcess, Connection]:
    """``job`` running in a new worker, and the end of the pipe its messages come on:
    ``("progress", found)`` for each ``progress(*found)`` it calls (``with_progress``),
    then ``("done", result)``, ``("input", message)`` for an InputError or
    ``("failed", "Type: message")``."""
    parent, child = CONTEXT.Pipe(duplex=False)
    worker = CONTEXT.Process(target=_run, args=(child, job, with_progress), daemon=True)
    worker.start()
    child.close()
    return worker, parent


def _run(pipe: Connection, job: Callable[..., Any], with_progress: bool) -> None:
    """In the worker: run ``job``, sending its progress, then its result or its error."""
    try:
        if with_progress:
            result = job(progress=lambda *found: pipe.send(("progress", found)))
        else:
            result = job()
        pipe.send(("done", result))
    except planner.InputError as err:
        pipe.send(("input", str(err)))
    except Exception as err:  # said on the page, as a traceback would be
        pipe.send(("failed", f"{type(err).__name__}: {err}"))
