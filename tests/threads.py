"""Run pieces of work at the same moment in real threads, each with its own connection."""

import threading

from django.db import connection


def run_together(*jobs, timeout: float = 120) -> tuple[list, list[str]]:
    """Start every job at once (a barrier); (their results, in order, and any errors)."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list[str] = []

    def run(n, job):
        try:
            barrier.wait(timeout=30)
            results[n] = job()
        except Exception as error:  # noqa: BLE001 (the caller asserts there are none)
            errors.append(repr(error))
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(n, job)) for n, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results, errors
